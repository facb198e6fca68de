# mlp_adam.dlm — parity model: models/mlp.dlm's architecture (784-256-128-10 on flattened
# [N, 1, 28, 28] images, ReLU, cross_entropy, accuracy) trained with Adam.  The fixtures
# (tests/parity/make_fixtures.py) check its output, gradients and three Adam steps against
# PyTorch for identical weights.
model mlp_adam {
    input  image: f32[N, 1, 28, 28]
    target label: i32[N] classes 10

    fc1 = Dense(256)
    fc2 = Dense(128)
    out = Dense(10)

    logits = image -> flatten -> fc1 -> relu -> fc2 -> relu -> out
    loss   = cross_entropy(logits, label)
    metric accuracy(logits, label)
}

train {
    optimizer Adam(lr = 1e-3)
    batch 64
}
