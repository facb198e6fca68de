# losses_ce.dlm — parity model for cross_entropy with class weights (one of them 0) and label
# smoothing on its own, as torch.nn.functional.cross_entropy(logits, y, weight=w,
# label_smoothing=0.2): the weighted mean divides by the summed weights of the rows' labels.
# Mirrored by hand in tests/parity/make_fixtures.py.
model losses_ce {
    input  x: f32[N, 6]
    target y: i32[N] classes 5

    fc  = Dense(8)
    cls = Dense(5)

    logits = x -> fc -> tanh -> cls
    loss = cross_entropy(logits, y, weight = [1, 2, 0.5, 0, 3], label_smoothing = 0.2)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.5)
    batch 8
}
