# expect: 6:21: error: Embedding 'emb' looks up integer ids (i32 or i64), got f32[N, 6]
model m {
    input  x: f32[N, 6]
    target y: f32[N, 6, 3]
    emb = Embedding(10, 3)
    loss = mse(x -> emb, y)
}
