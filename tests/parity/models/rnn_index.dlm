# rnn_index.dlm — parity model for indexing along a symbolic time axis (T = 9 in the fixtures):
# the last step, a mean over the last three, the first step, a window from the start and one
# counted from the end, joined and classified.  Mirrored by hand in
# tests/parity/make_fixtures.py (Indexing).
model rnn_index {
    input  x: f32[N, T, 3]
    target y: i32[N] classes 3

    gru  = GRU(5)
    head = Dense(3)

    s = x -> gru                                                   # [N, T, 5]
    feats = concat(s[:, -1], mean(s[:, -3:], axis = 1), s[:, 0],
                   flatten(s[:, 2:4]), flatten(s[:, -4:-2]), axis = 1)   # [N, 35]
    logits = feats -> head
    loss = cross_entropy(logits, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 4
}
