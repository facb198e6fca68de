# expect: 5:35: error: LSTM bidirectional must be true or false, got 2
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 8]
    rnn = LSTM(4, bidirectional = 2)
    loss = mse(x -> rnn, y)
}
