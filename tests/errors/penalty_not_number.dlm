# expect: 5:37: error: Conv2D l1 penalty must be a number known at compile time
model m {
    input  x: f32[N, 1, 8, 8]
    target y: i32[N] classes 3
    logits = x -> Conv2D(2, 3, l1 = "big") -> flatten -> Dense(3)
    loss = cross_entropy(logits, y)
}
