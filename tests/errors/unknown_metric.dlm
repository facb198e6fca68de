# expect: 7:12: error: unknown metric 'acuracy'; did you mean 'accuracy'? (known: accuracy, perplexity, bpc)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    logits = x -> Dense(3)
    loss = cross_entropy(logits, y)
    metric acuracy(logits, y)
}
