# expect: 3:25: error: block Scale must return a tensor, got a number
block Scale(k) {
    forward(x) { return k }
}

model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    h = x -> Scale(2)
    loss = cross_entropy(h -> Dense(3), y)
}
