# expect: 5:22: error: the slice along axis 1 of [N, 5, 3] is empty
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 1, 3]
    loss = mse(x[:, 3:3], y)
}
