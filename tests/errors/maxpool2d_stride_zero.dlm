# expect: 5:31: error: MaxPool2D stride must be an integer in [1, 1048576], got 0
model m {
    input  x: f32[N, 1, 8, 8]
    target y: i32[N] classes 3
    p = MaxPool2D(2, stride = 0)
    loss = cross_entropy(x -> Conv2D(2, 3) -> p -> flatten -> Dense(3), y)
}
