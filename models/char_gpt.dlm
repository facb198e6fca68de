# char_gpt.dlm — a character-level GPT: byte embeddings plus learned positions, two pre-norm
# Transformer decoder blocks (causal self-attention with 4 heads, GELU feed-forward of 4·d),
# a final LayerNorm and logits over the vocabulary at every step; trained on next-byte
# prediction over the fortunes corpus (apt-get install fortunes), the last 10% held out.
# Parameter names match bench/torch_charlm.py's CharGPT, so checkpoints load in torch.
block Block(d, heads) {
    ln1 = LayerNorm()
    attn = MultiHeadAttention(heads, causal = true)
    ln2 = LayerNorm()
    fc1 = Dense(4 * d)
    fc2 = Dense(d)
    forward(x) {
        x = x + attn(x -> ln1)
        return x + (x -> ln2 -> fc1 -> gelu -> fc2)
    }
}

model char_gpt {
    input  text: i32[N, T]
    target next: i32[N, T] classes vocab     # vocab: the distinct bytes of the corpus

    emb    = Embedding(vocab, 128)
    pos    = PositionEmbedding(64)           # T up to 64
    layers = repeat 2 Block(128, 4)          # layers.0.attn.in_proj_weight, ...
    ln     = LayerNorm()
    head   = Dense(vocab)

    logits = text -> emb -> pos -> layers -> ln -> head   # [N, T, vocab]
    loss = cross_entropy(logits, next)
    metric perplexity(logits, next)
    metric bpc(logits, next)
}

train {
    data      text("/usr/share/games/fortunes", window = 64)
    optimizer Adam(lr = 2e-3)
    batch 32   steps 1000   seed 1   val_split 0.1
}
