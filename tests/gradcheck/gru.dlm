# GRUs: 2 layers bidirectional with every step, and 1 layer with the final state only; at
# batch 19, two blocks of batch rows (16 and 3) for the recurrences.
# gradcheck-args: --batch 19
model gru {
    input  x: f32[N, 5, 3]
    target y: f32[N, 5, 2]
    target z: f32[N, 3]
    seq  = GRU(3, layers = 2, bidirectional = true)
    last = GRU(4, return_sequences = false)
    out  = Dense(2)
    zout = Dense(3)
    pred = x -> seq -> out
    loss = mse(pred, y) + mse(x -> last -> zout, z)
    output pred
}
