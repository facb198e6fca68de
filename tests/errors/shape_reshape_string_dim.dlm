# expect: 5:28: error: reshape dimensions must be positive integers, symbols or one -1
model m {
    input  x: f32[N, 784]
    target y: i32[N] classes 10
    logits = x -> reshape(["batch", 784]) -> Dense(10)
    loss = cross_entropy(logits, y)
}
