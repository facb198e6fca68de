# gradcheck-args: --max-len 6
# Embeddings (no padding_idx: its row deliberately gets no gradient): ids [N, T] over a
# symbolic T (6 here; the ids repeat, so rows accumulate gradients) -> GRU -> logits [N, T, 7]
# with cross_entropy; the same table looked up again on other ids [N] (shared weight).
model embedding {
    input  ids: i32[N, T]
    input  other: i32[N]
    target next: i32[N, T] classes 7
    emb  = Embedding(7, 3)
    gru  = GRU(4)
    head = Dense(7)
    logits = ids -> emb -> gru -> head
    loss = cross_entropy(logits, next) + mean(tanh(other -> emb)) * 0.5
    output logits
}
