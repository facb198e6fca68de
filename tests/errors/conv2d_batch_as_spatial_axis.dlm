# expect: 6:37: error: Conv2D 'c' needs fixed channel and spatial sizes, got [1, 1, N, 8]
model m {
    input  x: f32[N, 8]
    target y: f32[N, 8]
    c = Conv2D(1, 1)
    h = reshape(x, [1, 1, N, 8]) -> c
    loss = mse(reshape(h, [N, 8]), y)
}
