# expect: 6:24: error: on the symbolic axis T a slice has a fixed length: write a:b, :b, -a: or -a:-b
model m {
    input  x: f32[N, T, 3]
    target y: f32[N, T, 4]
    rnn = GRU(4)
    h = (x -> rnn)[:, 1:]
    loss = mse(h, y)
}
