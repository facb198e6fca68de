# expect: ?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 10
    logits = x -> Dense(5)
    loss = cross_entropy(logits, y)
}
