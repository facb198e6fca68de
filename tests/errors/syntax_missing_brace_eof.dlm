# expect: 6:36: error: syntax error: unexpected end of file
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
