# rnn_lstm.dlm — parity model for a 2-layer bidirectional LSTM over a long sequence (T = 37,
# batch 5): torch.nn.LSTM(batch_first=True)'s every-step output (forward then reverse halves),
# a Dense head on every step, mse.  Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_lstm {
    input  x: f32[N, 37, 3]
    target y: f32[N, 37, 2]

    rnn = LSTM(5, layers = 2, bidirectional = true)
    out = Dense(2)

    pred = x -> rnn -> out                   # [N, 37, 10] -> [N, 37, 2]
    loss = mse(pred, y)
}

train {
    optimizer Adam(lr = 1e-3)
    batch 5
}
