/* graph.c — the graph IR: typed SSA tensor ops with shapes, built in a valid execution order.
 *
 * Nodes are created through new_node, which runs the op's shape rule (shape.c) at once, so
 * every node has its shape from birth and a shape error points at the .dlm location that made
 * it.  Dimensions are monomials over the model's symbolic dims (N, T, ...), e.g. 784 or 28*N. */
#include <string.h>

#include "dlc.h"

#define X(name, text, arity, flags, shape, grad, lower, scalar) text,
const char *const op_text[OP_COUNT] = {DLC_OPS(X)};
#undef X
#define X(name, text, arity, flags, shape, grad, lower, scalar) arity,
const int op_arity[OP_COUNT] = {DLC_OPS(X)};
#undef X
#define X(name, text, arity, flags, shape, grad, lower, scalar) flags,
const int op_flags[OP_COUNT] = {DLC_OPS(X)};
#undef X

Graph *new_graph(void) {
    Graph *g = xcalloc(1, sizeof *g);
    g->fdtype = DLRT_F32;
    return g;
}

bool is_float(dlrt_dtype t) { return t == DLRT_F32 || t == DLRT_F64; }

/* Make a node with integer attributes `ia` (or NULL) set before its shape rule runs. */
static Node *make_node(Graph *g, Op op, Loc loc, int nin, Node **in, const int64_t *ia) {
    if (op_arity[op] >= 0 && nin != op_arity[op])
        ICE("%s made with %d inputs, wants %d", op_text[op], nin, op_arity[op]);
    Node *n = xcalloc(1, sizeof *n);
    n->id = g->nodes.n;
    n->op = op;
    n->loc = loc;
    n->nin = nin;
    for (int i = 0; i < nin; i++) {
        if (!in[i]) ICE("%s: input %d is null", op_text[op], i);
        n->in[i] = in[i];
    }
    n->dtype = nin ? in[0]->dtype : g->fdtype;
    if (ia) memcpy(n->iattr, ia, sizeof n->iattr);
    vec_push(&g->nodes, n);
    infer_shape(g, n);
    check_size(g, n);
    return n;
}

Node *new_node(Graph *g, Op op, Loc loc, int nin, Node **in) { return make_node(g, op, loc, nin, in, NULL); }

Node *new_node_attr(Graph *g, Op op, Loc loc, int nin, Node **in, const int64_t *ia, Shape s) {
    Node *n = make_node(g, op, loc, nin, in, ia);
    n->shape = s;   /* ops without a shape rule take the constructor's */
    check_size(g, n);
    return n;
}

/* Transposes are folded into the GEMM's packing (emit_gemm.c), never materialized. */
Node *new_bmm(Graph *g, Loc loc, Node *a, Node *b, int ta, int tb, int nb) {
    if (tb && b->shape.rank != nb + 2) ICE("matmul with a transposed B of rank %d", b->shape.rank);
    Node *in[2] = {a, b};
    int64_t ia[8] = {ta, tb, nb};
    return make_node(g, OP_MATMUL, loc, 2, in, ia);
}
Node *new_matmul(Graph *g, Loc loc, Node *a, Node *b, int ta, int tb) { return new_bmm(g, loc, a, b, ta, tb, 0); }

/* operand x of a product with nb batch axes, as a stored [rows, cols] matrix */
static void stored_matrix(const Node *x, int nb, Dim *rows, Dim *cols) {
    *cols = x->shape.d[x->shape.rank - 1];
    *rows = dim_const(1);
    for (int i = nb; i + 1 < x->shape.rank; i++) *rows = dim_mul(*rows, x->shape.d[i]);
}

MatDims matmul_dims(const Node *n) {
    const Node *a = n->in[0], *b = n->in[1];
    int nb = (int)n->iattr[2];
    MatDims d = {.batch = dim_const(1)};
    for (int i = 0; i < nb; i++) d.batch = dim_mul(d.batch, a->shape.d[i]);
    Dim ra, ca, rb, cb;
    stored_matrix(a, nb, &ra, &ca);
    stored_matrix(b, nb, &rb, &cb);
    d.m = n->iattr[0] ? ca : ra;
    d.ka = n->iattr[0] ? ra : ca;
    d.kb = n->iattr[1] ? cb : rb;
    d.n = n->iattr[1] ? rb : cb;
    return d;
}

/* A . B^T with few outputs (fixed m n <= GEMM_DOT_MAX_MN) over a long k (one that grows with
 * the batch, or at least GEMM_DOT_MIN_K): e.g. a convolution's weight gradient, dY [F, N OH OW]
 * times the windows [C KH KW, N OH OW] transposed.  Packing B^T for a few rows of A costs more
 * than the product; the dot form reads both in place and splits k among threads. */
bool matmul_dot(const Node *n) {
    MatDims d = matmul_dims(n);
    if (n->iattr[2] || n->iattr[0] || !n->iattr[1]) return false;
    if (!dim_is_const(d.m) || !dim_is_const(d.n) || d.m.c * d.n.c > GEMM_DOT_MAX_MN) return false;
    return !dim_is_const(d.ka) || d.ka.c >= GEMM_DOT_MIN_K;
}

/* A batched product (attention's per-head ones) runs its batch as a parallel loop, one GEMM
 * per index on one thread: an untransposed B is read in place (no workspace), a transposed one
 * packed into the index's own slice of the workspace, so long as all the slices together
 * stay under BATCH_WS_MAX bytes; else the indices run in turn, each GEMM with every thread. */
enum { BATCH_WS_MAX = 8 << 20 };
int64_t matmul_batch_slice(const Graph *g, const Node *n) {
    if (!n->iattr[2]) return -1;
    if (!n->iattr[1]) return 0;
    MatDims d = matmul_dims(n);
    int64_t slice = gemm_panel_elems(dim_eval(g, d.ka, NULL), dim_eval(g, d.n, NULL));
    return slice * dim_eval(g, d.batch, NULL) * (int64_t)dlrt_dtype_size(n->dtype) <= BATCH_WS_MAX ? slice : -1;
}

/* Pooling windows a (kernel h, w, stride h, w) that tile x exactly (y the pooled shape): stride =
 * kernel and nothing left over, so every element of x is in exactly one window. */
bool pool_tiles(const Shape *x, const Shape *y, const int64_t *a) {
    const Dim *xs = x->d + x->rank - 2, *ys = y->d + y->rank - 2;
    return a[2] == a[0] && a[3] == a[1] && dim_is_const(xs[0]) && dim_is_const(xs[1]) && dim_is_const(ys[0]) &&
           dim_is_const(ys[1]) && xs[0].c == ys[0].c * a[0] && xs[1].c == ys[1].c * a[1];
}

Node *node1(Graph *g, Op op, Loc loc, Node *a) { return new_node(g, op, loc, 1, &a); }
Node *node2(Graph *g, Op op, Loc loc, Node *a, Node *b) {
    Node *in[2] = {a, b};
    return new_node(g, op, loc, 2, in);
}
Node *node3(Graph *g, Op op, Loc loc, Node *a, Node *b, Node *c) {
    Node *in[3] = {a, b, c};
    return new_node(g, op, loc, 3, in);
}

Node *new_const(Graph *g, Loc loc, double v, dlrt_dtype t) {
    Node *n = new_node(g, OP_CONST, loc, 0, NULL);
    n->dtype = t;
    n->fattr[0] = v;
    n->shape.rank = 0;
    return n;
}

Node *new_const_vector(Graph *g, Loc loc, const double *v, int n, dlrt_dtype t) {
    Node *c = new_const(g, loc, 0, t);
    c->shape = shape_of(1, (Dim[]){dim_const(n)});
    c->data = xcalloc((size_t)n, sizeof(double));
    memcpy(c->data, v, sizeof(double) * (size_t)n);
    return c;
}

Node *new_reshape(Graph *g, Loc loc, Node *x, Shape s) {
    if (!dim_eq(shape_numel(&x->shape), shape_numel(&s)))
        ICE("reshape %s -> %s changes the element count", shape_str(g, &x->shape), shape_str(g, &s));
    if (shape_eq(&x->shape, &s)) return x;
    Node *n = node1(g, OP_RESHAPE, loc, x);
    n->shape = s;
    return n;
}

Node *new_broadcast(Graph *g, Loc loc, Node *x, Shape s) {
    if (shape_eq(&x->shape, &s)) return x;
    Node *n = node1(g, OP_BROADCAST, loc, x);
    n->shape = s;
    return n;
}

/* Sums over leading and trailing axes around kept middle ones (a convolution's bias gradient:
 * [N, C, H, W] to [C, 1, 1]) go in two passes, each a fast form (lower.c block_sums): row sums
 * over the trailing axes, then column sums over the leading ones.  One pass would keep one long
 * running sum per output, a chain of N*H*W dependent adds. */
Node *new_sum_to(Graph *g, Loc loc, Node *x, Shape s) {
    if (shape_eq(&x->shape, &s)) return x;
    int xr = x->shape.rank, lead = xr - s.rank, first_kept = -1, last_kept = -1;
    bool contiguous = true;
    for (int d = lead; d < xr; d++) {
        bool kept = !dim_eq(s.d[d - lead], dim_const(1)) || dim_eq(x->shape.d[d], dim_const(1));
        if (!kept) continue;
        if (first_kept < 0) first_kept = d;
        else if (last_kept != d - 1) contiguous = false;
        last_kept = d;
    }
    /* summed axes before the kept run (all of them: it is contiguous) and after it */
    if (contiguous && first_kept > 0 && last_kept < xr - 1) {
        Shape rows = x->shape, mid = shape_of(last_kept - first_kept + 1, &x->shape.d[first_kept]);
        for (int d = last_kept + 1; d < xr; d++) rows.d[d] = dim_const(1);
        Node *r = node1(g, OP_SUM_TO, loc, x);
        r->shape = rows;
        Shape lm = shape_of(last_kept + 1, x->shape.d);   /* [leading..., kept...] */
        Node *c = node1(g, OP_SUM_TO, loc, new_reshape(g, loc, r, lm));
        c->shape = mid;
        return new_reshape(g, loc, c, s);
    }
    Node *n = node1(g, OP_SUM_TO, loc, x);
    n->shape = s;
    return n;
}

/* ---- dimensions ---------------------------------------------------------------------------- */
Dim dim_const(int64_t c) { return (Dim){c, {0}}; }
Dim dim_sym(int s) {
    Dim d = {1, {0}};
    d.e[s] = 1;
    return d;
}
Dim dim_mul(Dim a, Dim b) {
    Dim d = {a.c * b.c, {0}};
    for (int i = 0; i < MAX_SYMS; i++) d.e[i] = (uint8_t)(a.e[i] + b.e[i]);
    return d;
}
bool dim_eq(Dim a, Dim b) { return a.c == b.c && memcmp(a.e, b.e, sizeof a.e) == 0; }
bool dim_is_const(Dim a) {
    for (int i = 0; i < MAX_SYMS; i++)
        if (a.e[i]) return false;
    return true;
}
bool dim_div(Dim a, Dim b, Dim *out) {
    if (b.c == 0 || a.c % b.c) return false;
    Dim d = {a.c / b.c, {0}};
    for (int i = 0; i < MAX_SYMS; i++) {
        if (a.e[i] < b.e[i]) return false;
        d.e[i] = (uint8_t)(a.e[i] - b.e[i]);
    }
    *out = d;
    return true;
}
/* The value of d for the given symbol values (NULL: the planned maxima); INT64_MAX when it
 * overflows. */
int64_t dim_eval(const Graph *g, Dim d, const int64_t *symval) {
    int64_t v = d.c;
    for (int i = 0; i < MAX_SYMS; i++)
        for (int k = 0; k < d.e[i]; k++)
            if (__builtin_mul_overflow(v, symval ? symval[i] : g->max[i], &v)) return INT64_MAX;
    return v;
}

void check_size(const Graph *g, const Node *n) {
    int64_t v = 1;
    for (int i = 0; i < n->shape.rank; i++) {
        int64_t d = dim_eval(g, n->shape.d[i], NULL);
        if (d == INT64_MAX || __builtin_mul_overflow(v, d, &v) || v > ((int64_t)1 << 40))
            error_at(n->loc, "tensor %s is too large (more than 2^40 elements at batch %lld)",
                     shape_str(g, &n->shape), (long long)g->max[0]);
    }
}
char *dim_str(const Graph *g, Dim d) {
    char *s = d.c != 1 || dim_is_const(d) ? fmt("%lld", (long long)d.c) : "";
    for (int i = 0; i < MAX_SYMS; i++)
        for (int k = 0; k < d.e[i]; k++)
            s = fmt("%s%s%s", s, *s ? "*" : "", g->names[i] ? g->names[i] : "?");
    return s;
}

Shape shape_of(int rank, const Dim *d) {
    Shape s = {rank, {{0, {0}}}};
    for (int i = 0; i < rank; i++) s.d[i] = d[i];
    return s;
}
bool shape_eq(const Shape *a, const Shape *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (!dim_eq(a->d[i], b->d[i])) return false;
    return true;
}
Dim shape_numel(const Shape *s) {
    Dim d = dim_const(1);
    for (int i = 0; i < s->rank; i++) d = dim_mul(d, s->d[i]);
    return d;
}
Dim shape_rows(const Shape *s) {
    Dim d = dim_const(1);
    for (int i = 0; i + 1 < s->rank; i++) d = dim_mul(d, s->d[i]);
    return d;
}
char *shape_str(const Graph *g, const Shape *s) {
    char *r = "[";
    for (int i = 0; i < s->rank; i++) r = fmt("%s%s%s", r, i ? ", " : "", dim_str(g, s->d[i]));
    return fmt("%s]", r);
}
int64_t shape_numel_max(const Graph *g, const Shape *s) { return dim_eval(g, shape_numel(s), NULL); }

/* ---- text form --------------------------------------------------------------------------- */
static void print_node(FILE *out, const Graph *g, const Node *n) {
    fprintf(out, "  %%%d = %s(", n->id, op_text[n->op]);
    for (int i = 0; i < n->nin; i++) fprintf(out, "%s%%%d", i ? ", " : "", n->in[i]->id);
    fprintf(out, ")");
    switch (n->op) {
    case OP_MATMUL: fprintf(out, " ta=%lld tb=%lld batch=%lld", (long long)n->iattr[0], (long long)n->iattr[1], (long long)n->iattr[2]); break;
    case OP_CONST: case OP_LEAKY_RELU: case OP_LEAKY_GRAD: fprintf(out, " %g", n->fattr[0]); break;
    case OP_RESULT: case OP_OUTPUT: case OP_INPUT: fprintf(out, " slot=%d", (int)n->iattr[0]); break;
    default: break;
    }
    fprintf(out, " : %s%s", dtype_keyword(n->dtype), shape_str(g, &n->shape));
    if (n->name) fprintf(out, "  # %s", n->name);
    if (n->loc.line) fprintf(out, "%s @%d:%d", n->name ? "" : "  #", n->loc.line, n->loc.col);
    fprintf(out, "\n");
}

void print_graph(FILE *out, const Graph *g, const char *title) {
    fprintf(out, "graph %s {\n", title);
    for (int i = 0; i < g->nodes.n; i++) print_node(out, g, g->nodes.v[i]);
    fprintf(out, "}\n");
}

void verify_graph(const Graph *g, const char *after) {
    for (int i = 0; i < g->nodes.n; i++) {
        const Node *n = g->nodes.v[i];
        if (n->id != i) ICE("after %s: node %d has id %d", after, i, n->id);
        if (op_arity[n->op] >= 0 && n->nin != op_arity[n->op])
            ICE("after %s: %%%d %s has %d inputs", after, i, op_text[n->op], n->nin);
        for (int k = 0; k < n->nin; k++)
            if (n->in[k]->id >= n->id) ICE("after %s: %%%d uses later %%%d", after, i, n->in[k]->id);
        if (n->shape.rank < 0 || n->shape.rank > DLRT_MAX_RANK) ICE("after %s: %%%d bad rank", after, i);
        for (int k = 0; k < n->shape.rank; k++)
            if (n->shape.d[k].c <= 0) ICE("after %s: %%%d has a non-positive dim", after, i);
        if ((op_flags[n->op] & OPF_V) && !dim_eq(shape_numel(&n->shape), shape_numel(&n->in[0]->shape)))
            ICE("after %s: view %%%d changes the element count", after, i);
    }
    for (int i = 0; i < g->nparams; i++)
        if (g->params[i]->grad && !shape_eq(&g->params[i]->grad->shape, &g->params[i]->node->shape))
            ICE("after %s: gradient of %s has shape %s", after, g->params[i]->name,
                shape_str(g, &g->params[i]->grad->shape));
}
