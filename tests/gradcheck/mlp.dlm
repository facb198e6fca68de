# mlp.dlm — a multilayer perceptron for Fashion-MNIST (28x28 grey images, 10 classes).
model mlp {
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
    data      idx("/usr/share/datasets/fashion-mnist")
    optimizer Adam(lr = 1e-3)
    batch 64   epochs 2   seed 1
}
