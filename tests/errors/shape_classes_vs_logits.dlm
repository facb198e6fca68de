# expect: 6:12: error: cross_entropy: target 'y' has 10 classes, but the logits have 5
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 10
    logits = x -> Dense(5)
    loss = cross_entropy(logits, y)
}
