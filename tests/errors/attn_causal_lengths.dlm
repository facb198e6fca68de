# expect: 7:16: error: MultiHeadAttention 'attn' is causal, so queries and keys must have one length; got query [N, 5, 16] and key [N, 7, 16]
model m {
    input  x: f32[N, 5, 16]
    input  mem: f32[N, 7, 16]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(4, causal = true)
    loss = mse(attn(x, mem), y)
}
