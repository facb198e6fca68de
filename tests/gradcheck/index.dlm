# Indexing and slicing: along a symbolic T (last step, last three, first, a window from the
# start) and a fixed axis (ranges with negative ends, an index dropping its axis).
# gradcheck-args: --max-len 6
model index {
    input  x: f32[N, T, 3]
    input  w: f32[N, 6, 4]
    target y: f32[N, 5]
    rnn = GRU(5)
    s = x -> rnn
    a = s[:, -1]
    b = mean(s[:, -3:], axis = 1)
    c = s[:, 0] + s[:, 1:3][:, 1]
    d = sum(w[:, 1:-1, :] , axis = 1)
    loss = mse(a + b + c, y) + mean(d) + mean(w[:, -2, 1:] * s[:, 2, :3])
    output a
}
