# Inverted dropout's scaling, for tests/cli/dropout.sh: with x = 1 and y = 0 the loss is
# mean(dropout(x)^2), in training (kept fraction) / (1 - p)^2, about 1 / (1 - p) = 4/3 for
# p = 0.25 (no scaling would give 0.75; p taken as the keep probability 4 or 0.44), and exactly
# 1 when evaluating.  `fit` only gives the model a parameter; its term is multiplied by 0.
model dropout_scale {
    input  x: f32[N, 64]
    target y: f32[N, 64]

    fit = Dense(64, bias = false)

    pred = (x -> Dropout(0.25)) + 0 * (x -> fit)
    loss = mse(pred, y)
}

train {
    data      npy("ones.npy", "zeros.npy")
    optimizer SGD(lr = 0)
    batch 32   epochs 1   val_split 0.5
}
