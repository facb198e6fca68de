# expect: 5:32: error: Conv2D padding is a number, "same" or "valid", not "full"
model m {
    input  x: f32[N, 1, 8, 8]
    target y: i32[N] classes 3
    c = Conv2D(4, 3, padding = "full")
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
