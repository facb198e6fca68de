# rnn_state_gru.dlm — one GRU step (T = 1, batch 1) from an initial state made from a second
# input, giving the step's output and the final state: what a C program stepping a model
# through time calls.  Mirrored by hand in tests/parity/make_fixtures.py (RecurrentState).
model rnn_state_gru {
    input  x: f32[N, 1, 4]
    input  z: f32[N, 3]
    target y: f32[N, 1, 6]

    rnn = GRU(6, return_state = true)
    init_h = Dense(6)

    seq, h = x -> rnn(reshape(z -> init_h, [N, 1, 6]))
    loss = mse(seq, y) + mean(h * h)
    output seq, h
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 1
}
