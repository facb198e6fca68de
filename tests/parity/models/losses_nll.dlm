# losses_nll.dlm — parity model for nll of a log_softmax on its own, on [N, T, C] logits with
# [N, T] labels (the mean over all N T rows; torch.nn.functional.nll_loss takes the classes on
# axis 1, so the torch side transposes).  Mirrored by hand in tests/parity/make_fixtures.py.
model losses_nll {
    input  x: f32[N, 3, 6]
    target y: i32[N, 3] classes 4

    fc  = Dense(7)
    cls = Dense(4)

    scores = x -> fc -> gelu -> cls           # [N, 3, 4]
    loss = nll(log_softmax(scores), y)
    output scores
}

train {
    optimizer SGD(lr = 0.5)
    batch 5
}
