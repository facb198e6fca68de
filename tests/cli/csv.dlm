# csv.dlm — Fashion-MNIST as a CSV table (Kaggle's fashion-mnist_train.csv layout: a label column,
# then 784 pixel columns of bytes), for tests/cli/run.sh; the table is written next to this file.
model fmnist_csv {
    input  pixels: f32[N, 784]
    target label: i32[N] classes 10

    fc1 = Dense(128)
    out = Dense(10)

    logits = pixels / 255 -> fc1 -> relu -> out
    loss = cross_entropy(logits, label)
    metric accuracy(logits, label)
}

train {
    data      csv("fmnist.csv", target_column = "label")
    optimizer Adam(lr = 1e-3)
    batch 64   epochs 3   seed 1   val_split 0.2
}
