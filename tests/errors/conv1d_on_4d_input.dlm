# expect: 6:31: error: Conv1D 'c' expects [N, C, L], got [N, 2, 8, 8]
model m {
    input  x: f32[N, 2, 8, 8]
    target y: i32[N] classes 3
    c = Conv1D(4, 3)
    loss = cross_entropy(x -> c -> flatten -> Dense(3), y)
}
