# rnn_state.dlm — parity model for initial states in and final states out: a 2-layer
# bidirectional LSTM started from h0 and c0 made by Dense layers from a second input (so the
# states' gradients reach them), returning its sequence and its final states, batch first
# ([N, layers * directions, hidden]: torch's h_n permuted).  The loss reads all three.
# Mirrored by hand in tests/parity/make_fixtures.py (RecurrentState).
model rnn_state {
    input  x: f32[N, 9, 3]
    input  z: f32[N, 6]
    target y: f32[N, 9, 10]

    rnn = LSTM(5, layers = 2, bidirectional = true, return_state = true)
    init_h = Dense(20)
    init_c = Dense(20)

    h0 = reshape(z -> init_h, [N, 4, 5])
    c0 = reshape(z -> init_c, [N, 4, 5])
    seq, h, c = rnn(x, h0, c0)
    loss = mse(seq, y) + mean(h * h) + mean(c * 0.5)
    output seq, h, c
}

train {
    optimizer Adam(lr = 1e-3)
    batch 5
}
