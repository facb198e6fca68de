# expect: 5:25: error: Dense has no argument 'unit'; did you mean 'units'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(unit = 3)
    loss = cross_entropy(logits, y)
}
