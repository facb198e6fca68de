# expect: 7:7: error: block 'Residual' is already defined
block Residual(c) {
    conv = Conv2D(c, 3, padding = 1)
    forward(x) { return relu(x + (x -> conv)) }
}

block Residual(c) {
    forward(x) { return x }
}

model m {
    input  x: f32[N, 4, 6, 6]
    target y: i32[N] classes 3
    h = x -> Residual(4)
    loss = cross_entropy(h -> flatten -> Dense(3), y)
}
