# expect: 6:12: error: cross_entropy: logits [N, 3] and labels [N, 1] do not match (labels should be [N])
model m {
    input  x: f32[N, 4]
    target y: i32[N, 1] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
