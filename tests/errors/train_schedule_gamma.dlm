# expect: 10:38: error: gamma must be in [0, 1], got 2
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
train {
    optimizer SGD(lr = 0.1)
    schedule step(every = 2, gamma = 2)
}
