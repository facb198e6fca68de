# expect: 5:42: error: Dense 'dense_1' needs a fixed feature size, got [N, 4*T] (flatten or reshape first)
model m {
    input  x: f32[N, T, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> flatten -> Dense(3), y)
}
