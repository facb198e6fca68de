# A linear regression on NPY data written by torch_check.py (the test copies it beside them).
model regression {
    input  x: f32[N, 3]
    target y: f32[N, 1]
    fit = Dense(1)
    loss = mse(x -> fit, y)
}
train {
    data      npy("x.npy", "y.npy")
    optimizer SGD(lr = 0.1)
    batch 32   epochs 20   seed 3   val_split 0.25
}
