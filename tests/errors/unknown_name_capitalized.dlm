# expect: 6:26: error: unknown name 'Logits'; did you mean 'logits'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(Logits, y)
}
