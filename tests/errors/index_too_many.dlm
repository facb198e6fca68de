# expect: 5:27: error: 4 indices for [N, 5, 3], which has 3 axes
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N]
    loss = mse(x[:, 1, 2, 0], y)
}
