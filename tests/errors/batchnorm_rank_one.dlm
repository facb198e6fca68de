# expect: 7:21: error: BatchNorm 'bn' expects [N, C, ...], got [N]
model m {
    input  x: f32[N, 4]
    target t: f32[N]
    bn = BatchNorm()
    s = sum(x -> Dense(3), axis = 1)
    loss = mse(s -> bn, t)
}
