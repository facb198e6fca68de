# expect: 5:14: error: relu takes 1 argument, got 0
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = relu() -> Dense(3)
    loss = cross_entropy(logits, y)
}
