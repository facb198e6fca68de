# expect: 8:14: error: Conv2D 'c' expects 3 input channels (as at its first use), got 4
model m {
    input  x: f32[N, 3, 8, 8]
    input  z: f32[N, 4, 8, 8]
    target y: i32[N] classes 3
    c = Conv2D(4, 3, padding = 1)
    a = x -> c
    b = z -> c
    loss = cross_entropy(flatten(a + b) -> Dense(3), y)
}
