# expect: 2:7: error: model 'm' has no loss: add a line such as `loss = cross_entropy(logits, label)`
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    objective = cross_entropy(logits, y)
}
