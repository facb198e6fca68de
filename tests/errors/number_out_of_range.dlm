# expect: 5:50: error: number out of range
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3) -> leaky_relu(slope = 1e999)
    loss = cross_entropy(logits, y)
}
