# expect: ?
model m {
    input  x: f32[N, 1, 28, 28]
    target y: i32[N] classes 10
    logits = x -> reshape([N, -1, 100]) -> Dense(10)
    loss = cross_entropy(logits, y)
}
