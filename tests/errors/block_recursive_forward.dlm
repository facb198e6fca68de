# expect: 4:36: error: uses itself
block Tower(c) {
    fc = Dense(c)
    forward(x) { return x -> fc -> Tower(c) }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Tower(4)
    loss = cross_entropy(h -> Dense(3), y)
}
