# expect: 7:1: error: a file holds one model; 'b' is the second
model a {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
model b {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
