# rnn_relu.dlm — parity model for a 2-layer ReLU RNN without biases over T = 37 at batch 1,
# every step through a Dense head, mse.  Mirrored by hand in tests/parity/make_fixtures.py.
model rnn_relu {
    input  x: f32[N, 37, 3]
    target y: f32[N, 37, 2]

    rnn = RNN(6, nonlinearity = "relu", layers = 2, bias = false, bidirectional = false, return_sequences = true)
    out = Dense(2)

    pred = x -> rnn -> out                   # [N, 37, 6] -> [N, 37, 2]
    loss = mse(pred, y)
}

train {
    optimizer SGD(lr = 0.05, momentum = 0.9)
    batch 1
}
