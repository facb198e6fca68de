# tiny_sgd.dlm — parity model: a tiny classifier with odd sizes (7 -> 5 -> 3) at batch 1,
# cross_entropy and plain SGD, where off-by-one indexing and batch-1 edge cases would show.
model tiny_sgd {
    input  x: f32[N, 7]
    target y: i32[N] classes 3

    hidden = Dense(5)
    out    = Dense(3)

    logits = x -> hidden -> tanh -> out
    loss   = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.1)
    batch 1
}
