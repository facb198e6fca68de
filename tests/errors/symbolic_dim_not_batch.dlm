# expect: 3:22: error: symbolic dimension 'T': only the batch dimension may be symbolic so far
model m {
    input  x: f32[N, T, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> flatten -> Dense(3), y)
}
