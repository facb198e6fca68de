# expect: 6:9: error: concat joins axes of fixed size, and axis 0 of [N, 3] is not
model m {
    input  x: f32[N, 3]
    input  z: f32[N, 3]
    target t: f32[N, 3]
    h = concat(x, z, axis = 0)
    loss = mse(h -> Dense(3), t)
}
