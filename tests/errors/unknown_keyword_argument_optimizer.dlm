# expect: 8:31: error: Adam has no argument 'weight_decy'; did you mean 'weight_decay'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    optimizer Adam(lr = 1e-3, weight_decy = 1e-4)
}
