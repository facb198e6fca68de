# expect: 7:23: error: layer 'rnn' has no input 'hidden' (its inputs: x, h0, c0)
model m {
    input  x: f32[N, 5, 3]
    input  h: f32[N, 1, 4]
    target y: f32[N, 5, 4]
    rnn = LSTM(4)
    loss = mse(rnn(x, hidden = h), y)
}
