# expect: 6:17: error: of f32 and i32 tensors (convert one of them)
model m {
    input  x: f32[N, 4]
    input  k: i32[N, 4]
    target y: i32[N] classes 3
    logits = (x + k) -> Dense(3)
    loss = cross_entropy(logits, y)
}
