# expect: 5:9: error: AvgPool1D: padding 2 is more than half the kernel 3 (as PyTorch requires)
model m {
    input  x: f32[N, 2, 16]
    target y: i32[N] classes 3
    p = AvgPool1D(3, padding = 2)
    loss = cross_entropy(x -> p -> flatten -> Dense(3), y)
}
