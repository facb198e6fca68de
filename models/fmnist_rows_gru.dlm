# fmnist_rows_gru.dlm — a GRU reading each 28x28 Fashion-MNIST image as a sequence of 28 rows
# of 28 pixels, classifying from its final state.
model fmnist_rows_gru {
    input  image: f32[N, 1, 28, 28]
    target label: i32[N] classes 10

    gru = GRU(128, return_sequences = false)   # [N, 28, 28] -> the last step's state [N, 128]
    out = Dense(10)

    logits = reshape(image, [N, 28, 28]) -> gru -> out
    loss   = cross_entropy(logits, label)
    metric accuracy(logits, label)
}

train {
    data      idx("/usr/share/datasets/fashion-mnist")
    optimizer Adam(lr = 2e-3)
    batch 128   epochs 5   seed 1
}
