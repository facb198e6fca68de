# expect: 8:31: error: MultiHeadAttention 'attn' takes mask as integer [N, 5] (each key's token id; ids equal to pad are hidden), got i32[N, 6]
model m {
    input  x: f32[N, 5, 16]
    input  ids: i32[N, 6]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(4)
    # the ids of another sequence
    loss = mse(attn(x, mask = ids), y)
}
