# Broadcasting arithmetic (+ - * /, unary -), a bias-free Dense, mse against a float target.
model arith {
    input  x: f32[N, 5]
    target t: f32[N, 3]
    p = Dense(3, bias = false)
    q = Dense(3)
    s = Dense(1)
    u = x -> p
    v = x -> q -> sigmoid
    w = (u * v - u / (v + 2)) * 0.5 + (x -> s)
    pred = -w + 1
    loss = mse(pred, t)
}
train { optimizer Adam(lr = 0.01) batch 3 }
