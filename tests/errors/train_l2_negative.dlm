# expect: 7:37: error: l2 must be a penalty weight >= 0
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train { optimizer SGD(lr = 0.1)  l2 -1 }
