# expect: 11:9: error: block Mix needs its input 'gate'
block Mix(width) {
    a = Dense(width)
    forward(x, gate) { return (x -> a) * sigmoid(gate) }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    mix = Mix(6)
    h = mix(x)
    loss = cross_entropy(h -> Dense(3), y)
}
