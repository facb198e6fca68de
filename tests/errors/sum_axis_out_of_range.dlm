# expect: 5:42: error: axis 3 is out of range for [N, 3, 4]
model m {
    input  x: f32[N, 3, 4]
    target t: f32[N, 3]
    loss = mse(sum(x -> Dense(4), axis = 3), t)
}
