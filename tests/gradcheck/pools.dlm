# Max pooling's backward in both forms: windows that do not overlap (2x2 stride 2, and
# [2, 1] with stride 3 leaving gaps) are written element by element; overlapping ones (3x3
# stride 2 with padding) add into dx window by window.  Average pooling alongside.
model pools {
    input  x: f32[N, 3, 11, 10]
    target y: i32[N] classes 4
    c = Conv2D(4, 3, padding = 1)
    h = x -> c -> tanh
    a = h -> MaxPool2D(2) -> flatten                                  # [N, 4*5*5]
    b = h -> MaxPool2D([2, 1], stride = 3) -> flatten                 # [N, 4*4*4]
    d = h -> MaxPool2D(3, stride = 2, padding = 1) -> AvgPool2D(2) -> flatten   # [N, 4*3*2]
    logits = concat(a, b, d, axis = 1) -> Dense(4)
    loss = cross_entropy(logits, y)
}
train { optimizer SGD(lr = 0.1) batch 3 }
