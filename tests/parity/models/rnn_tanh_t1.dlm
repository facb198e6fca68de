# rnn_tanh_t1.dlm — parity model for a 2-layer bidirectional tanh RNN over one step (T = 1) at
# batch 1, return_sequences = false (torch's cat(h_n[-2], h_n[-1])), a Dense classifier.
# Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_tanh_t1 {
    input  x: f32[N, 1, 5]
    target y: i32[N] classes 4

    rnn  = RNN(3, nonlinearity = "tanh", layers = 2, bidirectional = true, return_sequences = false)
    head = Dense(4)

    logits = x -> rnn -> head                # [N, 6] -> [N, 4]
    loss = cross_entropy(logits, y)
}

train {
    optimizer SGD(lr = 0.1)
    batch 1
}
