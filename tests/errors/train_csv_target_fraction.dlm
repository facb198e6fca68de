# expect: 8:43: error: target_column is a column name ("label") or a whole-number index (-1: the last)
model m {
    input  x: f32[N, 4]
    target y: i32[N] classes 3
    loss = cross_entropy(x -> Dense(3), y)
}
train {
    data csv("train.csv", target_column = 1.5)
}
