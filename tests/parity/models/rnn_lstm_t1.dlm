# rnn_lstm_t1.dlm — parity model for a bidirectional LSTM over one step (T = 1, batch 5) with
# return_sequences = false: the head sees cat(h_n[-2], h_n[-1]) of torch.nn.LSTM, which at
# T = 1 are both directions' only step.  Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_lstm_t1 {
    input  x: f32[N, 1, 4]
    target y: i32[N] classes 3

    enc  = LSTM(6, bidirectional = true, return_sequences = false)
    head = Dense(3)

    logits = x -> enc -> head                # [N, 12] -> [N, 3]
    loss = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.5, momentum = 0.9)
    batch 5
}
