# conv1d_configs.dlm — parity model for Conv1D and the 1-D pools on an odd length (25) at
# batch 4: stride 2 with dilation 2 and padding 3; MaxPool1D(3, stride 2, padding 1); dilation
# 2 with padding "same" and groups 4, applied twice (shared weights); an even kernel with
# "same" (PyTorch pads 0 before, 1 after), groups 2 and no bias; AvgPool1D(2, padding = 1)
# (padding counted, as count_include_pad=True); AvgPool1D(3), whose last window would run past
# the end (dropped, as in PyTorch's floor mode); a kernel-1 convolution with padding "valid";
# a residual add; GlobalAvgPool over [N, C, L] reshaped to [N, 3, 1] and broadcast; mse
# against a float target and SGD with weight decay.  Mirrored by hand in
# tests/parity/make_fixtures.py.
model conv1d_configs {
    input  x: f32[N, 6, 25]
    target t: f32[N, 3, 4]

    c1 = Conv1D(8, 4, stride = 2, padding = 3, dilation = 2)    # [N, 8, 13]
    c2 = Conv1D(8, 3, dilation = 2, padding = "same", groups = 4)
    c3 = Conv1D(6, 2, padding = "same", groups = 2, bias = false)
    c4 = Conv1D(3, 1, padding = "valid")
    side = Dense(3)

    h = x -> c1 -> gelu -> MaxPool1D(3, stride = 2, padding = 1)   # [N, 8, 7]
    r = h + (h -> c2 -> tanh -> c2)                                # c2 twice: [N, 8, 7]
    u = r -> c3                                                    # [N, 6, 7]
    main = u -> AvgPool1D(2, padding = 1) -> c4                    # [N, 3, 4]
    s = u -> AvgPool1D(3) -> GlobalAvgPool() -> side               # [N, 6, 2] -> [N, 6] -> [N, 3]
    pred = main + reshape(s, [N, 3, 1])
    loss = mse(pred, t)
}

train {
    optimizer SGD(lr = 0.05, weight_decay = 0.01)
    batch 4
}
