# expect: 11:16: error: block Residual takes 1 input
block Residual(c) {
    conv = Conv2D(c, 3, padding = 1)
    forward(x) { return relu(x + (x -> conv)) }
}

model m {
    input  x: f32[N, 4, 6, 6]
    target y: i32[N] classes 3
    r = Residual(4)
    h = x -> r(x)
    loss = cross_entropy(h -> flatten -> Dense(3), y)
}
