# losses.dlm — parity model summing every loss at batch 8: cross_entropy with class weights and
# label smoothing, nll of a log_softmax, binary_cross_entropy of a sigmoid, bce_with_logits,
# the mean of abs, and the train section's l1 and l2 penalties on the Dense weights (not the
# biases).  Two targets: class labels and probabilities in [0, 1].  The output is `logits`.
# The losses_*.dlm models check each loss on its own.  Mirrored by hand in
# tests/parity/make_fixtures.py.
model losses {
    input  x: f32[N, 5]
    target y: i32[N] classes 4
    target b: f32[N, 3]

    fc  = Dense(6)
    cls = Dense(4)
    bin = Dense(3)

    h = x -> fc -> tanh
    logits = h -> cls
    z = h -> bin
    ce = cross_entropy(logits, y, weight = [1, 2, 0.5, 3], label_smoothing = 0.1)
    n = nll(log_softmax(logits * 0.5), y)
    bce = binary_cross_entropy(sigmoid(z), b) + bce_with_logits(z * 2, b)
    loss = ce + n * 0.5 + bce + mean(abs(z)) * 0.1
    metric accuracy(logits, y)
    output logits
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 8   l1 0.001   l2 0.01
}
