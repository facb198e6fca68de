# expect: 5:31: error: BatchNorm momentum must be in [0, 1]
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    bn = BatchNorm(momentum = 2)
    loss = cross_entropy(x -> Dense(8) -> bn -> Dense(3), y)
}
