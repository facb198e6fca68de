# expect: 5:31: error: Conv2D 'conv2d_1' needs fixed channel and spatial sizes, got [N, 3, H, W]
model m {
    input  x: f32[N, 3, H, W]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Conv2D(4, 3) -> GlobalAvgPool() -> Dense(3), y)
}
