# expect: 5:31: error: too large
model m {
    input  x: f32[N, 784]
    target y: i32[N] classes 10
    logits = x -> reshape([N, 100000000000000000000]) -> Dense(10)
    loss = cross_entropy(logits, y)
}
