# lenet.dlm — LeNet-5 for 28x28 Fashion-MNIST images: two convolution + max-pool stages and
# three dense layers, ReLU throughout.
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
    data      idx("/usr/share/datasets/fashion-mnist")
    optimizer Adam(lr = 1e-3)
    batch 64   epochs 10   seed 1
}
