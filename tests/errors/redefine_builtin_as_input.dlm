# expect: 3:12: error: 'relu' is a built-in name and cannot be redefined
model m {
    input  relu: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(relu -> Dense(3), y)
}
