# expect: 8:10: error: unknown data source 'parquet' (known: idx, npy, text, csv)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    data parquet("train.parquet")
}
