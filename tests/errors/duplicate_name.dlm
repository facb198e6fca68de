# expect: 6:5: error: 'h' is already defined
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Dense(8)
    h = h -> relu
    loss = cross_entropy(h -> Dense(3), y)
}
