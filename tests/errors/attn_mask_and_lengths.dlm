# expect: 8:46: error: MultiHeadAttention 'attn' takes a mask or lengths, not both
model m {
    input  x: f32[N, 5, 16]
    input  ids: i32[N, 5]
    input  len: i32[N]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(4)
    loss = mse(attn(x, mask = ids, lengths = len), y)
}
