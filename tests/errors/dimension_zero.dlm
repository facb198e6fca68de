# expect: 3:22: error: a dimension must be a positive integer
model m {
    input  x: f32[N, 0]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
