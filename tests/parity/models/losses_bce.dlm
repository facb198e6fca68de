# losses_bce.dlm — parity model for binary_cross_entropy of a sigmoid on its own, against
# probabilities in [0, 1] (some exactly 0 or 1).  Mirrored by hand in
# tests/parity/make_fixtures.py.
model losses_bce {
    input  x: f32[N, 5]
    target b: f32[N, 3]

    fc  = Dense(6)
    bin = Dense(3)

    p = x -> fc -> tanh -> bin -> sigmoid
    loss = binary_cross_entropy(p, b)
    output p
}

train {
    optimizer SGD(lr = 0.5)
    batch 8
}
