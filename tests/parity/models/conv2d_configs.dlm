# conv2d_configs.dlm — parity model for Conv2D and the 2-D pools in their less common
# configurations, on an odd-sized 11x9 input at batch 1: stride 2 with padding 1; padding "same"
# with an even kernel (PyTorch pads 1 before and 2 after: dlc must agree); "same" with a
# dilation and a [h, w] kernel; depthwise (groups = channels) and grouped (groups = 2) without
# bias, with [h, w] kernel, stride, padding and dilation; MaxPool2D(3, stride 2, padding 1)
# after a ReLU; AvgPool2D(2, padding = 1), which counts the padding as PyTorch's
# count_include_pad=True; two branches added; GlobalAvgPool; cross_entropy and SGD with
# momentum.  Mirrored by hand in tests/parity/make_fixtures.py.
model conv2d_configs {
    input  x: f32[N, 4, 11, 9]
    target y: i32[N] classes 5

    down  = Conv2D(8, 3, stride = 2, padding = 1)                     # [N, 8, 6, 5]
    same4 = Conv2D(8, 4, padding = "same")                            # [N, 8, 11, 9]
    dw    = Conv2D(8, 3, dilation = 2, padding = "same", groups = 8)  # depthwise, [N, 8, 6, 5]
    rect  = Conv2D(8, [2, 3], dilation = [1, 2], padding = "same")    # pads (0, 1) x (2, 2)
    grp   = Conv2D(6, [3, 2], stride = [1, 2], padding = [1, 0], dilation = [2, 1], groups = 2,
                   bias = false)                                      # [N, 6, 4, 2]
    head  = Dense(5)

    a = x -> down
    b = x -> same4 -> relu -> MaxPool2D(3, stride = 2, padding = 1)   # [N, 8, 6, 5]
    h = (a + b) -> tanh -> dw -> relu -> rect -> sigmoid              # [N, 8, 6, 5]
    p = h -> grp -> AvgPool2D(2, padding = 1)                         # [N, 6, 3, 2]
    logits = p -> GlobalAvgPool() -> head                             # [N, 5]
    loss = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 1
}
