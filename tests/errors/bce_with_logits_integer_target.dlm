# expect: 6:12: error: bce_with_logits: prediction f32[N, 3] and target i32[N, 3] must be float tensors of one shape
model m {
    input  x: f32[N, 4]
    target t: i32[N, 3]
    z = x -> Dense(3)
    loss = bce_with_logits(z, t)
    output z
}
