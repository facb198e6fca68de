# expect: 2:7: error: model 'm' has no parameters to train
model m {
    input  x: f32[N, 3]
    target t: f32[N, 3]
    loss = mse(x -> relu, t)
}
