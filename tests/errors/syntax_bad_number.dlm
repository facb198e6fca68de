# expect: 5:25: error: malformed number '1.2.3'
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(1.2.3)
    loss = cross_entropy(logits, y)
}
