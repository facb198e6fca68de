# expect: 5:18: error: the batch axis is taken whole: write x[:, ...]
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 3]
    loss = mse(x[0, -1], y)
}
