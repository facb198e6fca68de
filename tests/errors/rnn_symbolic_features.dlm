# expect: 6:21: error: RNN 'rnn' needs a fixed feature size, got [N, 5, F]
model m {
    input  x: f32[N, 5, F]
    target y: f32[N, 5, 4]
    rnn = RNN(4)
    loss = mse(x -> rnn, y)
}
