# expect: 5:28: error: GRU dropout acts between stacked layers and does nothing with layers = 1; apply Dropout(0.2) to the output instead
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = GRU(4, dropout = 0.2)
    loss = mse(x -> rnn, y)
}
