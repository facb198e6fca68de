# expect: 6:16: error: MultiHeadAttention 'attn': heads = 3 must divide the query width E = 16
model m {
    input  x: f32[N, 5, 16]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(3)
    loss = mse(attn(x), y)
}
