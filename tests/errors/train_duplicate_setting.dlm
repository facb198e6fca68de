# expect: 10:5: error: 'batch' is set twice
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    batch 64
    epochs 2
    batch 32
}
