# resnet_mini.dlm — a small residual network for Fashion-MNIST: a stem, two residual blocks at
# 28x28 with 16 channels, a downsampling block to 14x14 with 32 channels, one more residual
# block, global average pooling and a linear classifier.  BatchNorm everywhere.  Adam with a
# cosine learning-rate schedule.
block Residual(c) {
    conv1 = Conv2D(c, 3, padding = 1, bias = false)
    bn1 = BatchNorm()
    conv2 = Conv2D(c, 3, padding = 1, bias = false)
    bn2 = BatchNorm()
    forward(x) {
        h = x -> conv1 -> bn1 -> relu -> conv2 -> bn2
        return relu(h + x)
    }
}

# Halves the resolution and changes the width: the shortcut is a strided 1x1 convolution.
block Down(c) {
    conv1 = Conv2D(c, 3, stride = 2, padding = 1, bias = false)
    bn1 = BatchNorm()
    conv2 = Conv2D(c, 3, padding = 1, bias = false)
    bn2 = BatchNorm()
    proj = Conv2D(c, 1, stride = 2, bias = false)
    bnp = BatchNorm()
    forward(x) {
        h = x -> conv1 -> bn1 -> relu -> conv2 -> bn2
        return relu(h + (x -> proj -> bnp))
    }
}

model resnet_mini {
    input  image: f32[N, 1, 28, 28]
    target label: i32[N] classes 10

    stem = Conv2D(16, 3, padding = 1, bias = false)
    bn = BatchNorm()
    stage1 = repeat 2 Residual(16)
    down = Down(32)
    stage2 = Residual(32)
    head = Dense(10)

    logits = image -> stem -> bn -> relu -> stage1 -> down -> stage2 -> GlobalAvgPool() -> head
    loss = cross_entropy(logits, label)
    metric accuracy(logits, label)
}

train {
    data      idx("/usr/share/datasets/fashion-mnist")
    optimizer Adam(lr = 1e-3)
    schedule  cosine            # the rate falls to 0 over the 10 epochs (steadier final accuracy)
    batch 64   epochs 10   seed 1
}
