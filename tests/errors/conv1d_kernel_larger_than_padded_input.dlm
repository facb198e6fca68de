# expect: 6:31: error: Conv1D 'c': the kernel spans 10 along length (kernel 4, dilation 3), more than the padded input's 7
model m {
    input  x: f32[N, 2, 5]
    target y: i32[N] classes 3
    c = Conv1D(4, 4, padding = 1, dilation = 3)
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
