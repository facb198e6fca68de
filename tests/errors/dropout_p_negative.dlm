# expect: 5:21: error: Dropout p must be in [0, 1), got -0.1
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    d = Dropout(p = -0.1)
    loss = cross_entropy(x -> Dense(8) -> d -> Dense(3), y)
}
