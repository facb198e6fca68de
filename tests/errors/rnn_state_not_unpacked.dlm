# expect: 6:5: error: 1 name for 2 values (the output, then the final states h: y, h = ...)
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = GRU(4, return_state = true)
    s = x -> rnn
    loss = mse(s, y)
}
