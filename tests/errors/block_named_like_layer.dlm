# expect: 2:7: error: 'Dense' is a built-in name and cannot name a block
block Dense(n) {
    forward(x) { return x }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
