# Recurrent layers over one step (T = 1): LSTM -> bidirectional 2-layer GRU -> ReLU RNN (every
# step), and a bidirectional tanh RNN with the final state only.
model rnn_t1 {
    input  x: f32[N, 1, 3]
    target y: f32[N, 1, 2]
    target z: f32[N, 2]
    l = LSTM(3)
    g = GRU(4, layers = 2, bidirectional = true)
    r = RNN(2, nonlinearity = "relu")
    t = RNN(3, layers = 2, bidirectional = true, return_sequences = false)
    zout = Dense(2)
    h = x -> l -> g
    pred = h -> r
    loss = mse(pred, y) + mse(h -> t -> zout, z)
    output pred
}
