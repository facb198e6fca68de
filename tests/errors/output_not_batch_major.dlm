# expect: 8:12: error: the output must have a batch dimension, got [2*N, 4]
model m {
    input  x: f32[N, 8]
    target t: f32[N, 8]
    h = x -> Dense(8)
    p = reshape(h, [-1, 4])
    loss = mse(h, t)
    output p
}
