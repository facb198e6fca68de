# expect: 5:42: error: Embedding padding_idx must be an integer in [0, 9], got 10
model m {
    input  x: i32[N, 6]
    target y: f32[N, 6, 3]
    emb = Embedding(10, 3, padding_idx = 10)
    loss = mse(x -> emb, y)
}
