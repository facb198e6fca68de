# expect: 5:25: error: Dense units must be an integer in [1, 16777216], got 0
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(0)
    loss = cross_entropy(logits, y)
}
