# penalties_layer.dlm — l1/l2 penalties declared on layers (Keras' kernel_regularizer), on top
# of the train section's: loss = mse + 0.02 sum|conv.weight| + 0.03 sum fc.weight^2 + the
# section's 0.01 sum w^2 over both weights; never on biases or the LayerNorm.  The same network
# as penalties.dlm; mirrored by hand in tests/parity/make_fixtures.py.
model penalties_layer {
    input  x: f32[N, 2, 7]
    target t: f32[N, 3]

    conv = Conv1D(3, 3, padding = 1, l1 = 0.02)
    ln   = LayerNorm()
    fc   = Dense(3, l2 = 0.03)

    pred = x -> conv -> tanh -> flatten -> ln -> fc
    loss = mse(pred, t)
}

train {
    optimizer SGD(lr = 0.1)
    batch 4   l2 0.01
}
