# expect: 7:36: error: MaxPool2D 'p': the kernel spans 3 along height (kernel 3, dilation 1), more than the padded input's 2
model m {
    input  x: f32[N, 1, 4, 4]
    target y: i32[N] classes 3
    c = Conv2D(2, 3)
    p = MaxPool2D(3)
    loss = cross_entropy(x -> c -> p -> flatten -> Dense(3), y)
}
