# expect: 5:22: error: 'vocab' is the vocabulary size of text data: the train section needs data text(...)
model m {
    input  x: i32[N, 6]
    target y: i32[N, 6] classes 10
    emb  = Embedding(vocab, 3)
    head = Dense(10)
    loss = cross_entropy(x -> emb -> head, y)
}
