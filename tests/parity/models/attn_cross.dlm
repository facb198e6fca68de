# attn_cross.dlm — parity model for cross-attention with key and value widths other than the
# query's (torch's separate q/k/v_proj_weight), keys past each sample's length hidden, and a
# projection after.  Mirrored by hand in tests/parity/make_fixtures.py (CrossAttention).  SGD, as
# in attn_self.dlm: the key bias's gradient is zero up to rounding.
model attn_cross {
    input  q: f32[N, 5, 16]
    input  k: f32[N, 9, 12]
    input  v: f32[N, 9, 10]
    input  len: i32[N]
    target y: f32[N, 5, 3]

    attn = MultiHeadAttention(2)
    head = Dense(3)

    out = attn(q, k, v, lengths = len) -> head
    loss = mse(out, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 4
}
