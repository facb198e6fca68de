# lenet.dlm — parity model: models/lenet.dlm's architecture (two 5x5 convolution + 2x2 max-pool
# stages, the first with padding 2, then 400-120-84-10 dense layers, ReLU throughout,
# cross_entropy, accuracy) trained with Adam, at batch 16.  Mirrored by hand in
# tests/parity/make_fixtures.py.
model lenet {
    input  image: f32[N, 1, 28, 28]
    target label: i32[N] classes 10

    c1 = Conv2D(6, 5, padding = 2)     # -> [N, 6, 28, 28]
    c2 = Conv2D(16, 5)                 # -> [N, 16, 10, 10]
    f1 = Dense(120)
    f2 = Dense(84)
    out = Dense(10)

    features = image -> c1 -> relu -> MaxPool2D(2) -> c2 -> relu -> MaxPool2D(2)
    logits = features -> flatten -> f1 -> relu -> f2 -> relu -> out
    loss = cross_entropy(logits, label)
    metric accuracy(logits, label)
}

train {
    optimizer Adam(lr = 1e-3)
    batch 16
}
