# expect: 6:12: error: mse: prediction f32[N, 10] and target f32[N, 3] differ
model m {
    input  x: f32[N, 4]
    target t: f32[N, 3]
    pred = x -> Dense(10)
    loss = mse(pred, t)
}
