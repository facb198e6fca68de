# expect: 8:1: error: syntax error: unexpected 'train'
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)

train {
    batch 8
}
