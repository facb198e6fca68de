# expect: 8:25: error: lr must be in [0, 1000], got -0.1
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    optimizer Adam(lr = -0.1)
}
