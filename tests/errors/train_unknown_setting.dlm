# expect: 9:5: error: unknown train setting 'epoch'; did you mean 'epochs'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    batch 8
    epoch 2
}
