# LSTMs with return_sequences = false (the final states only): bidirectional 2 layers without
# biases (cat of the last layer's forward state at t = T-1 and reverse state at t = 0), and a
# 1-layer one; a classifier on both.
model lstm_last {
    input  x: f32[N, 6, 3]
    target y: i32[N] classes 3
    bi  = LSTM(3, layers = 2, bidirectional = true, bias = false, return_sequences = false)
    uni = LSTM(4, return_sequences = false)
    head = Dense(3)
    logits = concat(x -> bi, x -> uni, axis = 1) -> head
    loss = cross_entropy(logits, y)
}
