# expect: 7:28: error: cannot broadcast [N, 10] and [N, 3]
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    a = x -> Dense(10)
    b = x -> Dense(3)
    loss = cross_entropy(a + b, y)
}
