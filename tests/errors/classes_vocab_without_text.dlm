# expect: 4:33: error: 'vocab' is the vocabulary size of text data: the train section needs data text(...)
model m {
    input  x: i32[N, 6]
    target y: i32[N, 6] classes vocab
    emb  = Embedding(10, 3)
    head = Dense(10)
    loss = cross_entropy(x -> emb -> head, y)
}

train {
    optimizer SGD(lr = 0.1)
    batch 4
}
