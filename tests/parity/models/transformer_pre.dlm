# transformer_pre.dlm — parity model for torch's nn.TransformerEncoderLayer and
# nn.TransformerDecoderLayer with norm_first = true (pre-norm) and GELU, written as blocks with
# torch's submodule names: 2 encoder layers over source ids (padding id 0 hidden from every
# attention that reads the source), 2 decoder layers with causal self-attention and
# cross-attention to the encoder's output, a Linear head.  `repeat` names them enc.0, enc.1, ...
# as the twin's nn.ModuleList.  Dropout 0; SGD, as attn_self.dlm.  Mirrored in
# tests/parity/make_fixtures.py (Seq2Seq).
block EncoderLayer(d, heads, ff) {
    self_attn = MultiHeadAttention(heads)
    linear1 = Dense(ff)
    linear2 = Dense(d)
    norm1 = LayerNorm()
    norm2 = LayerNorm()
    forward(x, src) {
        x = x + self_attn(norm1(x), mask = src)
        return x + (x -> norm2 -> linear1 -> gelu -> linear2)
    }
}

block DecoderLayer(d, heads, ff) {
    self_attn = MultiHeadAttention(heads, causal = true)
    multihead_attn = MultiHeadAttention(heads)
    linear1 = Dense(ff)
    linear2 = Dense(d)
    norm1 = LayerNorm()
    norm2 = LayerNorm()
    norm3 = LayerNorm()
    forward(y, memory, src) {
        y = y + self_attn(norm1(y))
        y = y + multihead_attn(norm2(y), memory, mask = src)
        return y + (y -> norm3 -> linear1 -> gelu -> linear2)
    }
}

model transformer_pre {
    input  src: i32[N, S]
    input  tgt: i32[N, T]
    target next: i32[N, T] classes 6

    src_emb = Embedding(6, 16)
    tgt_emb = Embedding(6, 16)
    enc = repeat 2 EncoderLayer(16, 4, 32)
    dec = repeat 2 DecoderLayer(16, 4, 32)
    head = Dense(6)

    memory = enc(src -> src_emb, src)
    logits = dec(tgt -> tgt_emb, memory, src) -> head
    loss = cross_entropy(logits, next)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 3
}
