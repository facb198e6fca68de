# expect: 3:22: error: symbolic dimension 'T' needs a largest size: train on text(..., window = T) or pass --max-len
model m {
    input  x: f32[N, T, 3]
    target y: f32[N, T, 4]
    rnn = GRU(4)
    loss = mse(x -> rnn, y)
}
