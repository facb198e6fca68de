# expect: 12:28: error: input 'x' given twice
block Mix(width) {
    a = Dense(width)
    forward(x, gate) { return (x -> a) * sigmoid(gate) }
}

model m {
    input  x: f32[N, 4]
    input  g: f32[N, 6]
    target y: i32[N] classes 3
    mix = Mix(6)
    h = x -> mix(gate = g, x = x)
    loss = cross_entropy(h -> Dense(3), y)
}
