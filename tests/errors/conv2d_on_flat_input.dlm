# expect: 6:31: error: Conv2D 'c' expects [N, C, H, W], got [N, 784]
model m {
    input  x: f32[N, 784]
    target y: i32[N] classes 10
    c = Conv2D(6, 5)
    loss = cross_entropy(x -> c -> flatten -> Dense(10), y)
}
