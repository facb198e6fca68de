# Class labels from NPY; the data holds a label outside [0, 3).
model labels {
    input  x: f32[N, 3]
    target y: i32[N] classes 3
    fc = Dense(3)
    loss = cross_entropy(x -> fc, y)
}
train {
    data      npy("x.npy", "bad_labels.npy")
    batch 32
}
