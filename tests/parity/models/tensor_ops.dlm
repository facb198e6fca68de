# tensor_ops.dlm — parity model for the tensor builtins at batch 3, with two inputs: concat of
# two and of three tensors (along a middle and the last axis), permute on 3-D and 4-D tensors,
# transpose (the last two axes), sum and mean over one axis, over two, and over negative axes,
# reshape, broadcasting against [N, 3, 1] and [N, 1, 1].  Mirrored by hand in
# tests/parity/make_fixtures.py.
model tensor_ops {
    input  x: f32[N, 3, 4]
    input  z: f32[N, 2, 4]
    target t: f32[N, 7]

    fa = Dense(4)
    fz = Dense(4)
    fp = Dense(3)

    a = x -> fa -> tanh                                    # [N, 3, 4]
    b = concat(a, z -> fz, axis = 1)                       # [N, 5, 4]
    p = permute(b, [0, 2, 1]) -> fp                        # [N, 4, 3]
    m = reshape(mean(p, axis = 1), [N, 3, 1])              # [N, 3] -> [N, 3, 1]
    q = transpose(p) * m - reshape(sum(p, axis = [1, 2]), [N, 1, 1]) / 10   # [N, 3, 4]
    r = permute(reshape(q, [N, 3, 2, 2]), [0, 3, 1, 2])    # [N, 2, 3, 2]
    u = concat(mean(q, axis = 2), sum(x, axis = -2), axis = -1)             # [N, 3] ++ [N, 4]
    s = reshape(sum(a, axis = [1, 2]), [N, 1])             # [N, 1]
    w = concat(sum(r, axis = [1, 3]), mean(r, axis = [-1, -3]), s, axis = 1)   # [N, 3 + 3 + 1]
    pred = u + w * 0.5
    loss = mse(pred, t)
}

train {
    optimizer SGD(lr = 0.1)
    batch 3
}
