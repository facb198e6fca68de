# expect: ?
model m {
    input  x: f32[N, 4]
    target y: f32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
