# expect: 6:21: error: LSTM 'rnn' expects a float sequence [N, T, features], got f32[N, 8]
model m {
    input  x: f32[N, 8]
    target y: f32[N, 4]
    rnn = LSTM(4)
    loss = mse(x -> rnn, y)
}
