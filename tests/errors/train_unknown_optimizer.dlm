# expect: 8:15: error: unknown optimizer 'Adamw'; did you mean 'Adam'? (known: SGD, Momentum, Adam)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    optimizer Adamw(lr = 1e-3)
}
