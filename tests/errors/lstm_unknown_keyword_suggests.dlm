# expect: 5:19: error: LSTM has no argument 'bidirectonal'; did you mean 'bidirectional'?
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = LSTM(4, bidirectonal = true)
    loss = mse(x -> rnn, y)
}
