# attn_mask.dlm — parity model for masked self-attention at a long T (150 in the fixture: three
# key tiles, so inference streams over tiles): causal, and keys whose token id is the padding id
# 0 hidden too (torch's key_padding_mask = ids == 0), with dropout declared but 0.  Mirrored by
# hand in tests/parity/make_fixtures.py (MaskedAttention).
model attn_mask {
    input  x: f32[N, T, 12]
    input  ids: i32[N, T]
    target y: f32[N, T, 12]

    attn = MultiHeadAttention(3, causal = true, pad = 0)

    out = attn(x, mask = ids)
    loss = mse(out, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 2
}
