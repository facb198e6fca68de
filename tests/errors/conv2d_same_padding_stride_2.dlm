# expect: 5:9: error: Conv2D: padding "same" needs stride 1 (as in PyTorch)
model m {
    input  x: f32[N, 1, 8, 8]
    target y: i32[N] classes 3
    c = Conv2D(4, 3, stride = 2, padding = "same")
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
