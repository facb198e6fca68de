# losses_bce_logits.dlm — parity model for bce_with_logits on its own, as
# torch.nn.functional.binary_cross_entropy_with_logits, with logits up to |z| ~ 20 (scaled by 6)
# and targets in [0, 1], some exactly 0 or 1.  Mirrored by hand in tests/parity/make_fixtures.py.
model losses_bce_logits {
    input  x: f32[N, 5]
    target b: f32[N, 3]

    fc  = Dense(6)
    bin = Dense(3)

    z = (x -> fc -> tanh -> bin) * 6
    loss = bce_with_logits(z, b)
    output z
}

train {
    optimizer SGD(lr = 0.2)
    batch 8
}
