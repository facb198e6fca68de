# expect: 5:25: error: Dense units must be a number known at compile time
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(x)
    loss = cross_entropy(logits, y)
}
