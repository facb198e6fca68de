# char_step.dlm — models/char_lstm.dlm one step at a time, for C programs (examples/chargen.c):
# the same layers under the same names, so its checkpoints load, with the LSTM's initial states
# as inputs and its final states as outputs.  Build it for sequences of one token:
#   dlc build examples/char_step.dlm --max-len 1 --batch 1 --weights char_lstm.safetensors
model char_step {
    input  text: i32[N, T]
    input  h0: f32[N, 2, 256]                 # [batch, layers, hidden]
    input  c0: f32[N, 2, 256]
    target next: i32[N, T] classes vocab

    emb  = Embedding(vocab, 64)
    lstm = LSTM(256, layers = 2, return_state = true)
    head = Dense(vocab)

    seq, h, c = lstm(text -> emb, h0, c0)
    logits = seq -> head                      # [N, T, vocab]
    loss = cross_entropy(logits, next)
    output logits, h, c
}

train {
    data text("/usr/share/games/fortunes", window = 64)   # the vocabulary: the corpus's bytes
    optimizer Adam(lr = 2e-3)
    batch 32
}
