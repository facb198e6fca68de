# expect: ?
model m {
    input  x: f32[N, 784]
    target y: i32[N] classes 10
    logits = x -> reshape(["batch", 784]) -> Dense(10)
    loss = cross_entropy(logits, y)
}
