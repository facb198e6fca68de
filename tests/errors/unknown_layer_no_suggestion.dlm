# expect: 5:19: error: unknown layer 'Conv2d'
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Conv2d(3) -> Dense(3)
    loss = cross_entropy(logits, y)
}
