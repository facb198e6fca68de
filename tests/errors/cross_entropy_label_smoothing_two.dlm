# expect: 6:55: error: label_smoothing must be in [0, 1]
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y, label_smoothing = 2)
}
