/* layers.c — the layer catalog: what `Dense(256)` in a .dlm means.
 *
 * A layer is declared with hyperparameters only; its parameters are made the first time it is
 * applied, when the input size is known (so `Dense(256)` infers `in`).  Applying the same layer
 * again shares its parameters, as reusing a torch.nn.Module does, and must see the same input
 * size.  Parameter names and layouts are PyTorch's (`fc1.weight [out, in]`, `fc1.bias [out]`),
 * and so are default initializations. */
#include <math.h>
#include <string.h>

#include "dlc.h"

struct Layer {
    const LayerKind *kind;
    const char *name;
    Loc loc;
    int64_t units;              /* Dense units; Conv filters */
    int64_t k[2], s[2], d[2];   /* kernel, stride, dilation: (h, w); 1-D layers use [1] */
    int64_t pad[2];             /* symmetric padding (h, w) */
    bool same;                  /* padding = "same" */
    int64_t groups;
    double rate;                /* Dropout p; BatchNorm momentum */
    double eps;                 /* normalization epsilon */
    bool affine;                /* normalization: learnable scale and shift */
    int64_t norm_dims;          /* LayerNorm: how many trailing axes */
    bool bias;
    double penalty[2];          /* Dense/Conv: l1, l2 on the weight (Keras' kernel_regularizer) */
    bool applied;
    Dim in_features;            /* Dense: K; Conv: input channels, at first use */
    int cell;                   /* recurrent layers: CELL_* */
    int64_t nlayers;            /* recurrent layers: stacked layers */
    bool bidirectional, sequences;   /* recurrent layers: both directions; return every step */
    int64_t padding_idx;        /* Embedding: the row without gradient, or -1 */
    bool scale;                 /* Embedding: rows times sqrt(dim) */
    int64_t max_len;            /* PositionEmbedding: positions it has */
    bool return_state;          /* recurrent layers: also give the final states */
    Node *in[LAYER_MAX_INPUTS]; /* during an apply: its tensors by slot (LayerKind.inputs), or NULL */
    Loc in_loc[LAYER_MAX_INPUTS];   /* ... and where they are written */
    Node *extra_out[2];         /* ... outputs after the result: a recurrence's final h (and c),
                                 * [N, layers*D, H]; attention's weights */
    int64_t heads;              /* MultiHeadAttention */
    bool causal;                /* MultiHeadAttention: queries see no later keys */
    int64_t pad_id;             /* MultiHeadAttention: the key id a `mask` hides */
    Dim key_features[2];        /* MultiHeadAttention: key and value widths, at first use */
    Param *params[64];          /* trainable first (layer_params lists those), then buffers */
    int nparams;                /* trainable ones */
};

typedef void MakeFn(Layer *l, Ast *call);
typedef Node *ApplyFn(Graph *g, Layer *l, Node *x, Loc loc);

struct LayerKind {
    const char *name;
    MakeFn *make;
    ApplyFn *apply;
    const char *const *inputs;  /* names of the tensors it takes, in positional order */
};

/* ---- argument helpers ------------------------------------------------------------------- */
Ast *call_arg(Ast *call, int pos, const char *name) {
    int p = 0;
    for (int i = 0; i < call->nargs; i++) {
        if (call->args[i].name) {
            if (name && strcmp(call->args[i].name, name) == 0) return call->args[i].value;
        } else if (p++ == pos) return call->args[i].value;
    }
    return NULL;
}

void check_call_args(Ast *call, int npos, const char *const *names, const char *what) {
    int n = 0, given = 0;
    while (names && names[n]) n++;
    for (int i = 0; i < call->nargs; i++) {
        Arg *a = &call->args[i];
        if (!a->name) {
            if (++given > npos)
                error_at(a->value->loc, "%s takes %d positional argument%s, got more", what, npos,
                         npos == 1 ? "" : "s");
            continue;
        }
        int k;
        for (k = 0; k < n; k++)
            if (names[k][0] && strcmp(names[k], a->name) == 0) break;
        if (k == n) {
            const char *near = nearest_name(a->name, names, n);
            if (near && near[0]) error_at(a->name_loc, "%s has no argument '%s'; did you mean '%s'?", what, a->name, near);
            error_at(a->name_loc, "%s has no argument '%s'", what, a->name);
        }
        if (k < given)
            error_at(a->name_loc, "argument '%s' given twice (by position and by name) to %s", a->name, what);
        for (int j = 0; j < i; j++)
            if (call->args[j].name && strcmp(call->args[j].name, a->name) == 0)
                error_at(a->name_loc, "argument '%s' given twice", a->name);
    }
}

double const_number(Ast *e, const char *what) {
    switch (e->kind) {
    case A_NUM: return e->num;
    case A_NEG: return -const_number(e->lhs, what);
    case A_NAME:
        if (strcmp(e->name, "true") == 0) return 1;
        if (strcmp(e->name, "false") == 0) return 0;
        break;
    case A_BIN: {
        double a = const_number(e->lhs, what), b = const_number(e->rhs, what);
        switch (e->binop) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/':
            if (b == 0) error_at(e->loc, "division by zero in %s", what);
            return a / b;
        }
        break;
    }
    default: break;
    }
    if (e->kind == A_NAME && strcmp(e->name, "vocab") == 0)
        error_at(e->loc, "'vocab' is the vocabulary size of text data: the train section needs data text(...)");
    error_at(e->loc, "%s must be a number known at compile time", what);
}

static int64_t const_int(Ast *e, const char *what, int64_t lo, int64_t hi);

/* A flag argument: true or false (1 or 0 from arithmetic or a block parameter), else dflt. */
static bool bool_arg(Ast *call, int pos, const char *name, bool dflt, const char *what) {
    Ast *a = call_arg(call, pos, name);
    if (!a) return dflt;
    double v = const_number(a, fmt("%s %s (true or false)", what, name));
    if (v != 0 && v != 1) error_at(a->loc, "%s %s must be true or false, got %g", what, name, v);
    return v != 0;
}

/* An int, or for 2-D layers a list [h, w]; `out` gets (h, w), or for 1-D layers (the height
 * axis's neutral value: 1 for sizes, 0 for padding, n). */
static void pair_arg(Ast *call, int pos, const char *name, int64_t dflt, int64_t lo, int dims, int64_t out[2]) {
    Ast *a = call_arg(call, pos, name);
    const char *what = fmt("%s %s", call->lhs->name, name);
    out[0] = dims == 1 ? (strcmp(name, "padding") == 0 ? 0 : 1) : dflt;
    out[1] = dflt;
    if (!a) return;
    if (a->kind == A_LIST) {
        if (dims != 2 || a->nargs != 2)
            error_at(a->loc, "%s: give one number%s", what, dims == 2 ? " or a list [h, w]" : "");
        out[0] = const_int(a->args[0].value, what, lo, 1 << 20);
        out[1] = const_int(a->args[1].value, what, lo, 1 << 20);
    } else {
        out[1] = const_int(a, what, lo, 1 << 20);
        if (dims == 2) out[0] = out[1];
    }
}

static int64_t const_int(Ast *e, const char *what, int64_t lo, int64_t hi) {
    double v = const_number(e, what);
    if (v != floor(v) || v < (double)lo || v > (double)hi)
        error_at(e->loc, "%s must be an integer in [%lld, %lld], got %g", what, (long long)lo,
                 (long long)hi, v);
    return (int64_t)v;
}

static Param *add_tensor(Graph *g, const char *name, Shape s, dlrt_dtype t, InitKind init, double a, bool trainable,
                         Loc loc) {
    for (int i = 0; i < g->nparams; i++)
        if (strcmp(g->params[i]->name, name) == 0) error_at(loc, "parameter '%s' defined twice", name);
    g->params = xrealloc(g->params, sizeof(Param *) * (size_t)(g->nparams + 1));
    Param *p = g->params[g->nparams] = xcalloc(1, sizeof *p);
    Node *n = new_node(g, OP_PARAM, loc, 0, NULL);
    n->dtype = t;
    n->shape = s;
    n->name = name;
    check_size(g, n);
    n->index = g->nparams++;
    p->node = n;
    p->name = name;
    p->init = init;
    p->init_a = a;
    p->trainable = trainable;
    p->zero_row = -1;
    int64_t bytes = shape_numel_max(g, &s) * (int64_t)dlrt_dtype_size(t);
    p->offset = g->param_bytes;
    g->param_bytes += (bytes + 63) / 64 * 64;
    return p;
}

Param *add_param(Graph *g, const char *name, Shape s, InitKind init, double a, Loc loc) {
    return add_tensor(g, name, s, g->fdtype, init, a, true, loc);
}

Param *add_buffer(Graph *g, const char *name, Shape s, dlrt_dtype t, InitKind init, Loc loc) {
    return add_tensor(g, name, s, t, init, 0, false, loc);
}

/* Keyword-only `l1 = a`, `l2 = b` of a Dense or Conv layer: a·Σ|W| + b·ΣW² joins the loss. */
static void penalty_args(Layer *l, Ast *call) {
    for (int j = 0; j < 2; j++) {
        const char *k = j ? "l2" : "l1";
        Ast *a = call_arg(call, -1, k);
        if (!a) continue;
        double v = const_number(a, fmt("%s %s penalty", l->kind->name, k));
        if (!(v >= 0 && v < 1e3)) error_at(a->loc, "%s must be a penalty weight >= 0, got %g", k, v);
        l->penalty[j] = v;
    }
}

/* The layer's weight: decayed by SGD's weight_decay, penalized by l1/l2. */
static void mark_weight(Layer *l, Param *w) {
    w->decay = true;
    w->l1 = l->penalty[0];
    w->l2 = l->penalty[1];
}

/* ---- Dense(units, bias = true, l1 = 0, l2 = 0): y = x W^T + b over the last axis ----------- */
static void dense_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"units", "bias", "l1", "l2", NULL};
    check_call_args(call, 2, kw, "Dense");
    Ast *u = call_arg(call, 0, "units");
    if (!u) error_at(call->loc, "Dense needs the number of output units, e.g. Dense(128)");
    l->units = const_int(u, "Dense units", 1, 1 << 24);
    l->bias = bool_arg(call, 1, "bias", true, "Dense");
    penalty_args(l, call);
}

static Node *dense_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (x->shape.rank < 1)
        error_at(loc, "Dense '%s' needs an input with a feature axis, got a scalar", l->name);
    if (!is_float(x->dtype))
        error_at(loc, "Dense '%s' needs a floating-point input, got %s%s", l->name,
                 dtype_keyword(x->dtype), shape_str(g, &x->shape));
    Dim k = x->shape.d[x->shape.rank - 1];
    if (!l->applied) {
        if (!dim_is_const(k))
            error_at(loc, "Dense '%s' needs a fixed feature size, got %s (flatten or reshape first)",
                     l->name, shape_str(g, &x->shape));
        l->applied = true;
        l->in_features = k;
        double bound = 1.0 / sqrt((double)k.c);   /* torch.nn.Linear's kaiming_uniform(a=sqrt 5) */
        l->params[l->nparams++] = add_param(g, fmt("%s.weight", l->name),
                                            shape_of(2, (Dim[]){dim_const(l->units), k}),
                                            INIT_UNIFORM, bound, l->loc);
        mark_weight(l, l->params[0]);
        if (l->bias)
            l->params[l->nparams++] = add_param(g, fmt("%s.bias", l->name),
                                                shape_of(1, (Dim[]){dim_const(l->units)}),
                                                INIT_UNIFORM, bound, l->loc);
    } else if (!dim_eq(k, l->in_features)) {
        char *want = "[";   /* the input shape with its feature axis spelled K */
        for (int i = 0; i + 1 < x->shape.rank; i++) want = fmt("%s%s, ", want, dim_str(g, x->shape.d[i]));
        error_at(loc, "Dense '%s' expects %sK] with K = %s, got %s", l->name, want,
                 dim_str(g, l->in_features), shape_str(g, &x->shape));
    }
    Node *y = new_matmul(g, loc, x, l->params[0]->node, 0, 1);
    if (l->bias) y = node2(g, OP_ADD, loc, y, l->params[1]->node);
    return y;
}

/* ---- convolution: Conv2D(filters, kernel, stride = 1, padding = 0 | "same" | "valid",
 *      dilation = 1, groups = 1, bias = true) on [N, C, H, W]; Conv1D likewise on [N, C, L] --- */
static int dims_of(const Layer *l) { return l->kind->name[strlen(l->kind->name) - 2] == '1' ? 1 : 2; }

static void padding_arg(Layer *l, Ast *call, int pos, int dims) {
    Ast *a = call_arg(call, pos, "padding");
    if (a && a->kind == A_STR) {
        if (strcmp(a->str, "same") == 0) l->same = true;
        else if (strcmp(a->str, "valid") != 0)
            error_at(a->loc, "%s padding is a number, \"same\" or \"valid\", not \"%s\"", l->kind->name, a->str);
        return;
    }
    pair_arg(call, pos, "padding", 0, 0, dims, l->pad);
}

static void conv_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "l1", "l2", NULL};
    const char *what = l->kind->name;
    int dims = dims_of(l);
    check_call_args(call, 7, kw, what);
    Ast *f = call_arg(call, 0, "filters");
    if (!f || !call_arg(call, 1, "kernel"))
        error_at(call->loc, "%s needs filters and a kernel size, e.g. %s(16, 3)", what, what);
    l->units = const_int(f, fmt("%s filters", what), 1, 1 << 20);
    pair_arg(call, 1, "kernel", 1, 1, dims, l->k);
    pair_arg(call, 2, "stride", 1, 1, dims, l->s);
    padding_arg(l, call, 3, dims);
    pair_arg(call, 4, "dilation", 1, 1, dims, l->d);
    Ast *g = call_arg(call, 5, "groups");
    l->groups = g ? const_int(g, fmt("%s groups", what), 1, 1 << 20) : 1;
    l->bias = bool_arg(call, 6, "bias", true, what);
    if (l->units % l->groups)
        error_at(call->loc, "%s: groups = %lld must divide filters = %lld", what, (long long)l->groups, (long long)l->units);
    if (l->same && (l->s[0] != 1 || l->s[1] != 1))
        error_at(call->loc, "%s: padding \"same\" needs stride 1 (as in PyTorch)", what);
    penalty_args(l, call);
}

/* Output size along one axis, or a located error naming the sizes. */
static int64_t out_size(Layer *l, Loc loc, const char *axis, int64_t in, int64_t pad_total, int64_t k, int64_t s, int64_t d) {
    int64_t span = d * (k - 1) + 1, padded = in + pad_total;
    if (padded < span)
        error_at(loc, "%s '%s': the kernel spans %lld along %s (kernel %lld, dilation %lld), more than the padded input's %lld",
                 l->kind->name, l->name, (long long)span, axis, (long long)k, (long long)d, (long long)padded);
    return (padded - span) / s + 1;
}

/* [N, C, H, W] of a 2-D layer's input, or of a 1-D layer's [N, C, L] seen as [N, C, 1, L]. */
static Node *as_image(Graph *g, Layer *l, Node *x, Loc loc) {
    int dims = dims_of(l);
    if (x->shape.rank != dims + 2)
        error_at(loc, "%s '%s' expects %s, got %s", l->kind->name, l->name, dims == 2 ? "[N, C, H, W]" : "[N, C, L]",
                 shape_str(g, &x->shape));
    if (!is_float(x->dtype)) error_at(loc, "%s '%s' needs a floating-point input", l->kind->name, l->name);
    for (int i = 1; i < x->shape.rank; i++)
        if (!dim_is_const(x->shape.d[i]))
            error_at(loc, "%s '%s' needs fixed channel and spatial sizes, got %s", l->kind->name, l->name, shape_str(g, &x->shape));
    if (dims == 2) return x;
    Shape s = {4, {x->shape.d[0], x->shape.d[1], dim_const(1), x->shape.d[2]}};
    return new_reshape(g, loc, x, s);
}

/* back to [N, C, L] for 1-D layers */
static Node *from_image(Graph *g, Layer *l, Node *y, Loc loc) {
    if (dims_of(l) == 2) return y;
    Shape s = {3, {y->shape.d[0], y->shape.d[1], y->shape.d[3]}};
    return new_reshape(g, loc, y, s);
}

/* pad (top, bottom, left, right) with v, when any is non-zero */
static Node *pad_image(Graph *g, Node *x, const int64_t p[4], double v, Loc loc) {
    if (!p[0] && !p[1] && !p[2] && !p[3]) return x;
    Shape s = x->shape;
    s.d[2] = dim_const(s.d[2].c + p[0] + p[1]);
    s.d[3] = dim_const(s.d[3].c + p[2] + p[3]);
    int64_t ia[8] = {p[0], p[1], p[2], p[3]};
    Node *n = new_node_attr(g, OP_PAD2D, loc, 1, &x, ia, s);
    n->fattr[0] = v;
    return n;
}

static Node *conv_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    Node *img = as_image(g, l, x, loc);
    int dims = dims_of(l);
    int64_t C = img->shape.d[1].c, H = img->shape.d[2].c, W = img->shape.d[3].c, F = l->units;
    if (C % l->groups)
        error_at(loc, "%s '%s': groups = %lld must divide the input channels, %lld", l->kind->name, l->name,
                 (long long)l->groups, (long long)C);
    if (!l->applied) {
        l->applied = true;
        l->in_features = dim_const(C);
        int64_t fan_in = C / l->groups * l->k[0] * l->k[1];
        double bound = 1.0 / sqrt((double)fan_in);   /* torch.nn.ConvNd's kaiming_uniform(a=sqrt 5) */
        Shape ws = dims == 2 ? shape_of(4, (Dim[]){dim_const(F), dim_const(C / l->groups), dim_const(l->k[0]), dim_const(l->k[1])})
                             : shape_of(3, (Dim[]){dim_const(F), dim_const(C / l->groups), dim_const(l->k[1])});
        l->params[l->nparams++] = add_param(g, fmt("%s.weight", l->name), ws, INIT_UNIFORM, bound, l->loc);
        mark_weight(l, l->params[0]);
        if (l->bias)
            l->params[l->nparams++] = add_param(g, fmt("%s.bias", l->name), shape_of(1, (Dim[]){dim_const(F)}),
                                                INIT_UNIFORM, bound, l->loc);
    } else if (!dim_eq(l->in_features, dim_const(C))) {
        error_at(loc, "%s '%s' expects %lld input channels (as at its first use), got %lld", l->kind->name, l->name,
                 (long long)l->in_features.c, (long long)C);
    }
    /* padding: explicit (symmetric) or "same" (total d*(k-1), the extra one after, as PyTorch) */
    int64_t p[4] = {l->pad[0], l->pad[0], l->pad[1], l->pad[1]};
    if (l->same)
        for (int a = 0; a < 2; a++) {
            int64_t total = l->d[a] * (l->k[a] - 1);
            p[2 * a] = total / 2;
            p[2 * a + 1] = total - total / 2;
        }
    int64_t OH = out_size(l, loc, dims == 2 ? "height" : "length", H, p[0] + p[1], l->k[0], l->s[0], l->d[0]);
    int64_t OW = out_size(l, loc, dims == 2 ? "width" : "length", W, p[2] + p[3], l->k[1], l->s[1], l->d[1]);
    Node *xp = pad_image(g, img, p, 0.0, loc);
    Node *w = l->params[0]->node;
    if (dims == 1) w = new_reshape(g, loc, w, shape_of(4, (Dim[]){dim_const(F), dim_const(C / l->groups), dim_const(1), dim_const(l->k[1])}));
    Shape ys = {4, {img->shape.d[0], dim_const(F), dim_const(OH), dim_const(OW)}};
    Node *y;
    if (l->groups == 1) {
        /* as a matrix product: the kernels [F, C*KH*KW] times the windows of x as columns
         * (im2col) [C*KH*KW, N*OH*OW]; the long axis N*OH*OW is the GEMM's vector axis.  The
         * result [F, N, OH, OW] is put channels second. */
        int64_t K = C * l->k[0] * l->k[1];
        int64_t ia[8] = {l->k[0], l->k[1], l->s[0], l->s[1], l->d[0], l->d[1]};
        Dim n = img->shape.d[0], cols_n = dim_mul(dim_mul(n, dim_const(OH)), dim_const(OW));
        Shape cs = {4, {dim_const(K), n, dim_const(OH), dim_const(OW)}};
        Node *cols = new_node_attr(g, OP_IM2COL, loc, 1, &xp, ia, cs);
        Node *w2 = new_reshape(g, loc, w, shape_of(2, (Dim[]){dim_const(F), dim_const(K)}));
        Node *prod = new_matmul(g, loc, w2, new_reshape(g, loc, cols, shape_of(2, (Dim[]){dim_const(K), cols_n})), 0, 0);
        prod = new_reshape(g, loc, prod, shape_of(4, (Dim[]){dim_const(F), n, dim_const(OH), dim_const(OW)}));
        y = new_node_attr(g, OP_PERMUTE, loc, 1, &prod, (int64_t[8]){1, 0, 2, 3}, ys);
    } else {   /* grouped (e.g. depthwise): direct loops */
        int64_t ia[8] = {l->s[0], l->s[1], l->d[0], l->d[1], l->groups};
        y = new_node_attr(g, OP_CONV2D, loc, 2, (Node *[]){xp, w}, ia, ys);
    }
    if (l->bias) y = node2(g, OP_ADD, loc, y, new_reshape(g, loc, l->params[1]->node, shape_of(3, (Dim[]){dim_const(F), dim_const(1), dim_const(1)})));
    return from_image(g, l, y, loc);
}

/* ---- pooling: MaxPool2D / AvgPool2D(kernel, stride = kernel, padding = 0), 1-D likewise ------ */
static void pool_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"kernel", "stride", "padding", NULL};
    int dims = dims_of(l);
    check_call_args(call, 3, kw, l->kind->name);
    if (!call_arg(call, 0, "kernel")) error_at(call->loc, "%s needs a kernel size, e.g. %s(2)", l->kind->name, l->kind->name);
    pair_arg(call, 0, "kernel", 1, 1, dims, l->k);
    pair_arg(call, 1, "stride", 1, 1, dims, l->s);
    if (!call_arg(call, 1, "stride")) {   /* stride defaults to the kernel, as in PyTorch */
        l->s[0] = l->k[0];
        l->s[1] = l->k[1];
    }
    pair_arg(call, 2, "padding", 0, 0, dims, l->pad);
    for (int a = 0; a < 2; a++)
        if (2 * l->pad[a] > l->k[a])
            error_at(call->loc, "%s: padding %lld is more than half the kernel %lld (as PyTorch requires)", l->kind->name,
                     (long long)l->pad[a], (long long)l->k[a]);
    l->d[0] = l->d[1] = 1;
}

static Node *pool_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    Node *img = as_image(g, l, x, loc);
    int dims = dims_of(l);
    bool max = l->kind->name[0] == 'M';
    int64_t p[4] = {l->pad[0], l->pad[0], l->pad[1], l->pad[1]};
    int64_t OH = out_size(l, loc, dims == 2 ? "height" : "length", img->shape.d[2].c, 2 * l->pad[0], l->k[0], l->s[0], 1);
    int64_t OW = out_size(l, loc, dims == 2 ? "width" : "length", img->shape.d[3].c, 2 * l->pad[1], l->k[1], l->s[1], 1);
    Node *xp = pad_image(g, img, p, max ? -INFINITY : 0.0, loc);   /* avg counts the padding, as PyTorch */
    int64_t ia[8] = {l->k[0], l->k[1], l->s[0], l->s[1]};
    Shape ys = {4, {img->shape.d[0], img->shape.d[1], dim_const(OH), dim_const(OW)}};
    Node *y = new_node_attr(g, max ? OP_MAXPOOL2D : OP_AVGPOOL2D, loc, 1, &xp, ia, ys);
    if (max && pool_tiles(&xp->shape, &ys, ia))   /* scratch: the maxima over each window's rows (lower_maxpool2d) */
        y->extra = dim_mul(dim_mul(img->shape.d[0], img->shape.d[1]), dim_const(OH * xp->shape.d[3].c));
    return from_image(g, l, y, loc);
}

/* ---- GlobalAvgPool(): [N, C, spatial...] -> [N, C], the mean over the spatial axes ---------- */
static void gap_make(Layer *l, Ast *call) { (void)l; check_call_args(call, 0, NULL, "GlobalAvgPool"); }

static Node *gap_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (x->shape.rank < 3 || !is_float(x->dtype))
        error_at(loc, "GlobalAvgPool '%s' expects [N, C, ...spatial], got %s", l->name, shape_str(g, &x->shape));
    Shape kept = x->shape;
    int64_t count = 1;
    for (int i = 2; i < x->shape.rank; i++) {
        if (!dim_is_const(x->shape.d[i])) error_at(loc, "GlobalAvgPool '%s' needs fixed spatial sizes", l->name);
        count *= x->shape.d[i].c;
        kept.d[i] = dim_const(1);
    }
    Node *sum = new_reshape(g, loc, new_sum_to(g, loc, x, kept), shape_of(2, x->shape.d));
    return node2(g, OP_MUL, loc, sum, new_const(g, loc, 1.0 / (double)count, x->dtype));
}

/* ---- Dropout(p): zeroes elements with probability p while training, scales the rest -------- */
static void dropout_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"p", NULL};
    check_call_args(call, 1, kw, "Dropout");
    Ast *p = call_arg(call, 0, "p");
    l->rate = p ? const_number(p, "Dropout p") : 0.5;
    if (!(l->rate >= 0 && l->rate < 1)) error_at(p->loc, "Dropout p must be in [0, 1), got %g", l->rate);
}

static Node *dropout_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (!is_float(x->dtype)) error_at(loc, "Dropout '%s' needs a floating-point input", l->name);
    Node *y = node1(g, OP_DROPOUT, loc, x);
    y->fattr[0] = l->rate;
    y->iattr[0] = y->id;   /* each application draws its own mask */
    return y;
}

/* ---- normalization --------------------------------------------------------------------------
 * xhat = (x - mean) / sqrt(var + eps), var biased, as PyTorch normalizes.  BatchNorm's statistics
 * (over the batch, with running ones) are built from primitives (mean over axes, sqrt,
 * broadcasting arithmetic) so autodiff derives the gradients; LayerNorm and GroupNorm normalize
 * runs of contiguous elements, which the STANDARDIZE op does in one pass per statistic (and its
 * gradient likewise). */
static Node *cnst(Graph *g, Loc loc, double v, Node *like) { return new_const(g, loc, v, like->dtype); }

static Node *mean_to(Graph *g, Loc loc, Node *x, Shape s) {
    return shape_eq(&x->shape, &s) ? x : new_node_attr(g, OP_MEAN_TO, loc, 1, &x, NULL, s);
}

/* batch statistics of x over the axes where `s` is 1 */
static void moments(Graph *g, Loc loc, Node *x, Shape s, Node **mean, Node **var) {
    *mean = mean_to(g, loc, x, s);
    Node *xc = node2(g, OP_SUB, loc, x, *mean);
    *var = mean_to(g, loc, node2(g, OP_MUL, loc, xc, xc), s);
}

static Node *standardize(Graph *g, Loc loc, Node *x, Node *mean, Node *var, double eps) {
    Node *sd = node1(g, OP_SQRT, loc, node2(g, OP_ADD, loc, var, cnst(g, loc, eps, x)));
    return node2(g, OP_DIV, loc, node2(g, OP_SUB, loc, x, mean), sd);
}

/* standardize over each run of the last K elements of x */
static Node *standardize_rows(Graph *g, Loc loc, Node *x, int64_t K, double eps) {
    Node *y = node1(g, OP_STANDARDIZE, loc, x);
    y->fattr[0] = eps;
    y->iattr[0] = K;
    return y;
}

/* y = xhat * weight + bias, weight and bias seen with shape `s` */
static Node *affine(Graph *g, Layer *l, Node *xhat, Shape s, Loc loc) {
    if (!l->affine) return xhat;
    Node *w = new_reshape(g, loc, l->params[0]->node, s), *b = new_reshape(g, loc, l->params[1]->node, s);
    return node2(g, OP_ADD, loc, node2(g, OP_MUL, loc, xhat, w), b);
}

static void affine_params(Graph *g, Layer *l, Shape s) {
    if (!l->affine) return;
    l->params[l->nparams++] = add_param(g, fmt("%s.weight", l->name), s, INIT_ONES, 0, l->loc);
    l->params[l->nparams++] = add_param(g, fmt("%s.bias", l->name), s, INIT_ZEROS, 0, l->loc);
}

static void norm_make(Layer *l, Ast *call) {
    static const char *const bn_kw[] = {"momentum", "eps", "affine", NULL};
    static const char *const ln_kw[] = {"dims", "eps", "affine", NULL};
    static const char *const gn_kw[] = {"groups", "eps", "affine", NULL};
    static const char *const in_kw[] = {"eps", "affine", NULL};
    const char *k = l->kind->name;
    const char *const *kw = k[0] == 'B' ? bn_kw : k[0] == 'L' ? ln_kw : k[0] == 'G' ? gn_kw : in_kw;
    int npos = k[0] == 'G' ? 1 : 0;
    check_call_args(call, npos, kw, k);
    Ast *a;
    l->rate = (a = call_arg(call, 99, "momentum")) ? const_number(a, "BatchNorm momentum") : 0.1;
    if (!(l->rate >= 0 && l->rate <= 1)) error_at(a->loc, "BatchNorm momentum must be in [0, 1]");
    l->eps = (a = call_arg(call, 99, "eps")) ? const_number(a, fmt("%s eps", k)) : 1e-5;
    if (!(l->eps > 0)) error_at(a->loc, "%s eps must be positive", k);
    l->affine = bool_arg(call, -1, "affine", k[0] != 'I', k);
    l->norm_dims = (a = call_arg(call, 99, "dims")) ? const_int(a, "LayerNorm dims", 1, DLRT_MAX_RANK - 1) : 1;
    if (k[0] == 'G') {
        if (!(a = call_arg(call, 0, "groups"))) error_at(call->loc, "GroupNorm needs the number of groups, e.g. GroupNorm(4)");
        l->groups = const_int(a, "GroupNorm groups", 1, 1 << 20);
    }
}

static void need_fixed(Graph *g, Layer *l, Node *x, int from, Loc loc) {
    if (!is_float(x->dtype)) error_at(loc, "%s '%s' needs a floating-point input", l->kind->name, l->name);
    for (int i = from; i < x->shape.rank; i++)
        if (!dim_is_const(x->shape.d[i]))
            error_at(loc, "%s '%s' needs fixed sizes after the batch, got %s", l->kind->name, l->name, shape_str(g, &x->shape));
}

/* BatchNorm over axis 1 of [N, C, ...]: batch statistics in training (and the running ones
 * updated, with momentum; the variance unbiased), running statistics otherwise. */
static Node *batchnorm_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (x->shape.rank < 2) error_at(loc, "BatchNorm '%s' expects [N, C, ...], got %s", l->name, shape_str(g, &x->shape));
    need_fixed(g, l, x, 1, loc);
    Dim C = x->shape.d[1];
    Shape cs = shape_of(1, &C);
    if (!l->applied) {
        l->applied = true;
        l->in_features = C;
        affine_params(g, l, cs);
        l->params[2] = add_buffer(g, fmt("%s.running_mean", l->name), cs, g->fdtype, INIT_ZEROS, l->loc);
        l->params[3] = add_buffer(g, fmt("%s.running_var", l->name), cs, g->fdtype, INIT_ONES, l->loc);
        l->params[4] = add_buffer(g, fmt("%s.num_batches_tracked", l->name), (Shape){0}, DLRT_I64, INIT_ZEROS, l->loc);
    } else if (!dim_eq(C, l->in_features)) {
        error_at(loc, "BatchNorm '%s' expects %s channels (as at its first use), got %s", l->name,
                 dim_str(g, l->in_features), dim_str(g, C));
    }
    Shape s = x->shape;      /* [1, C, 1, ...] */
    Shape chan = x->shape;   /* [C, 1, ...]: weights against [N, C, ...] */
    chan.rank = x->shape.rank - 1;
    for (int i = 0; i < s.rank; i++) s.d[i] = i == 1 ? C : dim_const(1);
    for (int i = 0; i < chan.rank; i++) chan.d[i] = i == 0 ? C : dim_const(1);
    Node *mb, *vb;
    moments(g, loc, x, s, &mb, &vb);
    Node *mean = node2(g, OP_TRAIN_EVAL, loc, mb, new_reshape(g, loc, l->params[2]->node, s));
    Node *var = node2(g, OP_TRAIN_EVAL, loc, vb, new_reshape(g, loc, l->params[3]->node, s));
    /* running statistics, in the train step only */
    Dim count;
    if (!dim_div(shape_numel(&x->shape), C, &count)) unreachable();
    Node *stats[2] = {mb, vb};
    for (int k = 0; k < 2; k++) {
        Node *u = node2(g, OP_EMA_UPDATE, loc, l->params[2 + k]->node, new_reshape(g, loc, stats[k], cs));
        u->fattr[0] = l->rate;
        u->fattr[1] = k == 1;   /* the running variance is unbiased */
        u->iattr[0] = count.c;
        u->iattr[1] = count.e[0];
        vec_push(&g->stat_updates, u);
    }
    vec_push(&g->stat_updates, node1(g, OP_COUNT_UPDATE, loc, l->params[4]->node));
    return affine(g, l, standardize(g, loc, x, mean, var, l->eps), chan, loc);
}

/* LayerNorm over the last `dims` axes (weight and bias of their shape) */
static Node *layernorm_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (x->shape.rank <= l->norm_dims)
        error_at(loc, "LayerNorm '%s' normalizes the last %lld axes of a tensor with a batch axis, got %s", l->name,
                 (long long)l->norm_dims, shape_str(g, &x->shape));
    need_fixed(g, l, x, x->shape.rank - (int)l->norm_dims, loc);
    Shape ns = {(int)l->norm_dims, {{0, {0}}}};
    for (int i = 0; i < ns.rank; i++) ns.d[i] = x->shape.d[x->shape.rank - ns.rank + i];
    if (!l->applied) {
        l->applied = true;
        l->in_features = shape_numel(&ns);
        affine_params(g, l, ns);
    } else if (!shape_eq(&ns, &l->params[0]->node->shape) && l->affine) {
        error_at(loc, "LayerNorm '%s' expects trailing axes %s (as at its first use), got %s", l->name,
                 shape_str(g, &l->params[0]->node->shape), shape_str(g, &x->shape));
    }
    return affine(g, l, standardize_rows(g, loc, x, shape_numel(&ns).c, l->eps), ns, loc);
}

/* GroupNorm(groups) over [N, C, ...]: statistics per sample and group of C / groups channels;
 * InstanceNorm is GroupNorm with one channel per group (no affine by default, as PyTorch). */
static Node *groupnorm_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (x->shape.rank < 3) error_at(loc, "%s '%s' expects [N, C, ...spatial], got %s", l->kind->name, l->name, shape_str(g, &x->shape));
    need_fixed(g, l, x, 1, loc);
    int64_t C = x->shape.d[1].c, G = l->kind->name[0] == 'I' ? C : l->groups;
    if (C % G) error_at(loc, "GroupNorm '%s': groups = %lld must divide the channels, %lld", l->name, (long long)G, (long long)C);
    Shape cs = shape_of(1, (Dim[]){dim_const(C)});
    if (!l->applied) {
        l->applied = true;
        l->in_features = dim_const(C);
        affine_params(g, l, cs);
    } else if (!dim_eq(l->in_features, dim_const(C))) {
        error_at(loc, "%s '%s' expects %lld channels (as at its first use), got %lld", l->kind->name, l->name,
                 (long long)l->in_features.c, (long long)C);
    }
    Dim per = dim_const(1);
    for (int i = 2; i < x->shape.rank; i++) per = dim_mul(per, x->shape.d[i]);
    Node *y = standardize_rows(g, loc, x, C / G * per.c, l->eps);   /* a group's channels are contiguous */
    Shape chan = x->shape;
    chan.rank = x->shape.rank - 1;
    for (int i = 0; i < chan.rank; i++) chan.d[i] = i == 0 ? dim_const(C) : dim_const(1);
    return affine(g, l, y, chan, loc);
}

/* ---- Embedding(vocab, dim, padding_idx = none): ids [...] -> rows of a [vocab, dim] table ---- */
static void embedding_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"vocab", "dim", "padding_idx", "scale", NULL};
    check_call_args(call, 2, kw, "Embedding");
    l->scale = bool_arg(call, -1, "scale", false, "Embedding");
    Ast *v = call_arg(call, 0, "vocab"), *d = call_arg(call, 1, "dim"), *p = call_arg(call, 2, "padding_idx");
    if (!v || !d) error_at(call->loc, "Embedding needs the vocabulary size and the vector size, e.g. Embedding(vocab, 64)");
    l->in_features = dim_const(const_int(v, "Embedding vocab", 1, 1 << 24));
    l->units = const_int(d, "Embedding dim", 1, 1 << 20);
    l->padding_idx = p ? const_int(p, "Embedding padding_idx", 0, l->in_features.c - 1) : -1;
}

/* torch.nn.Embedding: weight [vocab, dim] ~ N(0, 1), the padding row zeros and never updated */
static Node *embedding_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (is_float(x->dtype))
        error_at(loc, "Embedding '%s' looks up integer ids (i32 or i64), got %s%s", l->name, dtype_keyword(x->dtype),
                 shape_str(g, &x->shape));
    if (!l->applied) {
        l->applied = true;
        Param *w = add_param(g, fmt("%s.weight", l->name), shape_of(2, (Dim[]){l->in_features, dim_const(l->units)}),
                             INIT_NORMAL, 1.0, l->loc);
        w->zero_row = l->padding_idx;
        l->params[l->nparams++] = w;
    }
    Shape s = x->shape;
    if (s.rank == DLRT_MAX_RANK) error_at(loc, "Embedding '%s': the ids have too many axes", l->name);
    s.d[s.rank++] = dim_const(l->units);
    Node *y = new_node_attr(g, OP_EMBED, loc, 2, (Node *[]){l->params[0]->node, x}, (int64_t[8]){l->padding_idx}, s);
    y->dtype = g->fdtype;
    if (l->scale) y = node2(g, OP_MUL, loc, y, cnst(g, loc, sqrt((double)l->units), y));
    return y;
}

/* ---- positions: PositionalEncoding() adds the fixed sinusoids of Vaswani et al. (SINUSOID);
 *      PositionEmbedding(max_len) adds learned rows, weight [max_len, D] ~ N(0, 1) as an
 *      nn.Embedding of the positions 0..T-1 (so T may not exceed max_len).  On [N, T, D]. ------ */
static void positions_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"max_len", NULL};
    bool learned = l->kind->name[8] == 'E';
    check_call_args(call, learned, learned ? kw : NULL, l->kind->name);
    if (!learned) return;
    Ast *m = call_arg(call, 0, "max_len");
    if (!m) error_at(call->loc, "PositionEmbedding needs the most positions it serves, e.g. PositionEmbedding(64)");
    l->max_len = const_int(m, "PositionEmbedding max_len", 1, 1 << 20);
}

static Node *positions_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    if (!is_float(x->dtype) || x->shape.rank != 3 || !dim_is_const(x->shape.d[2]))
        error_at(loc, "%s '%s' adds positions to f32[N, T, features] (fixed features), got %s%s", l->kind->name, l->name,
                 dtype_keyword(x->dtype), shape_str(g, &x->shape));
    Dim T = x->shape.d[1], D = x->shape.d[2];
    Shape td = shape_of(2, (Dim[]){T, D});
    if (!l->max_len) return node2(g, OP_ADD, loc, x, new_node_attr(g, OP_SINUSOID, loc, 0, NULL, NULL, td));
    if (!l->applied) {
        l->applied = true;
        l->in_features = D;
        l->params[l->nparams++] = add_param(g, fmt("%s.weight", l->name), shape_of(2, (Dim[]){dim_const(l->max_len), D}),
                                            INIT_NORMAL, 1.0, l->loc);
    } else if (!dim_eq(D, l->in_features)) {
        error_at(loc, "PositionEmbedding '%s' expects %s features (as at its first use), got %s", l->name,
                 dim_str(g, l->in_features), shape_str(g, &x->shape));
    }
    if (dim_is_const(T)) {
        if (T.c > l->max_len)
            error_at(loc, "PositionEmbedding '%s' has %lld positions, fewer than T = %lld of %s", l->name, (long long)l->max_len,
                     (long long)T.c, shape_str(g, &x->shape));
    } else {   /* T symbolic: the memory plan's largest T must fit */
        int k = 0;
        while (k < MAX_SYMS && !(T.c == 1 && T.e[k] == 1)) k++;
        if (k == MAX_SYMS) error_at(loc, "PositionEmbedding '%s' needs T to be one symbol, got %s", l->name, shape_str(g, &x->shape));
        if (!g->sym_cap[k] || l->max_len < g->sym_cap[k]) {
            g->sym_cap[k] = l->max_len;
            g->sym_cap_loc[k] = loc;
        }
    }
    Node *rows = new_node_attr(g, OP_SLICE, loc, 1, &l->params[0]->node, (int64_t[8]){0, 0, 0}, td);
    return node2(g, OP_ADD, loc, x, rows);
}



/* ---- recurrent layers: RNN(hidden, nonlinearity = "tanh"), LSTM(hidden), GRU(hidden), each
 *      with layers = 1, bidirectional = false, dropout = 0, bias = true, return_sequences = true
 * On [N, T, F] (batch first).  Per layer and direction, one GEMM gives every step's input side
 * xg = x W_ih^T + b_ih, and RNN_SEQ runs the recurrence over time-major [T, N, ...] (T may be
 * symbolic: one compiled loop serves every length).  Result [N, T, D*H], or with
 * return_sequences = false [N, D*H]: each direction's final state (t = T-1 forward, t = 0
 * backward), as torch's h_n of the last layer.  Parameters are torch.nn.RNN/LSTM/GRU's:
 * weight_ih_l{k}[_reverse] [G*H, in], weight_hh [G*H, H], bias_ih, bias_hh [G*H], gates
 * i, f, g, o (LSTM) and r, z, n (GRU), all U(-1/sqrt H, 1/sqrt H). */
static void recurrent_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"hidden", "layers", "bidirectional", "dropout", "bias", "return_sequences",
                                     "return_state", "nonlinearity", NULL};
    const char *k = l->kind->name;
    check_call_args(call, 1, kw, k);
    Ast *h = call_arg(call, 0, "hidden"), *a;
    if (!h) error_at(call->loc, "%s needs the hidden size, e.g. %s(128)", k, k);
    l->units = const_int(h, fmt("%s hidden", k), 1, 1 << 16);
    l->nlayers = (a = call_arg(call, -1, "layers")) ? const_int(a, fmt("%s layers", k), 1, 8) : 1;
    l->bidirectional = bool_arg(call, -1, "bidirectional", false, k);
    l->rate = (a = call_arg(call, -1, "dropout")) ? const_number(a, fmt("%s dropout", k)) : 0;
    if (!(l->rate >= 0 && l->rate < 1)) error_at(a->loc, "%s dropout must be in [0, 1), got %g", k, l->rate);
    if (l->rate > 0 && l->nlayers == 1)   /* torch only warns; a setting that does nothing is an error here */
        error_at(a->loc, "%s dropout acts between stacked layers and does nothing with layers = 1; "
                 "apply Dropout(%g) to the output instead", k, l->rate);
    l->bias = bool_arg(call, -1, "bias", true, k);
    l->sequences = bool_arg(call, -1, "return_sequences", true, k);
    l->return_state = bool_arg(call, -1, "return_state", false, k);
    l->cell = k[0] == 'L' ? CELL_LSTM : k[0] == 'G' ? CELL_GRU : CELL_TANH;
    if ((a = call_arg(call, -1, "nonlinearity"))) {
        if (l->cell != CELL_TANH) error_at(a->loc, "%s has no nonlinearity argument (only RNN does)", k);
        if (a->kind != A_STR) error_at(a->loc, "RNN nonlinearity is \"tanh\" or \"relu\" (a string)");
        if (strcmp(a->str, "tanh") && strcmp(a->str, "relu"))
            error_at(a->loc, "RNN nonlinearity is \"tanh\" or \"relu\", got \"%s\"", a->str);
        if (strcmp(a->str, "relu") == 0) l->cell = CELL_RELU;
    }
}

/* one layer's one direction over time-major x [T, N, in]: h of every step, [T, N, H] */
static Node *recurrence(Graph *g, Layer *l, Node *x, int layer, bool reverse, Node *h0, Node *c0, Node **ws_out, Loc loc) {
    Dim T = x->shape.d[0], N = x->shape.d[1], in = x->shape.d[2], H = dim_const(l->units);
    Dim G = dim_const(rnn_gates(l->cell) * l->units);
    const char *sfx = fmt("l%d%s", layer, reverse ? "_reverse" : "");
    double bound = 1.0 / sqrt((double)l->units);
    if (!l->applied) {
        l->params[l->nparams++] = add_param(g, fmt("%s.weight_ih_%s", l->name, sfx), shape_of(2, (Dim[]){G, in}), INIT_UNIFORM, bound, l->loc);
        l->params[l->nparams++] = add_param(g, fmt("%s.weight_hh_%s", l->name, sfx), shape_of(2, (Dim[]){G, H}), INIT_UNIFORM, bound, l->loc);
        mark_weight(l, l->params[l->nparams - 2]);
        mark_weight(l, l->params[l->nparams - 1]);
        if (l->bias) {
            l->params[l->nparams++] = add_param(g, fmt("%s.bias_ih_%s", l->name, sfx), shape_of(1, &G), INIT_UNIFORM, bound, l->loc);
            l->params[l->nparams++] = add_param(g, fmt("%s.bias_hh_%s", l->name, sfx), shape_of(1, &G), INIT_UNIFORM, bound, l->loc);
        }
    }
    Param **w = &l->params[(layer * (l->bidirectional ? 2 : 1) + reverse) * (l->bias ? 4 : 2)];
    Dim TN = dim_mul(T, N);
    Node *xg = new_matmul(g, loc, new_reshape(g, loc, x, shape_of(2, (Dim[]){TN, in})), w[0]->node, 0, 1);
    if (l->bias) xg = node2(g, OP_ADD, loc, xg, w[2]->node);
    xg = new_reshape(g, loc, xg, shape_of(3, (Dim[]){T, N, G}));
    /* w_hh^T [H, GH] as an input too: each step's small product reads it in place, so its rows
     * are padded (UNSLICE into zeros) to a stride that does not alias in the cache */
    Node *wt = node1(g, OP_TRANSPOSE, loc, w[1]->node);
    Dim ld = dim_const(gemm_padded_ld(G.c, (int)dlrt_dtype_size(wt->dtype)));
    wt = new_node_attr(g, OP_UNSLICE, loc, 1, &wt, (int64_t[8]){1, 0, 0}, shape_of(2, (Dim[]){H, ld}));
    Node *in_[MAX_IN] = {xg, w[1]->node, wt};
    int nin = 3;
    if (l->bias) in_[nin++] = w[3]->node;
    if (h0) in_[nin++] = h0;
    if (c0) in_[nin++] = c0;
    int64_t ia[8] = {[RNN_CELL] = l->cell, [RNN_REVERSE] = reverse, [RNN_BIAS] = l->bias, [RNN_H0] = h0 != NULL,
                     [RNN_C0] = c0 != NULL};
    Node *ws = new_node_attr(g, OP_RNN_SEQ, loc, nin, in_, ia, shape_of(4, (Dim[]){dim_const(rnn_slabs(l->cell)), T, N, H}));
    ws->extra = dim_mul(N, G);   /* scratch: the step's hidden-side product */
    *ws_out = ws;
    Node *h = new_node_attr(g, OP_SLICE, loc, 1, &ws, (int64_t[8]){0, 0, 0}, shape_of(4, (Dim[]){dim_const(1), T, N, H}));
    return new_reshape(g, loc, h, shape_of(3, (Dim[]){T, N, H}));
}

static Node *concat_last(Graph *g, Node *a, Node *b, Loc loc) {
    Shape s = a->shape;
    int ax = s.rank - 1;
    s.d[ax] = dim_const(a->shape.d[ax].c + b->shape.d[ax].c);
    return new_node_attr(g, OP_CONCAT, loc, 2, (Node *[]){a, b}, (int64_t[8]){ax}, s);
}

/* The state at time index 0, or T-1 (last), of [T, N, H] as [N, H]: the final state of a
 * direction (T-1 forward, 0 backward). */
static Node *at_time(Graph *g, Node *h, bool last, Loc loc) {
    Node *s = new_node_attr(g, OP_SLICE, loc, 1, &h, (int64_t[8]){0, last, last},
                            shape_of(3, (Dim[]){dim_const(1), h->shape.d[1], h->shape.d[2]}));
    return new_reshape(g, loc, s, shape_of(2, (Dim[]){h->shape.d[1], h->shape.d[2]}));
}

/* LSTM's cells c of every step, [T, N, H], from RNN_SEQ's saved states [S, T, N, H] */
static Node *cells(Graph *g, Node *ws, Loc loc) {
    Dim T = ws->shape.d[1], N = ws->shape.d[2], H = ws->shape.d[3];
    Node *s = new_node_attr(g, OP_SLICE, loc, 1, &ws, (int64_t[8]){0, 1, 0}, shape_of(4, (Dim[]){dim_const(1), T, N, H}));
    return new_reshape(g, loc, s, shape_of(3, (Dim[]){T, N, H}));
}

/* Initial state k of [N, S, H] (k = layer * D + direction, torch's order) as [N, H]. */
static Node *initial_state(Graph *g, Node *st, int k, Loc loc) {
    Dim N = st->shape.d[0], H = st->shape.d[2];
    Node *s = new_node_attr(g, OP_SLICE, loc, 1, &st, (int64_t[8]){1, k, 0}, shape_of(3, (Dim[]){N, dim_const(1), H}));
    return new_reshape(g, loc, s, shape_of(2, (Dim[]){N, H}));
}

/* [N, H] pieces stacked along a new axis 1: [N, n, H] */
static Node *stack_states(Graph *g, Node **piece, int n, Loc loc) {
    Node *acc = NULL;
    for (int k = 0; k < n; k++) {
        Dim N = piece[k]->shape.d[0], H = piece[k]->shape.d[1];
        Node *p = new_reshape(g, loc, piece[k], shape_of(3, (Dim[]){N, dim_const(1), H}));
        if (!acc) { acc = p; continue; }
        Shape s = shape_of(3, (Dim[]){N, dim_const(acc->shape.d[1].c + 1), H});
        acc = new_node_attr(g, OP_CONCAT, loc, 2, (Node *[]){acc, p}, (int64_t[8]){1}, s);
    }
    return acc;
}

/* An initial state given to the layer must be float [N, layers * D, hidden]. */
static void check_state(Graph *g, Layer *l, Node *st, Dim N, const char *what, Loc loc) {
    int64_t S = l->nlayers * (l->bidirectional ? 2 : 1);
    Shape want = shape_of(3, (Dim[]){N, dim_const(S), dim_const(l->units)});
    if (!is_float(st->dtype) || !shape_eq(&st->shape, &want))
        error_at(loc, "%s '%s' takes its initial %s as %s%s ([batch, layers * directions, hidden]), got %s%s",
                 l->kind->name, l->name, what, dtype_keyword(g->fdtype), shape_str(g, &want), dtype_keyword(st->dtype),
                 shape_str(g, &st->shape));
}

static Node *recurrent_apply(Graph *g, Layer *l, Node *x, Loc loc) {
    const char *k = l->kind->name;
    if (x->shape.rank != 3 || !is_float(x->dtype))
        error_at(loc, "%s '%s' expects a float sequence [N, T, features], got %s%s%s", k, l->name, dtype_keyword(x->dtype),
                 shape_str(g, &x->shape), is_float(x->dtype) ? "" : " (token ids? look them up with an Embedding first)");
    Dim F = x->shape.d[2];
    if (!dim_is_const(F))
        error_at(loc, "%s '%s' needs a fixed feature size, got %s", k, l->name, shape_str(g, &x->shape));
    if (l->applied && !dim_eq(F, l->in_features))
        error_at(loc, "%s '%s' expects %s features per step (as at its first use), got %s", k, l->name,
                 dim_str(g, l->in_features), shape_str(g, &x->shape));
    l->in_features = F;
    Node **init = &l->in[1];   /* h0, c0 [N, S, H] or NULL */
    for (int k = 0; k < 2; k++)
        if (init[k]) check_state(g, l, init[k], x->shape.d[0], k ? "cell state c0" : "hidden state h0", l->in_loc[1 + k]);
    Node *h = new_node_attr(g, OP_PERMUTE, loc, 1, &x, (int64_t[8]){1, 0, 2},
                            shape_of(3, (Dim[]){x->shape.d[1], x->shape.d[0], F}));
    int D = l->bidirectional ? 2 : 1;
    Node *fwd = NULL, *bwd = NULL, *fin[2][16];   /* final h (and c) per layer and direction */
    for (int layer = 0; layer < l->nlayers; layer++) {
        if (layer && l->rate > 0) {   /* between layers, as torch's dropout argument */
            h = node1(g, OP_DROPOUT, loc, h);
            h->fattr[0] = l->rate;
            h->iattr[0] = h->id;
        }
        Node *dir[2] = {NULL, NULL};
        for (int d = 0; d < D; d++) {
            int k = layer * D + d;
            Node *ws, *h0 = init[0] ? initial_state(g, init[0], k, loc) : NULL;
            Node *c0 = init[1] ? initial_state(g, init[1], k, loc) : NULL;
            dir[d] = recurrence(g, l, h, layer, d == 1, h0, c0, &ws, loc);
            if (l->return_state || (!l->sequences && layer == l->nlayers - 1)) fin[0][k] = at_time(g, dir[d], d == 0, loc);
            if (l->return_state && l->cell == CELL_LSTM) fin[1][k] = at_time(g, cells(g, ws, loc), d == 0, loc);
        }
        fwd = dir[0];
        bwd = dir[1];
        h = bwd ? concat_last(g, fwd, bwd, loc) : fwd;
    }
    l->applied = true;
    int S = l->nlayers * D;
    l->extra_out[0] = l->return_state ? stack_states(g, fin[0], S, loc) : NULL;
    l->extra_out[1] = l->return_state && l->cell == CELL_LSTM ? stack_states(g, fin[1], S, loc) : NULL;
    if (!l->sequences) return bwd ? concat_last(g, fin[0][S - 2], fin[0][S - 1], loc) : fin[0][S - 1];
    Dim T = h->shape.d[0], N = h->shape.d[1];
    return new_node_attr(g, OP_PERMUTE, loc, 1, &h, (int64_t[8]){1, 0, 2}, shape_of(3, (Dim[]){N, T, h->shape.d[2]}));
}

/* ---- MultiHeadAttention(heads, dropout = 0, bias = true, causal = false, pad = 0,
 *      return_weights = false): torch.nn.MultiheadAttention with batch_first --------------------
 * Applied as attn(query), attn(query, key) or attn(query, key, value) (a missing key is the
 * query, a missing value the key), with keyword inputs mask = ids [N, S] (keys whose id is
 * `pad` are hidden) or lengths = [N] (keys j >= length hidden).  query [N, T, E], key
 * [N, S, kdim], value [N, S, vdim]; `heads` must divide E.  Each head h of width dh = E/heads
 * computes softmax(q_h k_h^T / sqrt dh) v_h; the heads are concatenated and projected: result
 * [N, T, E], and with return_weights the weights averaged over heads [N, T, S] (torch's
 * average_attn_weights).  Parameters as torch's: in_proj_weight [3E, E] (q, k, v rows), or
 * q_proj_weight [E, E], k_proj_weight [E, kdim], v_proj_weight [E, vdim] when kdim or vdim is
 * not E; in_proj_bias [3E]; out_proj.weight [E, E], out_proj.bias [E]; initialized as torch
 * does (xavier-uniform projections, zero biases).  Training materializes the weights
 * [N, H, T, S] (ATTN_SOFTMAX: the backward needs them); inference streams over key tiles
 * (ATTENTION) unless the weights are asked for. */
static void mha_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"heads", "dropout", "bias", "causal", "pad", "return_weights", NULL};
    check_call_args(call, 1, kw, "MultiHeadAttention");
    Ast *h = call_arg(call, 0, "heads"), *a;
    if (!h) error_at(call->loc, "MultiHeadAttention needs the number of heads, e.g. MultiHeadAttention(4)");
    l->heads = const_int(h, "MultiHeadAttention heads", 1, 1 << 12);
    l->rate = (a = call_arg(call, -1, "dropout")) ? const_number(a, "MultiHeadAttention dropout") : 0;
    if (!(l->rate >= 0 && l->rate < 1)) error_at(a->loc, "MultiHeadAttention dropout must be in [0, 1), got %g", l->rate);
    l->bias = bool_arg(call, -1, "bias", true, "MultiHeadAttention");
    l->causal = bool_arg(call, -1, "causal", false, "MultiHeadAttention");
    l->pad_id = (a = call_arg(call, -1, "pad")) ? const_int(a, "MultiHeadAttention pad", -(1LL << 31), (1LL << 31) - 1) : 0;
    l->return_state = bool_arg(call, -1, "return_weights", false, "MultiHeadAttention");
}

/* A [N, L, width] input of an attention layer, checked. */
static void attn_operand(Graph *g, Layer *l, Node *x, const char *what, Loc loc) {
    if (!is_float(x->dtype) || x->shape.rank != 3)
        error_at(loc, "MultiHeadAttention '%s' takes its %s as f32[N, length, features], got %s%s", l->name, what,
                 dtype_keyword(x->dtype), shape_str(g, &x->shape));
    if (!dim_is_const(x->shape.d[2]))
        error_at(loc, "MultiHeadAttention '%s' needs a fixed %s width, got %s", l->name, what, shape_str(g, &x->shape));
}

/* rows [j E, (j+1) E) of a stacked projection parameter */
static Node *rows_of(Graph *g, Param *p, int j, int64_t E, Loc loc) {
    Shape s = p->node->shape;
    s.d[0] = dim_const(E);
    return new_node_attr(g, OP_SLICE, loc, 1, &p->node, (int64_t[8]){0, j * E, 0}, s);
}

/* x [N, L, in] projected by w [E, in] (+ b) and split into heads: [N, heads, L, dh] */
static Node *to_heads(Graph *g, Layer *l, Node *x, Node *w, Node *b, Loc loc) {
    Dim N = x->shape.d[0], L = x->shape.d[1];
    int64_t E = w->shape.d[0].c, dh = E / l->heads;
    Node *y = new_matmul(g, loc, x, w, 0, 1);
    if (b) y = node2(g, OP_ADD, loc, y, b);
    y = new_reshape(g, loc, y, shape_of(4, (Dim[]){N, L, dim_const(l->heads), dim_const(dh)}));
    return new_node_attr(g, OP_PERMUTE, loc, 1, &y, (int64_t[8]){0, 2, 1, 3}, shape_of(4, (Dim[]){N, dim_const(l->heads), L, dim_const(dh)}));
}

static Node *mha_apply(Graph *g, Layer *l, Node *q, Loc loc) {
    Node *k = l->in[1] ? l->in[1] : q, *v = l->in[2] ? l->in[2] : k, *ids = l->in[3], *lens = l->in[4];
    Loc kloc = l->in[1] ? l->in_loc[1] : loc, vloc = l->in[2] ? l->in_loc[2] : kloc;
    attn_operand(g, l, q, "query", loc);
    attn_operand(g, l, k, "key", kloc);
    attn_operand(g, l, v, "value", vloc);
    Dim N = q->shape.d[0], T = q->shape.d[1], S = k->shape.d[1];
    int64_t E = q->shape.d[2].c, H = l->heads;
    if (E % H) error_at(loc, "MultiHeadAttention '%s': heads = %lld must divide the query width E = %lld", l->name, (long long)H, (long long)E);
    if (!dim_eq(k->shape.d[0], N) || !dim_eq(v->shape.d[0], N) || !dim_eq(v->shape.d[1], S))
        error_at(l->in[2] ? vloc : kloc, "MultiHeadAttention '%s': key %s and value %s must have the query's batch and one length, query %s",
                 l->name, shape_str(g, &k->shape), shape_str(g, &v->shape), shape_str(g, &q->shape));
    if (l->causal && !dim_eq(T, S))
        error_at(loc, "MultiHeadAttention '%s' is causal, so queries and keys must have one length; got query %s and key %s",
                 l->name, shape_str(g, &q->shape), shape_str(g, &k->shape));
    if (ids && lens) error_at(l->in_loc[4], "MultiHeadAttention '%s' takes a mask or lengths, not both", l->name);
    Node *key = ids ? ids : lens;
    if (key) {
        Loc at = ids ? l->in_loc[3] : l->in_loc[4];
        Shape want = ids ? shape_of(2, (Dim[]){N, S}) : shape_of(1, &N);
        if (is_float(key->dtype) || !shape_eq(&key->shape, &want))
            error_at(at, "MultiHeadAttention '%s' takes %s as integer %s (%s), got %s%s", l->name, ids ? "mask" : "lengths",
                     shape_str(g, &want), ids ? "each key's token id; ids equal to pad are hidden" : "keys past the length are hidden",
                     dtype_keyword(key->dtype), shape_str(g, &key->shape));
    }
    Dim kd = k->shape.d[2], vd = v->shape.d[2];
    if (!l->applied) {
        l->applied = true;
        l->in_features = dim_const(E);
        l->key_features[0] = kd;
        l->key_features[1] = vd;
        if (kd.c == E && vd.c == E) {
            l->params[l->nparams++] = add_param(g, fmt("%s.in_proj_weight", l->name), shape_of(2, (Dim[]){dim_const(3 * E), dim_const(E)}),
                                                INIT_UNIFORM, sqrt(6.0 / (double)(4 * E)), l->loc);
        } else {
            const char *nm[3] = {"q", "k", "v"};
            Dim in[3] = {dim_const(E), kd, vd};
            for (int j = 0; j < 3; j++)
                l->params[l->nparams++] = add_param(g, fmt("%s.%s_proj_weight", l->name, nm[j]), shape_of(2, (Dim[]){dim_const(E), in[j]}),
                                                    INIT_UNIFORM, sqrt(6.0 / (double)(E + in[j].c)), l->loc);
        }
        if (l->bias) l->params[l->nparams++] = add_param(g, fmt("%s.in_proj_bias", l->name), shape_of(1, (Dim[]){dim_const(3 * E)}), INIT_ZEROS, 0, l->loc);
        Param *wo = l->params[l->nparams++] = add_param(g, fmt("%s.out_proj.weight", l->name), shape_of(2, (Dim[]){dim_const(E), dim_const(E)}),
                                                        INIT_UNIFORM, 1.0 / sqrt((double)E), l->loc);
        mark_weight(l, wo);
        if (l->bias) l->params[l->nparams++] = add_param(g, fmt("%s.out_proj.bias", l->name), shape_of(1, (Dim[]){dim_const(E)}), INIT_ZEROS, 0, l->loc);
    } else if (!dim_eq(l->in_features, dim_const(E)) || !dim_eq(l->key_features[0], kd) || !dim_eq(l->key_features[1], vd)) {
        error_at(loc, "MultiHeadAttention '%s' expects query, key and value widths %s, %s, %s (as at its first use), got %s, %s, %s", l->name,
                 dim_str(g, l->in_features), dim_str(g, l->key_features[0]), dim_str(g, l->key_features[1]), shape_str(g, &q->shape),
                 shape_str(g, &k->shape), shape_str(g, &v->shape));
    }
    bool stacked = kd.c == E && vd.c == E;
    Param *bias = l->bias ? l->params[stacked ? 1 : 3] : NULL;
    Node *x[3] = {q, k, v}, *hx[3];
    for (int j = 0; j < 3; j++) {
        Node *w = stacked ? rows_of(g, l->params[0], j, E, loc) : l->params[j]->node;
        hx[j] = to_heads(g, l, x[j], w, bias ? rows_of(g, bias, j, E, loc) : NULL, loc);
    }
    int64_t ia[8] = {[ATT_CAUSAL] = l->causal, [ATT_KEYS] = ids ? ATT_KEY_IDS : lens ? ATT_KEY_LENGTHS : ATT_KEY_NONE,
                     [ATT_PAD] = l->pad_id};
    double scale = 1.0 / sqrt((double)(E / H));
    Node *scores = new_bmm(g, loc, hx[0], hx[1], 0, 1, 2);   /* [N, H, T, S] */
    Node *sin[2] = {scores, key};
    Node *p = new_node_attr(g, OP_ATTN_SOFTMAX, loc, key ? 2 : 1, sin, ia, scores->shape);
    p->fattr[0] = scale;
    if (l->rate > 0) {
        p = node1(g, OP_DROPOUT, loc, p);
        p->fattr[0] = l->rate;
        p->iattr[0] = p->id;
    }
    Node *ctx = new_bmm(g, loc, p, hx[2], 0, 0, 2);            /* [N, H, T, dh] */
    if (!l->return_state) {   /* inference streams */
        Node *ain[4] = {hx[0], hx[1], hx[2], key};
        Node *st = new_node_attr(g, OP_ATTENTION, loc, key ? 4 : 3, ain, ia, ctx->shape);
        st->fattr[0] = scale;
        st->extra = dim_const(ATT_BR * ATT_BC + ATT_BR * (E / H) + 2 * ATT_BR);
        ctx = node2(g, OP_TRAIN_EVAL, loc, ctx, st);
    }
    ctx = new_node_attr(g, OP_PERMUTE, loc, 1, &ctx, (int64_t[8]){0, 2, 1, 3}, shape_of(4, (Dim[]){N, T, dim_const(H), dim_const(E / H)}));
    ctx = new_reshape(g, loc, ctx, shape_of(3, (Dim[]){N, T, dim_const(E)}));
    Param *wo = l->params[stacked ? (l->bias ? 2 : 1) : (l->bias ? 4 : 3)];
    Node *y = new_matmul(g, loc, ctx, wo->node, 0, 1);
    if (l->bias) y = node2(g, OP_ADD, loc, y, l->params[l->nparams - 1]->node);
    if (l->return_state) {   /* weights averaged over heads, [N, T, S] */
        Node *avg = new_node_attr(g, OP_MEAN_TO, loc, 1, &p, NULL, shape_of(4, (Dim[]){N, dim_const(1), T, S}));
        l->extra_out[0] = new_reshape(g, loc, avg, shape_of(3, (Dim[]){N, T, S}));
    }
    return y;
}

static const char *const x_in[] = {"x", NULL}, *const h_in[] = {"x", "h0", NULL}, *const hc_in[] = {"x", "h0", "c0", NULL};
static const char *const attn_in[] = {"query", "key", "value", "mask", "lengths", NULL};

static const LayerKind kinds[] = {
    {"Embedding", embedding_make, embedding_apply, x_in},
    {"RNN", recurrent_make, recurrent_apply, h_in},
    {"LSTM", recurrent_make, recurrent_apply, hc_in},
    {"GRU", recurrent_make, recurrent_apply, h_in},
    {"MultiHeadAttention", mha_make, mha_apply, attn_in},
    {"PositionalEncoding", positions_make, positions_apply, x_in},
    {"PositionEmbedding", positions_make, positions_apply, x_in},
    {"BatchNorm", norm_make, batchnorm_apply, x_in},
    {"LayerNorm", norm_make, layernorm_apply, x_in},
    {"GroupNorm", norm_make, groupnorm_apply, x_in},
    {"InstanceNorm", norm_make, groupnorm_apply, x_in},
    {"Dense", dense_make, dense_apply, x_in},
    {"Conv2D", conv_make, conv_apply, x_in},
    {"Conv1D", conv_make, conv_apply, x_in},
    {"MaxPool2D", pool_make, pool_apply, x_in},
    {"AvgPool2D", pool_make, pool_apply, x_in},
    {"MaxPool1D", pool_make, pool_apply, x_in},
    {"AvgPool1D", pool_make, pool_apply, x_in},
    {"GlobalAvgPool", gap_make, gap_apply, x_in},
    {"Dropout", dropout_make, dropout_apply, x_in},
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

const LayerKind *find_layer_kind(const char *name) {
    for (int i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i].name, name) == 0) return &kinds[i];
    return NULL;
}

const char *const *layer_kind_names(int *n) {
    static const char *names[NKINDS];
    for (int i = 0; i < NKINDS; i++) names[i] = kinds[i].name;
    *n = NKINDS;
    return names;
}

Layer *new_layer(const LayerKind *k, const char *name, Loc loc, Ast *call) {
    Layer *l = xcalloc(1, sizeof *l);
    l->kind = k;
    l->name = name;
    l->loc = loc;
    k->make(l, call);
    return l;
}

int apply_layer(Graph *g, Layer *l, Node **in, const Loc *in_loc, int nin, Node **out, Loc loc) {
    if (!in[0]) unreachable();
    for (int k = 0; k < LAYER_MAX_INPUTS; k++) {
        l->in[k] = k < nin ? in[k] : NULL;
        if (l->in[k]) l->in_loc[k] = in_loc[k];
    }
    out[0] = l->kind->apply(g, l, in[0], loc);
    int nout = 1;
    for (int k = 0; k < 2; k++)
        if (l->extra_out[k]) out[nout++] = l->extra_out[k];
    memset(l->in, 0, sizeof l->in);
    memset(l->extra_out, 0, sizeof l->extra_out);
    return nout;
}
const char *const *layer_inputs(const Layer *l) { return l->kind->inputs; }
const char *layer_name(const Layer *l) { return l->name; }
const char *layer_kind_name(const Layer *l) { return l->kind->name; }
int layer_params(const Layer *l, Param **out) {
    for (int i = 0; i < l->nparams; i++) out[i] = l->params[i];
    return l->nparams;
}
