# rnn_gru.dlm — parity model for a 1-layer GRU over one step (T = 1) at batch 1 with
# return_sequences = false (torch's h_n[-1]), then a Dense classifier: batch-1 and T = 1 edge
# cases of the recurrence.  Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_gru {
    input  x: f32[N, 1, 4]
    target y: i32[N] classes 3

    gru  = GRU(6, return_sequences = false)
    head = Dense(3)

    logits = x -> gru -> head                # [N, 6] -> [N, 3]
    loss = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.1)
    batch 1
}
