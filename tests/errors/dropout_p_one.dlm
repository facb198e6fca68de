# expect: 5:51: error: Dropout p must be in [0, 1), got 1
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(8) -> Dropout(1) -> Dense(3), y)
}
