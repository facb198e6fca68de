# expect: 10:14: error: step(every = ...) wants a whole number of epochs
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
train {
    optimizer SGD(lr = 0.1)
    schedule step(every = 1.5, gamma = 0.5)
}
