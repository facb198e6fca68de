# norms.dlm — parity model for the normalization layers at batch 4: BatchNorm on [N, C, H, W]
# (BatchNorm2d) after a bias-free convolution and on [N, C] (BatchNorm1d, momentum 0.2, eps
# 1e-3), whose running statistics and num_batches_tracked are compared after every train step;
# GroupNorm(2); InstanceNorm with and without affine parameters; LayerNorm over the last two
# axes and over the last one (eps 1e-4).  The per-channel normalizations are parallel branches
# added together: after one another, each would all but cancel the previous one's per-channel
# scale and shift, leaving their gradients near float noise.
# In INFER and EVAL BatchNorm uses the running statistics (torch's eval()), in GRAD and TRAIN the
# batch statistics (train()).  SGD with momentum and weight decay, which must leave the running
# statistics alone.  Mirrored by hand in tests/parity/make_fixtures.py.
model norms {
    input  x: f32[N, 3, 5, 4]
    target t: f32[N, 6]

    c      = Conv2D(4, 3, padding = 1, bias = false)   # [N, 4, 5, 4]
    bn     = BatchNorm()
    gn     = GroupNorm(2)
    inorm  = InstanceNorm(affine = true)
    inorm0 = InstanceNorm()                           # no parameters
    ln2    = LayerNorm(dims = 2)                      # over [5, 4]: weight and bias [5, 4]
    fc     = Dense(6)
    bn1    = BatchNorm(momentum = 0.2, eps = 1e-3)    # on [N, 6]
    ln     = LayerNorm(eps = 1e-4)

    h = x -> c -> bn -> tanh
    a = h -> gn -> tanh
    b = h -> inorm -> gelu
    s = h -> inorm0 -> sigmoid
    u = h + a + b * s + (h -> ln2)                    # [N, 4, 5, 4]
    v = u -> flatten -> fc -> tanh -> bn1 -> ln       # [N, 80] -> [N, 6]
    pred = v * 0.5
    loss = mse(pred, t)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9, weight_decay = 0.01)
    batch 4
}
