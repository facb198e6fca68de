# expect: 6:12: error: nll wants integer class labels as its second argument, got f32[N]
model m {
    input  x: f32[N, 4]
    target t: f32[N]
    logits = x -> Dense(3)
    loss = nll(log_softmax(logits), t)
}
