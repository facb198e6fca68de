# expect: 5:19: error: 'N' is a dimension, not a function or layer
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> N -> Dense(3)
    loss = cross_entropy(logits, y)
}
