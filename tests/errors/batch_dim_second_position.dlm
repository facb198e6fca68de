# expect: 3:22: error: 'N' is the batch dimension and can only come first
model m {
    input  x: f32[N, N]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
