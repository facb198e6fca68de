# expect: 5:9: error: permute must keep the batch axis first
model m {
    input  x: f32[N, 3, 4]
    target t: f32[N, 4, 3]
    p = permute(x, [1, 0, 2])
    loss = mse(p -> Dense(3), t)
}
