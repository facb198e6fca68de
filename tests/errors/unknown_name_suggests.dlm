# expect: 5:31: error: unknown name 'rleu'; did you mean 'relu'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(8) -> rleu -> Dense(3)
    loss = cross_entropy(logits, y)
}
