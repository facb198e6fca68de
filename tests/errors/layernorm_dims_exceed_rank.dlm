# expect: 6:43: error: LayerNorm 'ln' normalizes the last 2 axes of a tensor with a batch axis, got [N, 8]
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    ln = LayerNorm(dims = 2)
    loss = cross_entropy(x -> Dense(8) -> ln -> Dense(3), y)
}
