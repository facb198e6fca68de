# expect: 7:15: error: output 's' is given twice
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = GRU(4)
    s = x -> rnn
    output s, s
    loss = mse(s, y)
}
