# expect: 5:19: error: unexpected byte 0xff
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> ÿDense(3)
    loss = cross_entropy(logits, y)
}
