# expect: 6:8: error: 2 names for 1 value
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = GRU(4)
    s, h = x -> rnn
    loss = mse(s, y)
}
