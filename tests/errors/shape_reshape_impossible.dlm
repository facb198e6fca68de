# expect: 5:27: error: cannot reshape [N, 1, 28, 28] (784*N elements) into [N, 100]
model m {
    input  x: f32[N, 1, 28, 28]
    target y: i32[N] classes 10
    logits = x -> reshape([N, 100]) -> Dense(10)
    loss = cross_entropy(logits, y)
}
