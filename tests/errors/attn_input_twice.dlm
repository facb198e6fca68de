# expect: 7:29: error: input 'key' of layer 'attn' given twice
model m {
    input  x: f32[N, 5, 16]
    input  mem: f32[N, 7, 16]
    target y: f32[N, 5, 16]
    attn = MultiHeadAttention(4)
    loss = mse(attn(x, mem, key = mem), y)
}
