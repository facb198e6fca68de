# expect: 4:19: error: every input's batch dimension must be 'N'
model m {
    input  x: f32[N, 4]
    target y: i32[B] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
