# rnn_blocks.dlm — parity model for a recurrence split over threads: batch 37 is three blocks
# of batch rows (16, 16, 5; lower.c's RNN_ROWS), each running the whole time loop, and the
# sizes are large enough for the thread pool to take them (forward and back through time).
# Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_blocks {
    input  x: f32[N, 9, 3]
    target y: f32[N, 9, 2]

    rnn = LSTM(32, bidirectional = true)
    out = Dense(2)

    pred = x -> rnn -> out                   # [N, 9, 64] -> [N, 9, 2]
    loss = mse(pred, y)
}

train {
    optimizer Adam(lr = 1e-3)
    batch 37
}
