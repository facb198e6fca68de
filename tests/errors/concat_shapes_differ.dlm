# expect: 6:26: error: concat along axis 1: [N, 3, 4] and [N, 2, 5] differ elsewhere
model m {
    input  x: f32[N, 3, 4]
    input  z: f32[N, 2, 5]
    target t: f32[N, 5, 4]
    loss = mse(concat(x, z, axis = 1), t)
}
