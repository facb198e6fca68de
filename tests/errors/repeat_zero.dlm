# expect: 10:20: error: repeat wants a count from 1 to 1000
block Residual(c) {
    conv = Conv2D(c, 3, padding = 1)
    forward(x) { return relu(x + (x -> conv)) }
}

model m {
    input  x: f32[N, 4, 6, 6]
    target y: i32[N] classes 3
    stack = repeat 0 Residual(4)
    loss = cross_entropy(x -> stack -> flatten -> Dense(3), y)
}
