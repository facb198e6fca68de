# expect: 3:13: error: uses itself
block Tower(c) {
    inner = Tower(c)
    forward(x) { return x -> inner }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Tower(4)
    loss = cross_entropy(h -> Dense(3), y)
}
