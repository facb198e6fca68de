# penalties.dlm — parity model for the train section's l1 and l2 penalties on their own: the
# loss is mse + l1 sum|w| + l2 sum w^2 over the weights of Dense and Conv layers (a Conv1D and a
# Dense here), not over biases nor the LayerNorm's parameters (LayerNorm over all 21 features,
# not per channel, so that it does not cancel the convolution's bias).  Mirrored by hand in
# tests/parity/make_fixtures.py.
model penalties {
    input  x: f32[N, 2, 7]
    target t: f32[N, 3]

    conv = Conv1D(3, 3, padding = 1)
    ln   = LayerNorm()
    fc   = Dense(3)

    pred = x -> conv -> tanh -> flatten -> ln -> fc     # [N, 3, 7] -> [N, 21] -> [N, 3]
    loss = mse(pred, t)
}

train {
    optimizer SGD(lr = 0.1)
    batch 4   l1 0.01   l2 0.05
}
