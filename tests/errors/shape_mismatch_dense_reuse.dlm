# expect: 7:19: error: Dense 'fc' expects [N, K] with K = 256, got [N, 128]
model m {
    input  x: f32[N, 256]
    target y: i32[N] classes 10
    fc = Dense(128)
    h = x -> fc -> relu
    logits = h -> fc -> Dense(10)
    loss = cross_entropy(logits, y)
}
