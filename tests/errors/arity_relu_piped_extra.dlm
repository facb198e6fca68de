# expect: 5:24: error: relu takes 1 argument, got 2
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> relu(2) -> Dense(3)
    loss = cross_entropy(logits, y)
}
