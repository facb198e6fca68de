# seq2seq.dlm — an encoder–decoder Transformer that reads English number words and writes the
# digits: "four hundred and twelve thousand and seven" -> 412007.  Source words and target
# digits are embedded (scaled by sqrt d) with sinusoidal positions; two pre-norm encoder layers
# (self-attention hiding the source padding), two pre-norm decoder layers (causal
# self-attention, cross-attention to the encoder), logits over the 13 target tokens.
# The data come from examples/seq2seq/number_words.py (`make seq2seq-data`); the last 10 % are
# numbers never seen in training.  Greedy decoding: dlc generate --input src.npy (docs/cli.md).
block EncoderLayer(d, heads, ff) {
    self_attn = MultiHeadAttention(heads)
    linear1 = Dense(ff)
    linear2 = Dense(d)
    norm1 = LayerNorm()
    norm2 = LayerNorm()
    forward(x, src) {
        x = x + self_attn(norm1(x), mask = src)
        return x + (x -> norm2 -> linear1 -> relu -> linear2)
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
        return y + (y -> norm3 -> linear1 -> relu -> linear2)
    }
}

model seq2seq {
    input  src: i32[N, 12]                # word ids, 0 = padding (examples/seq2seq/number_words.py)
    input  tgt: i32[N, 7]                 # <bos> (1) then the digits (3 + d), 0-padded
    target next: i32[N, 7] classes 13     # the digits then <eos> (2), 0-padded

    src_emb = Embedding(32, 64, scale = true)
    tgt_emb = Embedding(13, 64, scale = true)
    pe      = PositionalEncoding()
    encoder = repeat 2 EncoderLayer(64, 4, 256)
    decoder = repeat 2 DecoderLayer(64, 4, 256)
    norm    = LayerNorm()
    head    = Dense(13)

    memory = encoder(src -> src_emb -> pe, src)
    logits = decoder(tgt -> tgt_emb -> pe, memory, src) -> norm -> head
    loss = cross_entropy(logits, next)
    metric accuracy(logits, next)
}

train {
    data      npy("data/numbers/src.npy", "data/numbers/tgt.npy", "data/numbers/next.npy")
    optimizer Adam(lr = 1e-3)
    schedule  cosine
    batch 64   epochs 8   seed 1   val_split 0.1
}
