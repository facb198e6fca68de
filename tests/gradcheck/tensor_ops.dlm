# Tensor ops: concat, permute, transpose, sum and mean over axes, broadcasting.
model tensor_ops {
    input  x: f32[N, 3, 4]
    input  z: f32[N, 2, 4]
    target t: f32[N, 7]
    a = x -> Dense(4) -> tanh
    b = concat(a, z -> Dense(4), axis = 1)                 # [N, 5, 4]
    p = permute(b, [0, 2, 1]) -> Dense(3)                  # [N, 4, 3]
    m = reshape(mean(p, axis = 1), [N, 3, 1])             # [N, 3] -> [N, 3, 1]
    q = transpose(p) * m - reshape(sum(p, axis = [1, 2]), [N, 1, 1]) / 10   # [N, 3, 4]
    loss = mse(concat(mean(q, axis = 2), sum(x, axis = 1), axis = 1), t)
}
train { optimizer SGD(lr = 0.1) batch 3 }
