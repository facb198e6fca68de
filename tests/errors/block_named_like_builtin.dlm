# expect: 2:7: error: 'relu' is a built-in name and cannot name a block
block relu() {
    forward(x) { return x }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3) -> relu, y)
}
