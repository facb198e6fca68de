# expect: 5:42: error: leaky_relu has no argument 'slop'; did you mean 'slope'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(8) -> leaky_relu(slop = 0.2) -> Dense(3)
    loss = cross_entropy(logits, y)
}
