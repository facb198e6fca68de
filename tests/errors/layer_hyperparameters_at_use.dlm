# expect: 6:31: error: layer 'fc' is applied as fc(x) or x -> fc; give hyperparameters where it is declared
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    fc = Dense(3)
    loss = cross_entropy(x -> fc(3), y)
}
