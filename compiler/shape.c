/* shape.c — shape rules, one per op (the `shape` column of ops.h).  A rule sets the node's
 * shape and dtype from its inputs or reports a user error at the node's .dlm location, naming
 * both shapes.  Ops whose shape is given by their constructor (leaves, views, sum_to) have none. */
#include "dlc.h"

static void need_float(Graph *g, Node *n, Node *x) {
    (void)g;
    if (!is_float(x->dtype))
        error_at(n->loc, "%s needs a floating-point tensor, got %s", op_text[n->op],
                 dtype_keyword(x->dtype));
}

static void shape_same(Graph *g, Node *n) {
    for (int i = 1; i < n->nin; i++)
        if (!shape_eq(&n->in[i]->shape, &n->in[0]->shape))
            error_at(n->loc, "%s: shapes differ: %s and %s", op_text[n->op],
                     shape_str(g, &n->in[0]->shape), shape_str(g, &n->in[i]->shape));
    if (n->op != OP_COPY) need_float(g, n, n->in[0]);
    n->shape = n->in[0]->shape;
}

static void shape_like1(Graph *g, Node *n) {   /* gradients shaped like their input 1 */
    (void)g;
    n->shape = n->in[1]->shape;
    n->dtype = n->in[1]->dtype;
}

/* How the user wrote the op: '+' rather than add. */
static const char *op_written(Op op) {
    switch (op) {
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    default: return op_text[op];
    }
}

/* numpy broadcasting: align trailing dims; each pair equal or one of them 1. */
static void shape_broadcast(Graph *g, Node *n) {
    Node *a = n->in[0], *b = n->in[1];
    if (a->dtype != b->dtype)
        error_at(n->loc, "'%s' of %s and %s tensors (convert one of them)", op_written(n->op),
                 dtype_keyword(a->dtype), dtype_keyword(b->dtype));
    need_float(g, n, a);
    int r = a->shape.rank > b->shape.rank ? a->shape.rank : b->shape.rank;
    Shape s = {r, {{0, {0}}}};
    for (int i = 0; i < r; i++) {
        int ia = a->shape.rank - r + i, ib = b->shape.rank - r + i;
        Dim da = ia >= 0 ? a->shape.d[ia] : dim_const(1);
        Dim db = ib >= 0 ? b->shape.d[ib] : dim_const(1);
        if (dim_eq(da, db) || dim_eq(db, dim_const(1))) s.d[i] = da;
        else if (dim_eq(da, dim_const(1))) s.d[i] = db;
        else
            error_at(n->loc, "cannot broadcast %s and %s for '%s' (dimension %d: %s vs %s)",
                     shape_str(g, &a->shape), shape_str(g, &b->shape), op_written(n->op), i,
                     dim_str(g, da), dim_str(g, db));
    }
    n->shape = s;
}

static void shape_transpose(Graph *g, Node *n) {
    Node *x = n->in[0];
    if (x->shape.rank < 2) error_at(n->loc, "transpose needs at least 2 axes, got %s", shape_str(g, &x->shape));
    n->shape = x->shape;
    n->shape.d[x->shape.rank - 2] = x->shape.d[x->shape.rank - 1];
    n->shape.d[x->shape.rank - 1] = x->shape.d[x->shape.rank - 2];
}

/* op(a) . op(b) where each operand is seen as a matrix [rows, last]; a kept dims that are not
 * contracted: out = (ta ? [a.last] : a.rows...) ++ (tb ? b.rows... : [b.last]). */
static void shape_matmul(Graph *g, Node *n) {
    Node *a = n->in[0], *b = n->in[1];
    bool ta = n->iattr[0], tb = n->iattr[1];
    int nb = (int)n->iattr[2];
    need_float(g, n, a);
    if (a->shape.rank < 1 || b->shape.rank < 1) ICE("matmul of a scalar");
    if (nb && (a->shape.rank != nb + 2 || b->shape.rank != nb + 2)) ICE("batched matmul of ranks %d and %d", a->shape.rank, b->shape.rank);
    for (int i = 0; i < nb; i++)
        if (!dim_eq(a->shape.d[i], b->shape.d[i]))
            error_at(n->loc, "batched matrix product of %s and %s: batch axes differ", shape_str(g, &a->shape),
                     shape_str(g, &b->shape));
    MatDims d = matmul_dims(n);
    if (!dim_eq(d.ka, d.kb))
        error_at(n->loc, "matrix product of %s and %s: inner sizes %s and %s differ",
                 shape_str(g, &a->shape), shape_str(g, &b->shape), dim_str(g, d.ka), dim_str(g, d.kb));
    Shape s = {0, {{0, {0}}}};
    if (nb) {   /* [batch..., m, n] */
        for (int i = 0; i < nb; i++) s.d[s.rank++] = a->shape.d[i];
        s.d[s.rank++] = d.m;
        s.d[s.rank++] = d.n;
        n->shape = s;
        return;
    }
    if (ta) s.d[s.rank++] = a->shape.d[a->shape.rank - 1];
    else
        for (int i = 0; i + 1 < a->shape.rank; i++) s.d[s.rank++] = a->shape.d[i];
    if (tb)
        for (int i = 0; i + 1 < b->shape.rank; i++) s.d[s.rank++] = b->shape.d[i];
    else s.d[s.rank++] = b->shape.d[b->shape.rank - 1];
    n->shape = s;
}

/* (logits [..., C], labels [...]) with integer labels; the result is a scalar. */
static void check_class_pair(Graph *g, Node *n) {
    Node *x = n->in[0], *y = n->in[1];
    need_float(g, n, x);
    if (is_float(y->dtype))
        error_at(n->loc, "%s wants integer class labels as its second argument, got %s%s",
                 op_text[n->op], dtype_keyword(y->dtype), shape_str(g, &y->shape));
    if (x->shape.rank < 1)
        error_at(n->loc, "%s: logits must have a class axis, got %s", op_text[n->op], shape_str(g, &x->shape));
    Shape want = x->shape;
    want.rank = x->shape.rank - 1;
    if (x->shape.rank < 1 || !shape_eq(&want, &y->shape))
        error_at(n->loc, "%s: logits %s and labels %s do not match (labels should be %s)",
                 op_text[n->op], shape_str(g, &x->shape), shape_str(g, &y->shape),
                 shape_str(g, &want));
    n->shape.rank = 0;
}

static void shape_loss_ce(Graph *g, Node *n) {
    check_class_pair(g, n);
    if (n->nin == 3) {   /* class weights, one per class */
        Node *x = n->in[0], *w = n->in[2];
        if (w->shape.rank != 1 || !dim_eq(w->shape.d[0], x->shape.d[x->shape.rank - 1]))
            error_at(n->loc, "%s: %s class weights for logits %s", op_text[n->op], shape_str(g, &w->shape), shape_str(g, &x->shape));
    }
    n->dtype = n->in[0]->dtype;
    if (n->op == OP_CROSS_ENTROPY) {   /* scratch (lower_cross_entropy): each row's e^(x - max), then 3 sums per row */
        Shape *xs = &n->in[0]->shape;
        Dim cls = xs->d[xs->rank - 1];
        n->extra = dim_mul(shape_rows(xs), dim_is_const(cls) ? dim_const(cls.c + 3) : dim_mul(cls, dim_const(4)));
    }
}
static void shape_metric_acc(Graph *g, Node *n) { check_class_pair(g, n); }

static void shape_loss_mse(Graph *g, Node *n) {
    Node *a = n->in[0], *b = n->in[1];
    need_float(g, n, a);
    if (a->dtype != b->dtype || !shape_eq(&a->shape, &b->shape))
        error_at(n->loc, "mse: prediction %s%s and target %s%s differ", dtype_keyword(a->dtype),
                 shape_str(g, &a->shape), dtype_keyword(b->dtype), shape_str(g, &b->shape));
    n->shape.rank = 0;
}

#define X(name, text, arity, flags, shape, grad, lower, scalar) shape,
static ShapeFn *const shape_rule[OP_COUNT] = {DLC_OPS(X)};
#undef X

void infer_shape(Graph *g, Node *n) {
    if (shape_rule[n->op]) shape_rule[n->op](g, n);
}
