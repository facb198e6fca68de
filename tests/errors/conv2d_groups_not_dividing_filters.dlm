# expect: 5:9: error: Conv2D: groups = 4 must divide filters = 6
model m {
    input  x: f32[N, 4, 8, 8]
    target y: i32[N] classes 3
    c = Conv2D(6, 3, groups = 4)
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
