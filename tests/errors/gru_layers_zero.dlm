# expect: 5:27: error: GRU layers must be an integer in [1, 8], got 0
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = GRU(4, layers = 0)
    loss = mse(x -> rnn, y)
}
