# expect: 5:51: error: axis 2 given twice
model m {
    input  x: f32[N, 3, 4]
    target t: f32[N]
    loss = mse(mean(x -> Dense(4), axis = [1, -1, 2]), t)
}
