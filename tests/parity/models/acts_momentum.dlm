# acts_momentum.dlm — parity model exercising every activation (sigmoid, tanh, gelu,
# leaky_relu with a slope, softmax, log_softmax, exp, log), + - * / and unary minus with
# broadcasting against scalars and a per-sample [N, 1] column, a Dense without bias applied
# twice (shared weights), an mse loss against a float target, and SGD with momentum and
# weight decay.  Mirrored by hand in tests/parity/make_fixtures.py.
model acts_momentum {
    input  x: f32[N, 12]
    target y: f32[N, 6]

    enc  = Dense(10)
    mix  = Dense(10, bias = false)   # used twice below: one weight [10, 10], two applications
    gate = Dense(1)                  # [N, 1], broadcast across the 10 features
    head = Dense(6)

    h1 = x -> enc                                  # [N, 10]
    a1 = sigmoid(h1)
    a2 = h1 -> mix -> tanh
    a3 = a2 -> mix -> gelu
    a4 = leaky_relu(a3 * 2 - h1, slope = 0.2)
    g  = x -> gate                                 # [N, 1]
    a5 = a4 * sigmoid(g) + a1 / (1.5 + exp(g))     # [N, 10] op [N, 1]
    a6 = log(1 + exp(-a5))                         # softplus(-a5)
    z  = a6 -> head                                # [N, 6]
    pred = softmax(z) - log_softmax(z) / 4
    loss = mse(pred, y)
}

train {
    optimizer SGD(lr = 0.05, momentum = 0.9, weight_decay = 0.01)
    batch 8
}
