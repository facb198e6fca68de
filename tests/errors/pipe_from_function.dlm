# expect: 5:9: error: the left side of '->' must be a tensor, got a function
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = relu -> sigmoid
    loss = cross_entropy(x -> Dense(3), y)
}
