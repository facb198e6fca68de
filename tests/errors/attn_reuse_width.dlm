# expect: 9:20: error: MultiHeadAttention 'attn' expects query, key and value widths 16, 16, 16 (as at its first use), got [N, 5, 16], [N, 7, 8], [N, 7, 8]
model m {
    input  x: f32[N, 5, 16]
    input  mem: f32[N, 7, 8]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(4)
    a = attn(x)
    # the same layer (same weights) cannot take keys of another width
    loss = mse(a + attn(x, mem), y)
}
