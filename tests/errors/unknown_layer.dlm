# expect: 5:10: error: unknown layer 'Dnse'; did you mean 'Dense'?
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    fc = Dnse(3)
    loss = cross_entropy(x -> fc, y)
}
