# expect: 5:5: error: 'Dense' is a built-in name and cannot be redefined
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    Dense = x -> flatten
    loss = cross_entropy(Dense -> Dense(3), y)
}
