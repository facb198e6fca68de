# 1-D convolution and pooling over [N, C, L], and the global average pool.
model conv1ds {
    input  x: f32[N, 3, 17]
    target t: f32[N, 5]
    c1 = Conv1D(4, 5, stride = 2, padding = 2)
    c2 = Conv1D(5, 3, dilation = 2, padding = "same")
    h = x -> c1 -> gelu -> MaxPool1D(3, stride = 2) -> c2 -> AvgPool1D(2)
    pred = h -> GlobalAvgPool()
    loss = mse(pred, t)
}
train { optimizer SGD(lr = 0.1) batch 3 }
