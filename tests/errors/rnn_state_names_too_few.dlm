# expect: 6:8: error: 2 names for 3 values (the output, then the final states h and c: y, h, c = ...)
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = LSTM(4, return_state = true)
    s, h = x -> rnn
    loss = mse(s, y)
}
