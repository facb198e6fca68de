# Attention: causal self-attention with a key-padding mask from token ids, its weights as a
# second output; cross-attention with key and value widths of their own (separate projection
# weights), lengths hiding keys and dropout on its attention weights (the masks are fixed within
# one gradient call); both through the materialized training path.
# gradcheck-args: --max-len 6
model attention {
    input  x: f32[N, T, 8]
    input  ids: i32[N, T]
    input  mem: f32[N, 5, 6]
    input  len: i32[N]
    target y: f32[N, T, 8]
    self_attn = MultiHeadAttention(2, causal = true, pad = 0, return_weights = true)
    cross = MultiHeadAttention(4, dropout = 0.3)
    a, w = self_attn(x, mask = ids)
    h = cross(a, mem, mem * 0.5, lengths = len)
    loss = mse(h, y) + mean(w * w)
    output h
}
