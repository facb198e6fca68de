# expect: 10:14: error: schedule wants constant, cosine(min = 0) or step(every = 1, gamma = 0.1); did you mean 'cosine'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
}
train {
    optimizer SGD(lr = 0.1)
    schedule cosin
}
