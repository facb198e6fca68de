# Every activation, gradient-checked in f64: sigmoid, tanh, gelu, leaky_relu, relu, exp, log.
model activations {
    input  x: f32[N, 6]
    target y: i32[N] classes 4
    a = Dense(8)   b = Dense(8)   c = Dense(8)   d = Dense(4)
    h1 = x -> a -> sigmoid
    h2 = x -> b -> tanh
    h3 = x -> c -> gelu
    h  = h1 * h2 + h3 -> leaky_relu(0.1)
    e  = log(exp(h) + 1) - relu(h)
    logits = e -> d
    loss = cross_entropy(logits, y)
}
train { optimizer SGD(lr = 0.1) batch 4 }
