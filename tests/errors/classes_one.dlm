# expect: 4:30: error: classes must be an integer >= 2
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 1
    loss = cross_entropy(x -> Dense(3), y)
}
