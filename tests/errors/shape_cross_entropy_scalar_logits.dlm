# expect: 7:12: error: cross_entropy: logits must have a class axis, got []
model m {
    input  x: f32[N, 4]
    target t: f32[N, 3]
    target y: i32[N] classes 3
    pred = x -> Dense(3)
    loss = cross_entropy(mse(pred, t), y)
}
