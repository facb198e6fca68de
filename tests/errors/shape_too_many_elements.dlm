# expect: 3:12: error: tensor [N, 1000000000000, 1000000000000] is too large
model m {
    input  x: f32[N, 1000000000000, 1000000000000]
    target y: i32[N] classes 3
    logits = x -> flatten -> Dense(3)
    loss = cross_entropy(logits, y)
}
