# expect: ?
model m {
    input  x: f32[N, 3]
    target t: f32[N, 3]
    loss = mse(x -> relu, t)
}
