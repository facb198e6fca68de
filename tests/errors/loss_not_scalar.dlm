# expect: 6:5: error: the loss must be a scalar tensor (e.g. cross_entropy(...) or mse(...)), got [N, 3]
model m {
    input  x: f32[N, 4]
    target t: f32[N, 3]
    pred = x -> Dense(3)
    loss = (pred - t) * (pred - t)
    output pred
}
