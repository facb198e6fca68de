# expect: 6:12: error: cross_entropy wants integer class labels as its second argument, got f32[N]
model m {
    input  x: f32[N, 4]
    target y: f32[N]
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
