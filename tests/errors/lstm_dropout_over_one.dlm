# expect: 5:41: error: LSTM dropout must be in [0, 1), got 1.5
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = LSTM(4, layers = 2, dropout = 1.5)
    loss = mse(x -> rnn, y)
}
