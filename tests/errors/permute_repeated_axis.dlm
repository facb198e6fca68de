# expect: 5:34: error: axis 1 appears twice in the permutation
model m {
    input  x: f32[N, 3, 4]
    target t: f32[N, 4, 3]
    loss = mse(permute(x, [0, 1, 1]) -> Dense(3), t)
}
