# expect: 5:14: error: unknown name 'imgae'; did you mean 'image'?
model m {
    input  image: f32[N, 4]
    target y: i32[N] classes 3
    logits = imgae -> Dense(3)
    loss = cross_entropy(logits, y)
}
