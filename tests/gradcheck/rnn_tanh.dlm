# A 2-layer Elman RNN (tanh) over a fixed length, every step through a Dense head.
model rnn_tanh {
    input  x: f32[N, 4, 3]
    target y: f32[N, 4, 2]
    rnn = RNN(5, layers = 2)
    out = Dense(2)
    loss = mse(x -> rnn -> out, y)
}
