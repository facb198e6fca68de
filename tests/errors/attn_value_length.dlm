# expect: 8:27: error: MultiHeadAttention 'attn': key [N, 7, 16] and value [N, 6, 16] must have the query's batch and one length, query [N, 5, 16]
model m {
    input  x: f32[N, 5, 16]
    input  k: f32[N, 7, 16]
    input  v: f32[N, 6, 16]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(4)
    loss = mse(attn(x, k, v), y)
}
