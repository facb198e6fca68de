# A model whose loss is NaN from the first step (log of a negative number).
model diverges {
    input  x: f32[N, 3]
    target y: f32[N, 1]
    fit = Dense(1)
    loss = mse(log(fit(x) * 0 - 1), y)
}
train {
    data      npy("x.npy", "y.npy")
    optimizer SGD(lr = 0.1)
    batch 32   epochs 1
}
