# char_gru.dlm — models/char_lstm.dlm with GRU cells: byte embeddings, a 2-layer GRU, logits
# over the vocabulary at every step; next-byte prediction on the fortunes corpus (apt-get
# install fortunes), the last 10% of the text held out.  bench/torch_charlm.py --cell gru is
# the same recipe in PyTorch.
model char_gru {
    input  text: i32[N, T]
    target next: i32[N, T] classes vocab     # vocab: the distinct bytes of the corpus

    emb  = Embedding(vocab, 64)
    gru  = GRU(256, layers = 2)
    head = Dense(vocab)

    logits = text -> emb -> gru -> head      # [N, T, vocab]
    loss = cross_entropy(logits, next)
    metric perplexity(logits, next)
    metric bpc(logits, next)
}

train {
    data      text("/usr/share/games/fortunes", window = 64)
    optimizer Adam(lr = 2e-3)
    batch 32   steps 1000   seed 1   val_split 0.1
}
