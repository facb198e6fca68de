# expect: 12:16: error: block Mix has no input 'gat'
block Mix(width) {
    a = Dense(width)
    forward(x, gate) { return (x -> a) * sigmoid(gate) }
}

model m {
    input  x: f32[N, 4]
    input  g: f32[N, 6]
    target y: i32[N] classes 3
    mix = Mix(6)
    h = mix(x, gat = g)
    loss = cross_entropy(h -> Dense(3), y)
}
