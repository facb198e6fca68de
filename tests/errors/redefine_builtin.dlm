# expect: 5:5: error: 'relu' is a built-in name and cannot be redefined
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    relu = Dense(8)
    loss = cross_entropy(x -> relu -> Dense(3), y)
}
