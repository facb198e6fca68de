# expect: 3:19: error: the first dimension of 'x' is the batch and must be a name such as N
model m {
    input  x: f32[64, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
