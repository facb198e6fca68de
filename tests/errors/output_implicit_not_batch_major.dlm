# expect: 6:16: error: the output must have a batch dimension, got [8*N]
model m {
    input  x: f32[N, 8]
    target t: f32[N, 8]
    h = x -> Dense(8)
    loss = mse(reshape(h, [-1]), reshape(t, [-1]))
}
