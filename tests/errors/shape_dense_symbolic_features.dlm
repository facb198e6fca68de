# expect: 5:19: error: Dense 'dense_1' needs a fixed feature size, got [N] (flatten or reshape first)
model m {
    input  x: f32[N]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
