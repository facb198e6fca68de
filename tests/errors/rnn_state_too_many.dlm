# expect: 8:27: error: GRU 'rnn' takes at most 2 tensors (x, h0), got 3
model m {
    input  x: f32[N, 5, 3]
    input  h0: f32[N, 1, 4]
    input  c0: f32[N, 1, 4]
    target y: f32[N, 5, 4]
    rnn = GRU(4)
    loss = mse(rnn(x, h0, c0), y)
}
