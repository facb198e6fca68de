/* ops.h — the op table of dlc's graph IR, one row per op (an X-macro, after QBE's ops.h).
 *
 * Each row names the op, its arity (-1: variable), its flags, and the functions that give it
 * meaning in each pipeline stage: the shape rule (shape.c), the gradient rule (grad.c), and
 * the lowering to kernel IR (lower.c).  Elementwise ops lower through one shared loop nest and
 * contribute only a scalar expression (`scalar`, also in lower.c).  The comment on each row is
 * the op's semantics.  Adding an op: one row here plus its functions.
 *
 * Flags: L leaf (no inputs evaluated), E elementwise (scalar column used), V view (aliases its
 * input 0's buffer), X effect (writes outside its own value; a root that DCE keeps). */

/*  NAME              text              arity flags     shape            grad            lower             scalar */
#define DLC_OPS(OP) \
    /* ---- leaves ---------------------------------------------------------------------- */ \
    OP(INPUT,          "input",            0, OPF_L,  NULL,            NULL,           NULL,             NULL)          /* model input or target, from io[k] */ \
    OP(PARAM,          "param",            0, OPF_L,  NULL,            NULL,           NULL,             NULL)          /* trainable parameter, in the P block */ \
    OP(STATE,          "state",            0, OPF_L,  NULL,            NULL,           NULL,             NULL)          /* optimizer state (moments), iattr0 bytes into the S block */ \
    OP(CONST,          "const",            0, OPF_E,  NULL,            NULL,           NULL,             scalar_const)  /* fill with fattr[0] */ \
    /* ---- elementwise, broadcasting numpy-style -------------------------------------- */ \
    OP(ADD,            "add",              2, OPF_E,  shape_broadcast, grad_add,       NULL,             scalar_add)    /* a + b */ \
    OP(SUB,            "sub",              2, OPF_E,  shape_broadcast, grad_sub,       NULL,             scalar_sub)    /* a - b */ \
    OP(MUL,            "mul",              2, OPF_E,  shape_broadcast, grad_mul,       NULL,             scalar_mul)    /* a * b */ \
    OP(DIV,            "div",              2, OPF_E,  shape_broadcast, grad_div,       NULL,             scalar_div)    /* a / b */ \
    OP(NEG,            "neg",              1, OPF_E,  shape_same,      grad_neg,       NULL,             scalar_neg)    /* -x */ \
    OP(EXP,            "exp",              1, OPF_E,  shape_same,      grad_exp,       NULL,             scalar_exp)    /* e^x */ \
    OP(LOG,            "log",              1, OPF_E,  shape_same,      grad_log,       NULL,             scalar_log)    /* ln x */ \
    OP(RELU,           "relu",             1, OPF_E,  shape_same,      grad_relu,      NULL,             scalar_relu)   /* max(x, 0) */ \
    OP(LEAKY_RELU,     "leaky_relu",       1, OPF_E,  shape_same,      grad_leaky,     NULL,             scalar_leaky)  /* x > 0 ? x : fattr[0]*x */ \
    OP(SIGMOID,        "sigmoid",          1, OPF_E,  shape_same,      grad_sigmoid,   NULL,             scalar_sigmoid)/* 1 / (1 + e^-x) */ \
    OP(TANH,           "tanh",             1, OPF_E,  shape_same,      grad_tanh,      NULL,             scalar_tanh)   /* tanh x */ \
    OP(ABS,            "abs",              1, OPF_E,  shape_same,      grad_abs,       NULL,             scalar_abs)    /* |x| */ \
    OP(SIGN,           "sign",             1, OPF_E,  shape_same,      grad_zero,      NULL,             scalar_sign)   /* -1, 0 or 1 (gradient 0) */ \
    OP(CLAMP_MIN,      "clamp_min",        1, OPF_E,  shape_same,      grad_clamp_min, NULL,             scalar_clamp_min) /* x > fattr0 ? x : fattr0 */ \
    OP(CLAMP_MIN_GRAD, "clamp_min_grad",   2, OPF_E,  shape_same,      NULL,           NULL,             scalar_clamp_min_grad) /* (dy, x): x > fattr0 ? dy : 0 */ \
    OP(SQRT,           "sqrt",             1, OPF_E,  shape_same,      grad_sqrt,      NULL,             scalar_sqrt)   /* sqrt x */ \
    OP(GELU,           "gelu",             1, OPF_E,  shape_same,      grad_gelu,      NULL,             scalar_gelu)   /* x * Phi(x), exact erf form */ \
    /* ---- elementwise gradients (same shapes) ----------------------------------------- */ \
    OP(RELU_GRAD,      "relu_grad",        2, OPF_E,  shape_same,      NULL,           NULL,             scalar_relu_grad)    /* (dy, y = relu x): y > 0 ? dy : 0 */ \
    OP(LEAKY_GRAD,     "leaky_relu_grad",  2, OPF_E,  shape_same,      NULL,           NULL,             scalar_leaky_grad)   /* (dy, x): x > 0 ? dy : fattr[0]*dy */ \
    OP(SIGMOID_GRAD,   "sigmoid_grad",     2, OPF_E,  shape_same,      NULL,           NULL,             scalar_sigmoid_grad) /* (dy, y): dy * y * (1 - y) */ \
    OP(TANH_GRAD,      "tanh_grad",        2, OPF_E,  shape_same,      NULL,           NULL,             scalar_tanh_grad)    /* (dy, y): dy * (1 - y^2) */ \
    OP(GELU_GRAD,      "gelu_grad",        2, OPF_E,  shape_same,      NULL,           NULL,             scalar_gelu_grad)    /* (dy, x): dy * (Phi(x) + x phi(x)) */ \
    /* ---- structure ------------------------------------------------------------------- */ \
    OP(RESHAPE,        "reshape",          1, OPF_V,  NULL,            grad_reshape,   NULL,             NULL)          /* same elements, node's shape */ \
    OP(BROADCAST,      "broadcast",        1, OPF_E,  NULL,            grad_broadcast, NULL,             scalar_identity) /* x repeated numpy-style to node's shape */ \
    OP(COPY,           "copy",             1, 0,      shape_same,      grad_copy,      lower_copy,       NULL)          /* x, in a buffer of its own */ \
    OP(TRANSPOSE,      "transpose",        1, 0,      shape_transpose, grad_transpose, lower_transpose,  NULL)          /* swap the last two axes */ \
    OP(PERMUTE,        "permute",          1, 0,      NULL,            grad_permute,   lower_permute,    NULL)          /* out axis i = x axis iattr[i] */ \
    OP(CONCAT,         "concat",           2, 0,      NULL,            grad_concat,    lower_concat,     NULL)          /* (a, b) joined along axis iattr0 */ \
    OP(SLICE,          "slice",            1, 0,      NULL,            grad_slice,     lower_slice,      NULL)          /* x[..., s : s + len, ...] along axis iattr0; s = iattr1, or dim - iattr1 when iattr2 */ \
    OP(UNSLICE,        "unslice",          1, 0,      NULL,            grad_unslice,   lower_unslice,    NULL)          /* zeros of node's shape with x at s along axis iattr0 (s as in slice) */ \
    OP(SUM_TO,         "sum_to",           1, 0,      NULL,            grad_sum_to,    lower_sum_to,     NULL)          /* sum x over broadcast dims down to node's shape */ \
    OP(MEAN_TO,        "mean_to",          1, 0,      NULL,            grad_mean_to,   lower_mean_to,    NULL)          /* sum_to, divided by the number of elements summed */ \
    OP(MEAN_TO_BWD,    "mean_to_bwd",      1, 0,      NULL,            NULL,           lower_mean_to_bwd, NULL)         /* (dy): dy broadcast to node's shape, divided likewise */ \
    OP(TRAIN_EVAL,     "train_eval",       2, 0,      shape_same,      grad_train_eval, lower_train_eval, NULL)         /* (t, e): t in train and grad functions, e in infer and eval */ \
    OP(MATMUL,         "matmul",           2, 0,      shape_matmul,    grad_matmul,    lower_matmul,     NULL)          /* op(a) . op(b); iattr ta, tb, batch axes (matmul_dims); without batch axes operands seen as [rows, last] */ \
    /* ---- images [N, C, H, W]: padding is an op of its own, so conv/pool loops never bounds-check */ \
    OP(PAD2D,          "pad2d",            1, 0,      NULL,            grad_pad2d,     lower_pad2d,      NULL)          /* pad H, W by iattr top, bottom, left, right with fattr0 */ \
    OP(CROP2D,         "crop2d",           1, 0,      NULL,            grad_crop2d,    lower_crop2d,     NULL)          /* remove iattr top, bottom, left, right from H, W */ \
    OP(CONV2D,         "conv2d",           2, 0,      NULL,            grad_conv2d,    lower_conv2d,     NULL)          /* (x, w[CO, C/g, KH, KW]); iattr stride h, w, dilation h, w, groups */ \
    OP(CONV2D_BWD_X,   "conv2d_bwd_x",     2, 0,      NULL,            NULL,           lower_conv2d_bwd_x, NULL)        /* (dy, w): dx, node's shape; conv2d's iattr */ \
    OP(CONV2D_BWD_W,   "conv2d_bwd_w",     2, 0,      NULL,            NULL,           lower_conv2d_bwd_w, NULL)        /* (dy, x): dw, node's shape; conv2d's iattr */ \
    OP(IM2COL,         "im2col",           1, 0,      NULL,            grad_im2col,    lower_im2col,     NULL)          /* x[N, C, H, W] -> [C*KH*KW, N, OH, OW] windows; iattr kernel h, w, stride h, w, dilation h, w */ \
    OP(COL2IM,         "col2im",           1, 0,      NULL,            NULL,           lower_col2im,     NULL)          /* the adjoint of im2col: windows summed back into node's [N, C, H, W] */ \
    OP(MAXPOOL2D,      "maxpool2d",        1, 0,      NULL,            grad_maxpool2d, lower_maxpool2d,  NULL)          /* max over iattr kernel h, w windows, stride h, w */ \
    OP(MAXPOOL2D_BWD,  "maxpool2d_bwd",    2, 0,      NULL,            NULL,           lower_maxpool2d_bwd, NULL)       /* (dy, x): dy to each window's first max in x */ \
    OP(AVGPOOL2D,      "avgpool2d",        1, 0,      NULL,            grad_avgpool2d, lower_avgpool2d,  NULL)          /* mean over iattr kernel h, w windows, stride h, w */ \
    OP(AVGPOOL2D_BWD,  "avgpool2d_bwd",    1, 0,      NULL,            NULL,           lower_avgpool2d_bwd, NULL)       /* (dy): dy / (kh kw) spread over each window */ \
    /* ---- sequences: embeddings and recurrences (time-major [T, N, ...] inside a layer) ---- */ \
    OP(EMBED,          "embed",            2, 0,      NULL,            grad_embed,     lower_embed,      NULL)          /* (table[V, D], ids[...]): table rows, [..., D]; an id outside [0, V) gives zeros */ \
    OP(EMBED_GRAD,     "embed_grad",       2, 0,      NULL,            NULL,           lower_embed_grad, NULL)          /* (dy, ids): rows of dy summed into [V, D]; row iattr0 (padding, when >= 0) gets none */ \
    OP(SINUSOID,       "sinusoid",         0, 0,      NULL,            NULL,           lower_sinusoid,   NULL)          /* [T, D]: sin(t w_i) at 2i, cos(t w_i) at 2i+1, w_i = 10000^(-2i/D); f64, rounded once */ \
    OP(RNN_SEQ,        "rnn_seq",         -1, 0,      NULL,            grad_rnn_seq,   lower_rnn_seq,    NULL)          /* (xg[T,N,GH], w_hh[GH,H], w_hh^T [H, ld >= GH] (rows padded) [, b_hh] [, h0] [, c0]): the recurrence; [S, T, N, H] saved states (dlc.h) */ \
    OP(RNN_BWD,        "rnn_bwd",         -1, 0,      NULL,            NULL,           lower_rnn_bwd,    NULL)          /* (dy, ws, w_hh [, h0] [, c0]): back through time; [T, N, GH] gate gradients, or [S0, N, H] initial-state ones */ \
    OP(RNN_DWHH,       "rnn_dwhh",         2, 0,      NULL,            NULL,           lower_rnn_dwhh,   NULL)          /* (dgh[T,N,GH], ws): sum over steps after the first of dgh_t^T h_prev(t), [GH, H] */ \
    OP(RNN_HGRAD,      "rnn_hgrad",        2, 0,      NULL,            NULL,           lower_rnn_hgrad,  NULL)          /* (dg[T,N,3H], ws): GRU's hidden-side gate gradients, the n part times r */ \
    /* ---- attention over [B, H, T, S] scores (queries i, keys j); masks by ATT_* iattr (dlc.h) ---- */ \
    OP(ATTN_SOFTMAX,   "attn_softmax",    -1, 0,      NULL,            grad_attn_softmax, lower_attn_softmax, NULL)     /* (s [, key]): softmax over j of fattr0 * s, masked weights 0 */ \
    OP(ATTENTION,      "attention",       -1, 0,      NULL,            NULL,           lower_attention,  NULL)          /* (q[B,H,T,dk], k[B,H,S,dk], v[B,H,S,dv] [, key]): attn_softmax(q k^T) v, streamed over key tiles */ \
    /* ---- randomness (train mode only; identity otherwise) ------------------------------ */ \
    OP(DROPOUT,        "dropout",          1, 0,      shape_same,      grad_dropout,   lower_dropout,    NULL)          /* x * keep / (1 - p); keep ~ Bernoulli(1 - p), p = fattr0, stream iattr0 */ \
    OP(DROPOUT_BWD,    "dropout_bwd",      1, 0,      shape_same,      NULL,           lower_dropout,    NULL)          /* dy through the same mask as its dropout */ \
    /* ---- last-axis normalizers --------------------------------------------------------- */ \
    OP(SOFTMAX,        "softmax",          1, 0,      shape_same,      grad_softmax,   lower_softmax,    NULL)          /* e^x / sum e^x over the last axis */ \
    OP(LOG_SOFTMAX,    "log_softmax",      1, 0,      shape_same,      grad_log_softmax, lower_log_softmax, NULL)       /* x - logsumexp(x) over the last axis */ \
    OP(SOFTMAX_GRAD,   "softmax_grad",     2, 0,      shape_same,      NULL,           lower_softmax_grad, NULL)        /* (dy, y): y * (dy - sum(dy*y)) */ \
    OP(STANDARDIZE,    "standardize",      1, 0,      shape_same,      grad_standardize, lower_standardize, NULL)       /* (x - mean) / sqrt(var + fattr0) over each row of the last iattr0 elements */ \
    OP(STANDARDIZE_GRAD, "standardize_grad", 2, 0,    shape_same,      NULL,           lower_standardize_grad, NULL)    /* (dy, x): its gradient */ \
    OP(LOG_SOFTMAX_GRAD, "log_softmax_grad", 2, 0,    shape_same,      NULL,           lower_log_softmax_grad, NULL)    /* (dy, y): dy - e^y * sum(dy) */ \
    /* ---- losses and metrics (scalar results; means over the batch) --------------------- */ \
    OP(CROSS_ENTROPY,  "cross_entropy",   -1, 0,      shape_loss_ce,   grad_cross_entropy, lower_cross_entropy, NULL)   /* (logits[M,C], label[M] [, w[C]]): weighted mean of lse - x[label], label smoothing fattr0 (PyTorch's) */ \
    OP(CE_GRAD,        "cross_entropy_grad", -1, 0,   shape_like1,     NULL,           lower_ce_grad,    NULL)          /* (dl, logits, label [, w]): its gradient */ \
    OP(NLL,            "nll",              2, 0,      shape_loss_ce,   grad_nll,       lower_nll,        NULL)          /* (logp[M,C], label[M]): mean(-logp[label]) */ \
    OP(NLL_GRAD,       "nll_grad",         3, 0,      shape_like1,     NULL,           lower_nll_grad,   NULL)          /* (dl, logp, label): -dl / M at the labels */ \
    OP(MSE,            "mse",              2, 0,      shape_loss_mse,  grad_mse,       lower_mse,        NULL)          /* (a, b): mean((a - b)^2) */ \
    OP(MSE_GRAD,       "mse_grad",         3, 0,      shape_like1,     NULL,           lower_mse_grad,   NULL)          /* (dl, a, b): dl * 2 (a - b) / numel */ \
    OP(ACCURACY,       "accuracy",         2, 0,      shape_metric_acc, NULL,          lower_accuracy,   NULL)          /* (logits[N,...,C], label[N,...]): count of argmax == label, rows of a sample counting 1/rows each */ \
    /* ---- effects ----------------------------------------------------------------------- */ \
    OP(RESULT,         "result",           1, OPF_X,  NULL,            NULL,           lower_result,     NULL)          /* out[iattr0] = x (a scalar) */ \
    OP(OUTPUT,         "output",           1, OPF_X,  NULL,            NULL,           lower_output,     NULL)          /* io[iattr0] = x */ \
    OP(EMA_UPDATE,     "ema_update",       2, OPF_X,  NULL,            NULL,           lower_ema,        NULL)          /* (s, v): s = (1-m) s + m v c; m = fattr0, c = n/(n-1) if fattr1 (n: iattr0 * batch^iattr1) */ \
    OP(COUNT_UPDATE,   "count_update",     1, OPF_X,  NULL,            NULL,           lower_count,      NULL)          /* (k): k += 1, an i64 counter */ \
    OP(SGD_UPDATE,     "sgd_update",       2, OPF_X,  NULL,            NULL,           lower_sgd,        NULL)          /* (p, g): p -= lr * (g + wd p) */ \
    OP(MOMENTUM_UPDATE, "momentum_update", 3, OPF_X,  NULL,            NULL,           lower_momentum,   NULL)          /* (p, g, b): b = mu b + g'; p -= lr b (torch SGD momentum) */ \
    OP(ADAM_UPDATE,    "adam_update",      4, OPF_X,  NULL,            NULL,           lower_adam,       NULL)          /* (p, g, m, v): torch.optim.Adam step */
