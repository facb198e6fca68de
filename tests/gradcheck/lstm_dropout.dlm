# A 3-layer bidirectional LSTM with dropout between its layers (torch's dropout argument): the
# masks are fixed within one gradient call, so the differences see the same ones.
model lstm_dropout {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 2]
    rnn = LSTM(4, layers = 3, bidirectional = true, dropout = 0.3)
    out = Dense(2)
    loss = mse(x -> rnn -> out, y)
}
