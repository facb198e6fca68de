# expect: 9:9: error: repeat: the model would have more than 10000 repeated block instances
block R(c) {
    l = Dense(c)
    forward(x) { return x -> l -> relu }
}

# 1000 of a block that repeats 1000: a million layers, which would take hours to compile
block S(c) {
    r = repeat 1000 R(c)
    forward(x) { return x -> r }
}

model m {
    input  x: f32[N, 4]
    target y: f32[N, 4]
    h = x -> repeat 1000 S(4)
    loss = mse(h, y)
}
