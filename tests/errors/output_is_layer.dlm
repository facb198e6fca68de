# expect: 7:12: error: the output must be a tensor, got a layer
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    fc = Dense(3)
    loss = cross_entropy(x -> fc, y)
    output fc
}
