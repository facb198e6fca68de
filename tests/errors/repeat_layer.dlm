# expect: 5:22: error: repeat needs a block, and 'Dense' is not one
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    stack = repeat 3 Dense(4)
    loss = cross_entropy(x -> stack -> Dense(3), y)
}
