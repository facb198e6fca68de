# expect: 4:15: error: a target with classes holds integer labels: use i32, not f32
model m {
    input  x: f32[N, 4]
    target y: f32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
