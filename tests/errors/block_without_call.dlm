# expect: 10:31: error: 'Residual' is a block; write Residual(...) with its parameters
block Residual(c) {
    conv = Conv2D(c, 3, padding = 1)
    forward(x) { return relu(x + (x -> conv)) }
}

model m {
    input  x: f32[N, 4, 6, 6]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Residual -> flatten -> Dense(3), y)
}
