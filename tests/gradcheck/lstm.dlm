# gradcheck-args: --max-len 5
# A 2-layer bidirectional LSTM over a symbolic length T (5 here), every step, Dense head.
model lstm {
    input  x: f32[N, T, 3]
    target y: f32[N, T, 2]
    rnn = LSTM(4, layers = 2, bidirectional = true)
    out = Dense(2)
    loss = mse(x -> rnn -> out, y)
}
