# expect: 5:27: error: permute wants a list of all 3 axes of [N, 3, 4]
model m {
    input  x: f32[N, 3, 4]
    target t: f32[N, 4, 3]
    loss = mse(permute(x, [0, 2]) -> Dense(3), t)
}
