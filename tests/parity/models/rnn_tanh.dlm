# rnn_tanh.dlm — parity model for a 2-layer bidirectional Elman RNN (tanh) over T = 37 at
# batch 5, every step's output through a Dense head, mse.  Mirrored by hand in
# tests/parity/make_fixtures.py.
model rnn_tanh {
    input  x: f32[N, 37, 3]
    target y: f32[N, 37, 2]

    rnn = RNN(6, layers = 2, bidirectional = true)
    out = Dense(2)

    pred = x -> rnn -> out                   # [N, 37, 12] -> [N, 37, 2]
    loss = mse(pred, y)
}

train {
    optimizer SGD(lr = 0.1)
    batch 5
}
