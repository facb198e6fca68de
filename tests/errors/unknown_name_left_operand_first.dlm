# expect: 5:14: error: unknown name 'foo'
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = foo + bar
    loss = cross_entropy(logits, y)
}
