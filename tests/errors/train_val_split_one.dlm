# expect: 8:15: error: val_split must be in [0, 1)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    val_split 1
}
