# Dropout(0.5) between two dense layers, for tests/cli/dropout.sh (which also derives the same
# model with Dropout(0) and without the dropout from this file).  The NPY data written by
# `torch_check.py dropout` holds 32 samples twice, so val_split 0.5 holds out an exact copy of
# the training half: with lr 0 the train loss (dropout active) and the held-out loss (dropout
# off) are losses of the same samples under the same weights.
model dropout {
    input  x: f32[N, 16]
    target y: i32[N] classes 4

    hidden = Dense(32)
    drop   = Dropout(0.5)
    out    = Dense(4)

    logits = x -> hidden -> relu -> drop -> out
    loss   = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    data      npy("dx.npy", "dy.npy")
    optimizer SGD(lr = 0.1)
    batch 32   epochs 3   seed 4   val_split 0.5
}
