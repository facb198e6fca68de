# expect: 3:37: error: unknown name 'z'; a block sees only its parameters, declarations and inputs
block Gate() {
    forward(x) { return x * sigmoid(z) }
}

model m {
    input  x: f32[N, 4]
    input  z: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Gate()
    loss = cross_entropy(h -> Dense(3), y)
}
