# expect: 5:10: error: GroupNorm needs the number of groups, e.g. GroupNorm(4)
model m {
    input  x: f32[N, 4, 5, 5]
    target y: i32[N] classes 3
    gn = GroupNorm()
    loss = cross_entropy(x -> Conv2D(4, 3) -> gn -> flatten -> Dense(3), y)
}
