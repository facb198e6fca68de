# gradcheck-args: --max-len 4
# A 2-layer bidirectional GRU without biases over a symbolic T (4 here), final states only.
model gru_last_bi {
    input  x: f32[N, T, 3]
    target z: f32[N, 2]
    gru = GRU(3, layers = 2, bidirectional = true, bias = false, return_sequences = false)
    out = Dense(2)
    loss = mse(x -> gru -> out, z)
}
