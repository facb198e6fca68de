# expect: 5:34: error: LSTM has no nonlinearity argument (only RNN does)
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = LSTM(4, nonlinearity = "tanh")
    loss = mse(x -> rnn, y)
}
