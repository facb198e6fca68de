# rnn_embed.dlm — parity model for a token model: Embedding with padding_idx = 0 (torch's
# padding row has zero gradient and never moves) over integer ids with a symbolic length T
# (the fixtures have T = 37, batch 5; parity.c compiles with max_len = 37), a 2-layer LSTM,
# logits over the vocabulary at every step, cross_entropy over all N T positions.  Mirrored by
# hand in tests/parity/make_fixtures.py.
model rnn_embed {
    input  ids: i32[N, T]
    target next: i32[N, T] classes 11

    emb  = Embedding(11, 4, padding_idx = 0)
    lstm = LSTM(6, layers = 2)
    head = Dense(11)

    logits = ids -> emb -> lstm -> head      # [N, T, 4] -> [N, T, 6] -> [N, T, 11]
    loss = cross_entropy(logits, next)
}

train {
    optimizer Adam(lr = 1e-3)
    batch 5
}
