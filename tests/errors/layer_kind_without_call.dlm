# expect: 5:31: error: 'Dense' is a layer type; write Dense(...) with its hyperparameters
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense, y)
}
