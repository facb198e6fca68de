# expect: 2:7: error: say which tensor is the model's prediction with `output NAME`
model m {
    input  x: f32[N, 4]
    target t: f32[N, 3]
    pred = x -> Dense(3)
    d = pred - t
    loss = mse(d, d) * 0.5
}
