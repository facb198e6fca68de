# expect: 4:25: error: block Head must return a tensor, got a layer
block Head(n) {
    fc = Dense(n)
    forward(x) { return fc }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Head(3)
    loss = cross_entropy(h, y)
}
