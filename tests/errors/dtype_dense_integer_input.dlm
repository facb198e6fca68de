# expect: 5:19: error: Dense 'dense_1' needs a floating-point input, got i32[N, 4]
model m {
    input  x: i32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
