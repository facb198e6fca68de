# expect: ?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = relu(x, x)
    loss = cross_entropy(h -> Dense(3), y)
}
