# softmax and log_softmax over the last axis, a reshape, and a layer applied twice.
model softmaxes {
    input  x: f32[N, 2, 6]
    target t: f32[N, 4]
    shared = Dense(6)
    head = Dense(4)
    h = x -> shared -> tanh -> shared
    f = reshape(h, [N, 12]) -> head
    pred = softmax(f) + log_softmax(f) * 0.25
    loss = mse(pred, t)
}
train { optimizer SGD(lr = 0.1, momentum = 0.9) batch 5 }
