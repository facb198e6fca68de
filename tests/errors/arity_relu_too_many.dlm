# expect: 5:17: error: relu takes 1 argument, got 2
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = relu(x, x)
    loss = cross_entropy(h -> Dense(3), y)
}
