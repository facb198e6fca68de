# expect: 6:31: error: Conv2D 'c': groups = 2 must divide the input channels, 3
model m {
    input  x: f32[N, 3, 8, 8]
    target y: i32[N] classes 3
    c = Conv2D(4, 3, groups = 2)
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
