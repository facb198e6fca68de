# expect: 8:11: error: batch must be a whole number >= 1
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    batch 6.5
}
