# gradcheck-args: --max-len 5
# A bidirectional ReLU RNN over a symbolic length T (5 here), then a 1-layer tanh RNN without
# biases on its output (applied twice: shared weights, gradients summed), every step.
model rnn_relu {
    input  x: f32[N, T, 3]
    target y: f32[N, T, 4]
    a = RNN(4, nonlinearity = "relu", bidirectional = true)
    b = RNN(4, nonlinearity = "tanh", bias = false)
    h = x -> a
    loss = mse((h -> b) + (h -> tanh -> b), y)
}
