# expect: 6:43: error: GlobalAvgPool 'gap' expects [N, C, ...spatial], got [N, 8]
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    gap = GlobalAvgPool()
    loss = cross_entropy(x -> Dense(8) -> gap -> Dense(3), y)
}
