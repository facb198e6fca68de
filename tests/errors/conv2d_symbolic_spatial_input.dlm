# expect: 3:25: error: symbolic dimension 'H': only the batch dimension may be symbolic so far
model m {
    input  x: f32[N, 3, H, W]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Conv2D(4, 3) -> GlobalAvgPool() -> Dense(3), y)
}
