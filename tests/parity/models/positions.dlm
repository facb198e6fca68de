# positions.dlm — parity model for position information at a symbolic T (11 in the fixture):
# token embeddings scaled by sqrt(dim), the sinusoidal encoding, learned positions (an
# nn.Embedding of 0..T-1 with 16 rows), then a Dense.  Mirrored by hand in
# tests/parity/make_fixtures.py (Positions).
model positions {
    input  ids: i32[N, T]
    target y: f32[N, T, 3]

    emb  = Embedding(9, 10, scale = true)
    sin  = PositionalEncoding()
    pos  = PositionEmbedding(16)
    head = Dense(3)

    out = ids -> emb -> sin -> pos -> head
    loss = mse(out, y)
}

train {
    optimizer Adam(lr = 1e-3)
    batch 3
}
