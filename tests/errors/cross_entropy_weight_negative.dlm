# expect: 6:51: error: a class weight is a number >= 0
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y, weight = [1, -2, 3])
}
