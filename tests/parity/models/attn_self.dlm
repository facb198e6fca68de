# attn_self.dlm — parity model for self-attention: 4 heads over E = 16, no mask, at a symbolic
# T (7 in the fixture), returning the head-averaged weights too (so training and inference both
# take the materialized path).  The loss reads both outputs.  Mirrored by hand in
# tests/parity/make_fixtures.py (SelfAttention).  SGD, not Adam: the key bias's gradient is zero
# up to rounding (a shift of every score of a row), and Adam would scale that noise up.
model attn_self {
    input  x: f32[N, T, 16]
    target y: f32[N, T, 16]

    attn = MultiHeadAttention(4, return_weights = true)

    out, w = attn(x)
    loss = mse(out, y) + mean(w * w)
    output out, w
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 3
}
