# expect: 8:14: error: idx: expected a string
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    data idx(fashion)
}
