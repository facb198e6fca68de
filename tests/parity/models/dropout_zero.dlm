# dropout_zero.dlm — parity model: Dropout with p = 0 must be the identity in every function,
# training included (the fixtures come from the same network without dropout).  Dropout(0.0)
# after a convolution, a named Dropout(0) applied twice, and Dropout(p = 0.0) before the loss.
# Mirrored by hand in tests/parity/make_fixtures.py.
model dropout_zero {
    input  x: f32[N, 3, 8, 8]
    target y: i32[N] classes 4

    conv = Conv2D(5, 3)                # [N, 5, 6, 6]
    drop = Dropout(0)
    fc   = Dense(12)
    out  = Dense(4)

    h = x -> conv -> Dropout(0.0) -> relu -> AvgPool2D(2) -> flatten -> drop   # [N, 45]
    logits = h -> fc -> drop -> tanh -> out -> Dropout(p = 0.0)
    loss = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.5)
    batch 6
}
