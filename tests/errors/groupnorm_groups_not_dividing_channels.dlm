# expect: 6:47: error: GroupNorm 'gn': groups = 3 must divide the channels, 4
model m {
    input  x: f32[N, 4, 5, 5]
    target y: i32[N] classes 3
    gn = GroupNorm(3)
    loss = cross_entropy(x -> Conv2D(4, 3) -> gn -> flatten -> Dense(3), y)
}
