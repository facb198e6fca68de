# expect: 8:14: error: LSTM 'rnn' expects 3 features per step (as at its first use), got [N, 5, 4]
model m {
    input  a: f32[N, 5, 3]
    input  b: f32[N, 5, 4]
    target y: f32[N, 5, 4]
    rnn = LSTM(4)
    p = a -> rnn
    q = b -> rnn
    loss = mse(p + q, y)
}
