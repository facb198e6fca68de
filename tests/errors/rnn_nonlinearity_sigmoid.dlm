# expect: 5:33: error: RNN nonlinearity is "tanh" or "relu", got "sigmoid"
model m {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 4]
    rnn = RNN(4, nonlinearity = "sigmoid")
    loss = mse(x -> rnn, y)
}
