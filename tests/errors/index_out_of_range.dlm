# expect: 5:21: error: index 5 out of range for axis 1 of [N, 5, 3]
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 3]
    loss = mse(x[:, 5], y)
}
