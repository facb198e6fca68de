# Convolutions (stride, padding, "same", dilation, groups, no bias), pooling and dropout.
model convs {
    input  x: f32[N, 4, 9, 8]
    target y: i32[N] classes 3
    c1 = Conv2D(6, 3, padding = 1)
    c2 = Conv2D(6, [3, 2], stride = [2, 1], dilation = [1, 2], groups = 2, bias = false)
    c3 = Conv2D(4, 2, padding = "same")
    h = x -> c1 -> tanh -> c2 -> sigmoid
    p = h -> MaxPool2D(2, stride = 1, padding = 1) -> c3 -> AvgPool2D([2, 3], padding = 1)
    logits = p -> Dropout(0.3) -> flatten -> Dense(3)
    loss = cross_entropy(logits, y)
}
train { optimizer SGD(lr = 0.1) batch 3 }
