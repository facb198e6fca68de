# expect: 8:19: error: SGD takes 0 positional arguments, got more
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    optimizer SGD(0.1)
}
