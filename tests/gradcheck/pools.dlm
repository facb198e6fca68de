# Max pooling in both forms: windows that tile their input exactly (2x2 stride 2 over the first
# 10 of 11 rows) take the two-pass forward and write dx window by window; the others (2x2 over
# all 11 rows leaving one over, [2, 1] with stride 3 leaving gaps, 3x3 stride 2 overlapping, with
# padding) zero dx and add each window's dy at its max.  Average pooling alongside.
model pools {
    input  x: f32[N, 3, 11, 10]
    target y: i32[N] classes 4
    c = Conv2D(4, 3, padding = 1)
    h = x -> c -> tanh
    a = h -> MaxPool2D(2) -> flatten                                  # [N, 4*5*5]
    b = h -> MaxPool2D([2, 1], stride = 3) -> flatten                 # [N, 4*4*4]
    d = h -> MaxPool2D(3, stride = 2, padding = 1) -> AvgPool2D(2) -> flatten   # [N, 4*3*2]
    e = h[:, :, :10] -> MaxPool2D(2) -> flatten                       # [N, 4*5*5], tiled exactly
    logits = concat(a, b, d, e, axis = 1) -> Dense(4)
    loss = cross_entropy(logits, y)
}
train { optimizer SGD(lr = 0.1) batch 3 }
