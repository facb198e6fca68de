# expect: 6:5: error: the loss must be a scalar tensor (e.g. cross_entropy(...) or mse(...)), got a layer
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = Dense(3)
}
