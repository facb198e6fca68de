# expect: ?
model m {
    input  x: f32[N, 784]
    target y: i32[N] classes 10
    fc  = Dense(256)
    fc2 = Dense(128)
    h = x -> fc -> relu -> fc2
    logits = h -> fc -> Dense(10)
    loss = cross_entropy(logits, y)
}
