# expect: 5:33: error: l2 must be a penalty weight >= 0, got -0.5
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3, l2 = -0.5)
    loss = cross_entropy(logits, y)
}
