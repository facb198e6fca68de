# Normalization: BatchNorm (train-mode statistics), LayerNorm over one and two axes, GroupNorm,
# InstanceNorm with and without affine parameters.
model norms {
    input  x: f32[N, 4, 5, 3]
    target t: f32[N, 6]
    c = Conv2D(4, 3, padding = 1)
    bn = BatchNorm()
    gn = GroupNorm(2)
    inorm = InstanceNorm(affine = true)
    ln2 = LayerNorm(dims = 2)
    h = x -> c -> bn -> tanh -> gn -> inorm -> InstanceNorm() -> ln2
    v = h -> flatten -> Dense(6) -> LayerNorm()
    loss = mse(v * 0.5, t)
}
train { optimizer SGD(lr = 0.1) batch 4 }
