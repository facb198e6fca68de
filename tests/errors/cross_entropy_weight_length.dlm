# expect: 6:46: error: cross_entropy weight has 3 entries, but the logits have 4 classes
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 4
    logits = x -> Dense(4)
    loss = cross_entropy(logits, y, weight = [1, 2, 3])
}
