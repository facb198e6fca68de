# Initial states in and final states out, under a symbolic T: a stacked tanh RNN started from
# a state made of a second input, an LSTM whose final h and c feed the loss, and a GRU started
# from the LSTM's final state (an encoder handing its state to a decoder).
# At batch 19, two blocks of batch rows (16 and 3) for the recurrences.
# gradcheck-args: --max-len 6 --batch 19
model rnn_state {
    input  x: f32[N, T, 3]
    input  z: f32[N, 4]
    target y: f32[N, T, 2]
    rnn  = RNN(3, layers = 2, return_state = true)
    enc  = LSTM(4, return_state = true)
    dec  = GRU(4, layers = 2)
    init = Dense(6)
    out  = Dense(2)
    seq, h = rnn(x, reshape(z -> init, [N, 2, 3]))
    e, he, ce = enc(x)
    d = x -> dec(concat(he, ce, axis = 1))
    loss = mse(seq -> out, y) + mean(h * h) + mean(d * e) + mean(ce)
    output seq, h
}
