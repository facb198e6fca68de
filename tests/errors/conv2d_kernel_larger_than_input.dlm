# expect: 6:31: error: Conv2D 'c': the kernel spans 5 along height (kernel 5, dilation 1), more than the padded input's 4
model m {
    input  x: f32[N, 1, 4, 4]
    target y: i32[N] classes 3
    c = Conv2D(2, 5)
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
