# expect: 10:32: error: positional argument after a keyword argument
block Scaled(width, k = 1) {
    fc = Dense(width)
    forward(x) { return (x -> fc) * k }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Scaled(width = 6, 2)
    loss = cross_entropy(h -> Dense(3), y)
}
