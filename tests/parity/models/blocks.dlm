# blocks.dlm — parity model for blocks at batch 4: a residual block with a bias-free convolution
# and BatchNorm used through `repeat 2` (parameters stack.0.conv.weight, stack.1.bn.running_mean,
# ..., as a torch nn.ModuleList), and a block with two inputs, a parameter given by keyword
# (scale), rebinding in its body and a LayerNorm, applied twice (shared parameters) with its
# second input given by keyword.  BatchNorm: running statistics in INFER and EVAL, batch
# statistics in GRAD and TRAIN.  Mirrored by hand in tests/parity/make_fixtures.py.
block Residual(c) {
    conv = Conv2D(c, 3, padding = 1, bias = false)
    bn = BatchNorm()
    forward(x) { return relu(x + (x -> conv -> bn)) }
}

block Mix(width, scale = 0.5) {
    a = Dense(width)
    n = LayerNorm()
    forward(x, gate) {
        h = x -> a -> tanh
        h = h * sigmoid(gate) + x * scale
        return n(h)
    }
}

model blocks {
    input  img: f32[N, 2, 5, 4]
    input  v: f32[N, 6]
    target y: i32[N] classes 3

    stack = repeat 2 Residual(2)
    m1 = Mix(6, scale = 0.25)
    proj = Dense(6)
    head = Dense(3)

    g = img -> stack -> flatten -> proj           # [N, 40] -> [N, 6]
    h = m1(v, gate = g)
    h2 = m1(h, gate = g)                          # m1 again: shared parameters
    logits = h2 -> head
    loss = cross_entropy(logits, y)
    metric accuracy(logits, y)
}

train {
    optimizer SGD(lr = 0.1, momentum = 0.9)
    batch 4
}
