# Reusable blocks: parameters with defaults, declarations, rebinding in the body, a keyword
# input, `repeat` (parameters named stack.0..., stack.1... as a ModuleList), a block applied twice.
block Mix(width, scale = 0.5) {
    a = Dense(width)
    n = LayerNorm()
    forward(x, gate) {
        h = x -> a -> tanh
        h = h * sigmoid(gate) + x * scale
        return n(h)
    }
}

block Residual(c) {
    conv = Conv2D(c, 3, padding = 1, bias = false)
    bn = BatchNorm()
    forward(x) { return relu(x + (x -> conv -> bn)) }
}

model blocks {
    input  img: f32[N, 2, 5, 4]
    input  v: f32[N, 6]
    target y: i32[N] classes 3
    stack = repeat 2 Residual(2)
    m1 = Mix(6)
    g = img -> stack -> flatten -> Dense(6)
    h = m1(v, gate = g)
    h2 = m1(h, gate = g)
    logits = h2 -> Dense(3)
    loss = cross_entropy(logits, y)
}
train { optimizer SGD(lr = 0.1) batch 4 }
