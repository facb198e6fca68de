# expect: 5:19: error: Dense needs the number of output units, e.g. Dense(128)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense()
    loss = cross_entropy(logits, y)
}
