# expect: 4:12: error: 'x' is already defined
model m {
    input  x: f32[N, 4]
    input  x: f32[N, 8]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
