# Losses: cross entropy with class weights and label smoothing, nll of log_softmax,
# binary cross entropy (probabilities and logits), abs; l1 and l2 penalties.
model losses {
    input  x: f32[N, 5]
    target y: i32[N] classes 4
    target b: f32[N, 3]
    h = x -> Dense(6) -> tanh
    logits = h -> Dense(4)
    z = h -> Dense(3)
    ce = cross_entropy(logits, y, weight = [1, 2, 0.5, 3], label_smoothing = 0.1)
    n = nll(log_softmax(logits * 0.5), y)
    bce = binary_cross_entropy(sigmoid(z), b) + bce_with_logits(z * 2, b)
    loss = ce + n * 0.5 + bce + mean(abs(z)) * 0.1
    output logits
}
train { optimizer SGD(lr = 0.1)  batch 4  l1 0.001  l2 0.01 }
