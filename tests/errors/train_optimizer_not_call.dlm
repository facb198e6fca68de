# expect: 8:15: error: optimizer wants SGD(lr = ...), Momentum(...) or Adam(...)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    optimizer Adam
}
