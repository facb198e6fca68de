# expect: 5:21: error: an index must be an integer known at compile time, got 1.5
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 3]
    loss = mse(x[:, 1.5], y)
}
