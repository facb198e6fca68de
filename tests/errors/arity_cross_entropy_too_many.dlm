# expect: 6:37: error: cross_entropy takes 2 arguments, got 3
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y, y)
}
