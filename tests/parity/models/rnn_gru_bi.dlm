# rnn_gru_bi.dlm — parity model for a 2-layer bidirectional GRU over a symbolic sequence length
# T (the fixtures have T = 37, batch 5; parity.c compiles with max_len = 37), return_sequences =
# false: the head sees torch's cat(h_n[-2], h_n[-1]), the last layer's forward state at t = T-1
# and reverse state at t = 0.  Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_gru_bi {
    input  x: f32[N, T, 3]
    target y: f32[N, 2]

    gru = GRU(4, layers = 2, bidirectional = true, return_sequences = false)
    out = Dense(2)

    pred = x -> gru -> tanh -> out           # [N, 8] -> [N, 2]
    loss = mse(pred, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 5
}
