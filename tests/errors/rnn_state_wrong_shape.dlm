# expect: 7:23: error: LSTM 'rnn' takes its initial hidden state h0 as f32[N, 2, 4] ([batch, layers * directions, hidden]), got f32[N, 1, 4]
model m {
    input  x: f32[N, 5, 3]
    input  h0: f32[N, 1, 4]
    target y: f32[N, 5, 4]
    rnn = LSTM(4, layers = 2)
    loss = mse(rnn(x, h0), y)
}
