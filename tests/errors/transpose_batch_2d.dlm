# expect: 5:9: error: transpose swaps the last two axes and would move the batch axis of [N, 4]
model m {
    input  x: f32[N, 4]
    target t: f32[N, 4]
    h = transpose(x)
    loss = mse(h -> Dense(4), t)
}
