# expect: 5:28: error: argument 'units' given twice
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3, units = 4)
    loss = cross_entropy(logits, y)
}
