# expect: 6:12: error: binary_cross_entropy: prediction f32[N, 3] and target f32[N, 2] must be float tensors of one shape
model m {
    input  x: f32[N, 4]
    target t: f32[N, 2]
    p = x -> Dense(3) -> sigmoid
    loss = binary_cross_entropy(p, t)
    output p
}
