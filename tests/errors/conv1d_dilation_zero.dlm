# expect: 5:33: error: Conv1D dilation must be an integer in [1, 1048576], got 0
model m {
    input  x: f32[N, 2, 16]
    target y: i32[N] classes 3
    c = Conv1D(4, 3, dilation = 0)
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
