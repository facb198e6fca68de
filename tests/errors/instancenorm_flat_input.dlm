# expect: 6:43: error: InstanceNorm 'norm' expects [N, C, ...spatial], got [N, 8]
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    norm = InstanceNorm()
    loss = cross_entropy(x -> Dense(8) -> norm -> Dense(3), y)
}
