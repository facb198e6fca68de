# expect: 6:21: error: LSTM 'rnn' expects a float sequence [N, T, features], got i32[N, 5, 3] (token ids? look them up with an Embedding first)
model m {
    input  x: i32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = LSTM(4)
    loss = mse(x -> rnn, y)
}
