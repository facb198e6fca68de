/* lower.c — graph IR -> kernel IR: each scheduled node becomes a loop nest over its planned
 * buffer (the `lower` column of ops.h).  Elementwise ops share one broadcasting loop nest and
 * give only their scalar expression (the `scalar` column), which is what later fusion needs.
 * Sizes are run-time expressions of the symbolic dims (sym[0] = batch), so one compiled
 * function serves any batch up to the planned maximum. */
#include <math.h>

#include "dlc.h"

typedef struct {
    Graph *g;
    KFunc *f;
    KBlock *b;           /* where statements go */
    bool training;       /* train and grad functions: dropout is active */
    int64_t gemm_ws;     /* offset of the GEMM panel workspace in W */
} Lower;

typedef void LowerFn(Lower *L, Node *n);
typedef KExpr *ScalarFn(Lower *L, Node *n, KExpr **a);

/* ---- helpers ------------------------------------------------------------------------------ */
static int buf_of(Lower *L, Node *n) {
    if (n->base == B_NONE) ICE("%%%d %s has no buffer", n->id, op_text[n->op]);
    return kbuf(L->f, n->base, n->offset, ktype_of(n->dtype), fmt("v%d", n->id));
}

static KExpr *kdim(Dim d) {
    KExpr *e = ki(d.c);
    for (int s = 0; s < MAX_SYMS; s++)
        for (int k = 0; k < d.e[s]; k++) e = kbin(K_MUL, e, ksym(s));
    return e;
}

static KExpr *numel(Node *n) { return kdim(shape_numel(&n->shape)); }
static KExpr *last_dim(Node *n) { return kdim(n->shape.d[n->shape.rank - 1]); }
static KExpr *rows(Node *n) { return kdim(shape_rows(&n->shape)); }

static KType T(Node *n) { return ktype_of(n->dtype); }
static KExpr *c(Node *n, double v) { return kf(T(n), v); }
static KExpr *ld(Lower *L, Node *n, KExpr *idx) { return kload(L->f, buf_of(L, n), idx); }
static KExpr *var(Lower *L, int v) { return kvar_ref(L->f, v); }
static KExpr *add(KExpr *a, KExpr *b) { return kbin(K_ADD, a, b); }
static KExpr *sub(KExpr *a, KExpr *b) { return kbin(K_SUB, a, b); }
static KExpr *mul(KExpr *a, KExpr *b) { return kbin(K_MUL, a, b); }
static KExpr *dvd(KExpr *a, KExpr *b) { return kbin(K_DIV, a, b); }

/* for (v = 0; v < hi; v++): appends the loop, makes its body the current block, returns it */
static KStmt *open_loop(Lower *L, const char *name, KExpr *hi) {
    KStmt *s = kfor(L->b, kvar(L->f, name, KT_I64), ki(0), hi);
    L->b = &s->body;
    return s;
}

/* A plain loop; returns the loop var. */
static int loop(Lower *L, const char *name, KExpr *hi) { return open_loop(L, name, hi)->var; }

/* A loop whose iterations touch disjoint elements of buffers it both reads and writes at
 * run-time offsets: the back end asks the vectorizer to widen it anyway (KStmt.vectorize).
 * Also for short rows: LLVM vectorizes a loop of fewer than 16 iterations only when asked, or
 * else by masking all of it, and masked stores are slow without AVX-512 (Zen 3: pooling and
 * COL2IM over rows of 10 and 14 ran 3-6 times longer than the asked-for vector loop). */
static int vloop(Lower *L, const char *name, KExpr *hi) {
    KStmt *s = open_loop(L, name, hi);
    s->vectorize = true;
    return s->var;
}

/* A parallel loop: its iterations are independent and may run on any thread; `work` is the
 * elements the whole loop processes.  Only at the top of a node's code (KStmt.par_work). */
static int ploop(Lower *L, const char *name, KExpr *hi, KExpr *work) {
    KStmt *s = open_loop(L, name, hi);
    s->par_work = work;
    return s->var;
}

/* A scalar local initialized to `init`. */
static int local(Lower *L, const char *name, KExpr *init) {
    int v = kvar(L->f, name, init->t);
    klet(L->b, v, init);
    return v;
}

/* ---- elementwise: one loop nest for every op with the E flag ------------------------------ */
static KExpr *scalar_identity(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return a[0]; }
static KExpr *scalar_const(Lower *L, Node *n, KExpr **a) { (void)L; (void)a; return c(n, n->fattr[0]); }
static KExpr *scalar_add(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return add(a[0], a[1]); }
static KExpr *scalar_sub(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return sub(a[0], a[1]); }
static KExpr *scalar_mul(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return mul(a[0], a[1]); }
static KExpr *scalar_div(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return dvd(a[0], a[1]); }
static KExpr *scalar_neg(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return kun(K_NEG, a[0]); }
static KExpr *scalar_exp(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return kun(K_EXP, a[0]); }
static KExpr *scalar_log(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return kun(K_LOG, a[0]); }
static KExpr *scalar_tanh(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return kun(K_TANH, a[0]); }
static KExpr *scalar_abs(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return kun(K_ABS, a[0]); }
static KExpr *scalar_sign(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[0], c(n, 0)), c(n, 1), kselect(kbin(K_LT, a[0], c(n, 0)), c(n, -1), c(n, 0)));
}
static KExpr *scalar_clamp_min(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[0], c(n, n->fattr[0])), a[0], c(n, n->fattr[0]));
}
static KExpr *scalar_clamp_min_grad(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[1], c(n, n->fattr[0])), a[0], c(n, 0));
}
static KExpr *scalar_sqrt(Lower *L, Node *n, KExpr **a) { (void)L; (void)n; return kun(K_SQRT, a[0]); }

static KExpr *scalar_relu(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[0], c(n, 0)), a[0], c(n, 0));
}
static KExpr *scalar_leaky(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[0], c(n, 0)), a[0], mul(c(n, n->fattr[0]), a[0]));
}
static KExpr *scalar_sigmoid(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return dvd(c(n, 1), add(c(n, 1), kun(K_EXP, kun(K_NEG, a[0]))));
}
/* Phi(x) = (1 + erf(x / sqrt 2)) / 2 */
static KExpr *Phi(Node *n, KExpr *x) {
    return mul(c(n, 0.5), add(c(n, 1), kun(K_ERF, mul(x, c(n, M_SQRT1_2)))));
}
static KExpr *scalar_gelu(Lower *L, Node *n, KExpr **a) { (void)L; return mul(a[0], Phi(n, a[0])); }

static KExpr *scalar_relu_grad(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[1], c(n, 0)), a[0], c(n, 0));
}
static KExpr *scalar_leaky_grad(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return kselect(kbin(K_GT, a[1], c(n, 0)), a[0], mul(c(n, n->fattr[0]), a[0]));
}
static KExpr *scalar_sigmoid_grad(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return mul(a[0], mul(a[1], sub(c(n, 1), a[1])));
}
static KExpr *scalar_tanh_grad(Lower *L, Node *n, KExpr **a) {
    (void)L;
    return mul(a[0], sub(c(n, 1), mul(a[1], a[1])));
}
/* d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi) */
static KExpr *scalar_gelu_grad(Lower *L, Node *n, KExpr **a) {
    (void)L;
    KExpr *x = a[1];
    KExpr *phi = mul(c(n, 0.3989422804014327), kun(K_EXP, mul(c(n, -0.5), mul(x, x))));
    return mul(a[0], add(Phi(n, x), mul(x, phi)));
}

#define X(name, text, arity, flags, shape, grad, lower, scalar) scalar,
static ScalarFn *const scalar_rule[OP_COUNT] = {DLC_OPS(X)};
#undef X

/* Loop over the output; each input is read with its broadcast strides (0 on broadcast dims).
 * When no input broadcasts, a single flat loop. */
/* The loop point of an elementwise loop nest over shape s: one flat index, or a var per axis. */
typedef struct { const Shape *s; KExpr *flat; int iv[DLRT_MAX_RANK]; bool per_axis; } Point;

/* Every value an elementwise loop over `s` loads, through the fused values it computes in
 * place, has s's shape or is a scalar: then one flat loop serves. */
static bool flat_ok(const Node *n, const Shape *s) {
    for (int k = 0; k < n->nin; k++) {
        const Node *x = n->in[k];
        if (x->base == B_FUSED && x->op == OP_PERMUTE) return false;   /* it reads at permuted indices */
        if (x->base == B_FUSED ? !flat_ok(x, s) : !shape_eq(&x->shape, s) && x->shape.rank != 0) return false;
    }
    return true;
}

static KExpr *flat_of(const Shape *s, KExpr **idx);

/* x's value at the loop point: loaded (broadcast against the loop's shape), or, for a fused
 * value, its scalar expression over its own inputs' values there. */
static KExpr *value_at(Lower *L, Node *x, const Point *pt) {
    if (x->base == B_FUSED && x->op == OP_PERMUTE) {   /* its input at the permuted point (per axis) */
        KExpr *xi[DLRT_MAX_RANK];
        for (int k = 0; k < x->shape.rank; k++) xi[x->iattr[k]] = var(L, pt->iv[k]);
        return ld(L, x->in[0], flat_of(&x->in[0]->shape, xi));
    }
    if (x->base == B_FUSED) {
        KExpr *args[MAX_IN];
        for (int k = 0; k < x->nin; k++) args[k] = value_at(L, x->in[k], pt);
        return scalar_rule[x->op](L, x, args);
    }
    if (x->shape.rank == 0) return ld(L, x, ki(0));
    if (!pt->per_axis || shape_eq(&x->shape, pt->s)) return ld(L, x, pt->flat);
    const Shape *s = pt->s, *is = &x->shape;
    KExpr *idx = ki(0);
    for (int d = 0; d < is->rank; d++) {
        int od = s->rank - is->rank + d;
        bool bcast = dim_eq(is->d[d], dim_const(1)) && !dim_eq(s->d[od], dim_const(1));
        idx = add(mul(idx, kdim(is->d[d])), bcast ? ki(0) : var(L, pt->iv[od]));
    }
    return ld(L, x, idx);
}

/* One loop nest for an elementwise node and every value fused into it. */
static void matmul_into(Lower *L, Node *n, Node *out, Node *bias);
static void lower_elementwise(Lower *L, Node *n) {
    if (n->op == OP_ADD && n->in[0]->op == OP_MATMUL && n->in[0]->base == B_FUSED) {   /* plan.c's epilogue */
        matmul_into(L, n->in[0], n, n->in[1]);
        return;
    }
    KBlock *outer = L->b;
    Point pt = {&n->shape, NULL, {0}, !flat_ok(n, &n->shape)};
    if (!pt.per_axis) {
        pt.flat = var(L, ploop(L, "i", numel(n), numel(n)));
    } else {
        const Shape *s = &n->shape;
        for (int d = 0; d < s->rank; d++) pt.iv[d] = d ? loop(L, "i", kdim(s->d[d])) : ploop(L, "i", kdim(s->d[d]), numel(n));
        pt.flat = ki(0);
        for (int d = 0; d < s->rank; d++) pt.flat = add(mul(pt.flat, kdim(s->d[d])), var(L, pt.iv[d]));
    }
    KExpr *args[MAX_IN];
    for (int k = 0; k < n->nin; k++) args[k] = value_at(L, n->in[k], &pt);
    kstore(L->b, buf_of(L, n), pt.flat, scalar_rule[n->op](L, n, args));
    L->b = outer;
}

/* ---- structure -------------------------------------------------------------------------- */
static void lower_copy(Lower *L, Node *n) {
    KBlock *outer = L->b;
    int i = ploop(L, "i", numel(n), numel(n));
    kstore(L->b, buf_of(L, n), var(L, i), ld(L, n->in[0], var(L, i)));
    L->b = outer;
}

static void zero(Lower *L, Node *n, KExpr *count) {
    KBlock *outer = L->b;
    int i = ploop(L, "i", count, count);
    kstore(L->b, buf_of(L, n), var(L, i), c(n, 0));
    L->b = outer;
}

/* Open one loop per axis of `s` (the outermost parallel: each iteration writes its own part of
 * the result); returns the loop vars in iv and the flat index. */
static KExpr *loop_nest(Lower *L, const Shape *s, int *iv) {
    KExpr *flat = ki(0);
    for (int d = 0; d < s->rank; d++) {
        iv[d] = d ? loop(L, "i", kdim(s->d[d])) : ploop(L, "i", kdim(s->d[d]), kdim(shape_numel(s)));
        flat = add(mul(flat, kdim(s->d[d])), var(L, iv[d]));
    }
    return flat;
}

/* flat index into shape s of the multi-index idx[] */
static KExpr *flat_of(const Shape *s, KExpr **idx) {
    KExpr *f = ki(0);
    for (int d = 0; d < s->rank; d++) f = add(mul(f, kdim(s->d[d])), idx[d]);
    return f;
}

/* out[i0, i1, ...] = x[...] with x's axis perm[k] indexed by out's axis k */
static void lower_permute(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    int iv[DLRT_MAX_RANK];
    KExpr *oi = loop_nest(L, &n->shape, iv), *xi[DLRT_MAX_RANK];
    for (int k = 0; k < n->shape.rank; k++) xi[n->iattr[k]] = var(L, iv[k]);
    kstore(L->b, buf_of(L, n), oi, ld(L, x, flat_of(&x->shape, xi)));
    L->b = outer;
}

/* Copy x into the window of `big` that starts at `start` along `axis`; x's own loop nest. */
static void copy_into(Lower *L, Node *big, Node *x, int axis, KExpr *start, bool x_is_dst) {
    KBlock *outer = L->b;
    int iv[DLRT_MAX_RANK];
    KExpr *xi = loop_nest(L, &x->shape, iv), *bi[DLRT_MAX_RANK];
    for (int d = 0; d < x->shape.rank; d++) bi[d] = d == axis ? add(var(L, iv[d]), start) : var(L, iv[d]);
    KExpr *bflat = flat_of(&big->shape, bi);
    if (x_is_dst) kstore(L->b, buf_of(L, x), xi, ld(L, big, bflat));
    else kstore(L->b, buf_of(L, big), bflat, ld(L, x, xi));
    L->b = outer;
}

static void lower_concat(Lower *L, Node *n) {
    copy_into(L, n, n->in[0], (int)n->iattr[0], ki(0), false);
    copy_into(L, n, n->in[1], (int)n->iattr[0], kdim(n->in[0]->shape.d[n->iattr[0]]), false);
}
/* where a slice of `big` starts: iattr1, or counted from the end when iattr2 */
static KExpr *slice_start(Node *sl, Node *big) {
    return sl->iattr[2] ? sub(kdim(big->shape.d[sl->iattr[0]]), ki(sl->iattr[1])) : ki(sl->iattr[1]);
}
static void lower_slice(Lower *L, Node *n) { copy_into(L, n->in[0], n, (int)n->iattr[0], slice_start(n, n->in[0]), true); }
static void lower_unslice(Lower *L, Node *n) {
    zero(L, n, numel(n));
    copy_into(L, n, n->in[0], (int)n->iattr[0], slice_start(n, n), false);
}

/* out[..., j, i] = x[..., i, j] */
static void lower_transpose(Lower *L, Node *n) {
    Node *x = n->in[0];
    int r = x->shape.rank;
    KBlock *outer = L->b;
    KExpr *R = kdim(x->shape.d[r - 2]), *C = kdim(x->shape.d[r - 1]);
    Dim lead = dim_const(1);
    for (int d = 0; d + 2 < r; d++) lead = dim_mul(lead, x->shape.d[d]);
    /* tiles of TILE x TILE, so the strided side stays in cache; tasks are (matrix, row band) */
    enum { TILE = 32 };
    KExpr *bands = dvd(add(R, ki(TILE - 1)), ki(TILE));
    int q = ploop(L, "q", mul(kdim(lead), bands), numel(n));
    KExpr *base = mul(dvd(var(L, q), bands), mul(R, C));
    int i0 = local(L, "i0", mul(kbin(K_REM, var(L, q), bands), ki(TILE)));
    int i1 = local(L, "i1", kbin(K_MIN, add(var(L, i0), ki(TILE)), R));
    int j0 = kvar(L->f, "j0", KT_I64);
    L->b = &kfor(L->b, j0, ki(0), dvd(add(C, ki(TILE - 1)), ki(TILE)))->body;
    int j1 = local(L, "j1", kbin(K_MIN, add(mul(var(L, j0), ki(TILE)), ki(TILE)), C));
    int j = kvar(L->f, "j", KT_I64), i = kvar(L->f, "i", KT_I64);   /* stores contiguous; loads gather */
    L->b = &kfor(L->b, j, mul(var(L, j0), ki(TILE)), var(L, j1))->body;
    L->b = &kfor(L->b, i, var(L, i0), var(L, i1))->body;
    kstore(L->b, buf_of(L, n), add(base, add(mul(var(L, j), R), var(L, i))),
           ld(L, x, add(base, add(mul(var(L, i), C), var(L, j)))));
    L->b = outer;
}

enum { COLUMN_BLOCK = 256, ROW_BLOCK = 64 };   /* outputs per task of a column / row sum */

/* n[o] = (sum over k < nsum of x[o*ostride + k*sstride]) [* scale] for o < nout, outputs in
 * parallel blocks of `block`: per block the outputs start at 0, then k outer, the block's
 * outputs inner, so the block's running sums are independent chains (and the inner loop
 * streams or vectorizes); each output is still one running sum in k order. */
static void block_sums(Lower *L, Node *n, KExpr *nout, KExpr *nsum, KExpr *ostride, KExpr *sstride, int64_t block,
                       KExpr *scale) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    int b = ploop(L, "b", dvd(add(nout, ki(block - 1)), ki(block)), numel(x));
    KExpr *o0 = mul(var(L, b), ki(block));
    int hi = local(L, "hi", kbin(K_MIN, add(o0, ki(block)), nout));
    KBlock *blk = L->b;
    int o = kvar(L->f, "o", KT_I64);
    L->b = &kfor(blk, o, o0, var(L, hi))->body;
    kstore(L->b, buf_of(L, n), var(L, o), c(n, 0));
    L->b = blk;
    int k = loop(L, "k", nsum);
    int o2 = kvar(L->f, "o", KT_I64);
    L->b = &kfor(L->b, o2, o0, var(L, hi))->body;
    KExpr *xi = add(mul(var(L, o2), ostride), mul(var(L, k), sstride));
    kstore(L->b, buf_of(L, n), var(L, o2), add(ld(L, n, var(L, o2)), ld(L, x, xi)));
    if (scale) {
        int o3 = kvar(L->f, "o", KT_I64);
        L->b = &kfor(blk, o3, o0, var(L, hi))->body;
        kstore(L->b, buf_of(L, n), var(L, o3), mul(ld(L, n, var(L, o3)), scale));
    }
    L->b = outer;
}

/* The value of x[at(j)] (masked: `keep(j)` false gives `other`) for a lane fold; or, when
 * `value` is set, value(kctx, j). */
typedef struct {
    int buf;
    KExpr *base;
    KExpr *(*keep)(Lower *, void *, KExpr *);
    void *kctx;
    KExpr *other, *scale;
    KExpr *(*value)(Lower *, void *, KExpr *);
} RowElem;
static KExpr *row_elem(Lower *L, const RowElem *e, KExpr *j) {
    KExpr *v = e->value ? e->value(L, e->kctx, j) : kload(L->f, e->buf, add(e->base, j));
    if (e->scale) v = mul(v, e->scale);
    return e->keep ? kselect(e->keep(L, e->kctx, j), v, e->other) : v;
}

/* A fold (K_ADD or K_MAX) of the row's elements j < n, from `init`, in ROW_LANES lanes (lane l
 * folds the j = l mod ROW_LANES in order; statements the SLP vectorizer makes vector ops), then
 * the lanes folded in order.  For K_MAX the result is the plain max whatever the order; for
 * K_ADD this fixes the order of the row's sum.  Returns the variable holding it. */
enum { ROW_LANES = 16 };
static int lane_fold(Lower *L, KOp op, KExpr *init, KExpr *n, const RowElem *e) {
    KBlock *rb = L->b;
    int p[ROW_LANES];
    for (int l = 0; l < ROW_LANES; l++) p[l] = local(L, op == K_ADD ? "s" : "m", init);
    int q = loop(L, "q", dvd(n, ki(ROW_LANES)));
    for (int l = 0; l < ROW_LANES; l++)
        kset(L->b, p[l], kbin(op, var(L, p[l]), row_elem(L, e, add(mul(var(L, q), ki(ROW_LANES)), ki(l)))));
    L->b = rb;
    /* the last n mod ROW_LANES: lanes past n keep their value (a clamped index keeps the load in bounds) */
    KExpr *tail = mul(dvd(n, ki(ROW_LANES)), ki(ROW_LANES));
    int64_t nc = n->op == K_ICONST ? n->i : -1;
    for (int l = 0; l < ROW_LANES && (nc < 0 || l < nc % ROW_LANES); l++) {
        KExpr *j = add(tail, ki(l));
        KExpr *v = kbin(op, var(L, p[l]), row_elem(L, e, kbin(K_MIN, j, sub(n, ki(1)))));
        kset(L->b, p[l], nc < 0 ? kselect(kbin(K_LT, j, n), v, var(L, p[l])) : v);
    }
    KExpr *r = var(L, p[0]);
    for (int l = 1; l < ROW_LANES; l++) r = kbin(op, r, var(L, p[l]));
    return local(L, op == K_ADD ? "sum" : "max", r);
}

/* n[o] = (sum over k < K of x[o K + k]) [* scale] for o < nout, K a constant of at least
 * ROW_LANES: rows in parallel, each a lane fold.  One sum per row in k order would be a chain of
 * dependent adds; running rows side by side, a gather. */
static void lane_row_sums(Lower *L, Node *n, KExpr *nout, int64_t K, KExpr *scale) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    int o = ploop(L, "o", nout, numel(x));
    int s = lane_fold(L, K_ADD, c(n, 0), ki(K), &(RowElem){.buf = buf_of(L, x), .base = mul(var(L, o), ki(K))});
    kstore(L->b, buf_of(L, n), var(L, o), scale ? mul(var(L, s), scale) : var(L, s));
    L->b = outer;
}

/* out[j] = sum of x[i] over x's index space; out's dims align with x's trailing dims, and a dim
 * of 1 in out against a larger one in x (and every leading dim of x) is summed over.  Loops over
 * out's kept dims (in parallel), then over the summed dims in their order: each output is one
 * running sum from 0 in x's row-major order.  `scale`, when not NULL, multiplies the sum. */
static void sum_into(Lower *L, Node *n, KExpr *scale) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    int xr = x->shape.rank, lead = xr - n->shape.rank;
    bool summed[DLRT_MAX_RANK];
    int iv[DLRT_MAX_RANK], nkept = 0, nsummed_lead = 0, nkept_lead = 0;
    for (int d = 0; d < xr; d++) {
        summed[d] = d < lead || dim_eq(n->shape.d[d - lead], dim_const(1));
        if (summed[d] && nsummed_lead == d) nsummed_lead++;
        if (!summed[d] && nkept_lead == d) nkept_lead++;
    }
    /* x seen as [R, C] summed over R (column sums) or over C (row sums: x and n of one rank) */
    bool column_sums = nsummed_lead > 0 && nsummed_lead < xr, row_sums = lead == 0 && nkept_lead > 0 && nkept_lead < xr;
    for (int d = nsummed_lead; d < xr && column_sums; d++) column_sums = !summed[d];
    for (int d = nkept_lead; d < xr && row_sums; d++) row_sums = summed[d];
    if (column_sums || row_sums) {
        Dim C = dim_const(1);
        for (int d = column_sums ? nsummed_lead : nkept_lead; d < xr; d++) C = dim_mul(C, x->shape.d[d]);
        KExpr *cols = kdim(C), *R = dvd(numel(x), cols);
        if (column_sums) block_sums(L, n, cols, R, ki(1), cols, COLUMN_BLOCK, scale);
        else if (dim_is_const(C) && C.c >= ROW_LANES) lane_row_sums(L, n, numel(n), C.c, scale);
        else block_sums(L, n, numel(n), cols, cols, ki(1), ROW_BLOCK, scale);
        return;
    }
    for (int d = 0; d < xr; d++) {
        if (!summed[d]) iv[d] = nkept++ ? loop(L, "i", kdim(x->shape.d[d])) : ploop(L, "i", kdim(x->shape.d[d]), numel(x));
    }
    KExpr *oi = ki(0);
    for (int d = lead; d < xr; d++) oi = add(mul(oi, kdim(n->shape.d[d - lead])), summed[d] ? ki(0) : var(L, iv[d]));
    int acc = local(L, "acc", c(n, 0));
    KBlock *kept = L->b;
    for (int d = 0; d < xr; d++)
        if (summed[d]) iv[d] = loop(L, "r", kdim(x->shape.d[d]));
    KExpr *xi = ki(0);
    for (int d = 0; d < xr; d++) xi = add(mul(xi, kdim(x->shape.d[d])), var(L, iv[d]));
    kset(L->b, acc, add(var(L, acc), ld(L, x, xi)));
    L->b = kept;
    kstore(L->b, buf_of(L, n), oi, scale ? mul(var(L, acc), scale) : var(L, acc));
    L->b = outer;
}
static void lower_sum_to(Lower *L, Node *n) { sum_into(L, n, NULL); }

/* The number of elements of `big` that each element of `small` stands for (a runtime value). */
static KExpr *fan(Node *big, Node *small) {
    Dim d;
    if (!dim_div(shape_numel(&big->shape), shape_numel(&small->shape), &d)) ICE("mean over a non-divisible shape");
    return kdim(d);
}

static void lower_mean_to(Lower *L, Node *n) { sum_into(L, n, dvd(c(n, 1), kcast(T(n), fan(n->in[0], n)))); }

/* (dy) -> dy / count, broadcast to the node's shape */
static void lower_mean_to_bwd(Lower *L, Node *n) {
    Node *dy = n->in[0];
    KBlock *outer = L->b;
    const Shape *s = &n->shape;
    int iv[DLRT_MAX_RANK];
    for (int d = 0; d < s->rank; d++) iv[d] = d ? loop(L, "i", kdim(s->d[d])) : ploop(L, "i", kdim(s->d[d]), numel(n));
    KExpr *oi = ki(0), *di = ki(0);
    for (int d = 0; d < s->rank; d++) {
        oi = add(mul(oi, kdim(s->d[d])), var(L, iv[d]));
        int dd = d - (s->rank - dy->shape.rank);
        if (dd >= 0) {
            bool kept = !dim_eq(dy->shape.d[dd], dim_const(1));
            di = add(mul(di, kdim(dy->shape.d[dd])), kept ? var(L, iv[d]) : ki(0));
        }
    }
    kstore(L->b, buf_of(L, n), oi, mul(ld(L, dy, di), dvd(c(n, 1), kcast(T(n), fan(n, dy)))));
    L->b = outer;
}

static void lower_train_eval(Lower *L, Node *n) {
    Node *x = n->in[L->training ? 0 : 1];
    KBlock *outer = L->b;
    int i = loop(L, "i", numel(n));
    kstore(L->b, buf_of(L, n), var(L, i), ld(L, x, var(L, i)));
    L->b = outer;
}

/* C[M,N] = op(A) op(B), with A, B seen as [rows, last] matrices: one GEMM statement, which
 * each back end implements (KGemm in dlc.h fixes the arithmetic); with batch axes, one GEMM
 * per batch index, in a loop. */
static void matmul_into(Lower *L, Node *n, Node *out, Node *bias) {
    Node *a = n->in[0], *b = n->in[1];
    MatDims d = matmul_dims(n);
    KExpr *m = kdim(d.m), *nc = kdim(d.n), *k = kdim(d.ka);
    KBlock *outer = L->b;
    KExpr *at = ki(0);
    int64_t slice = matmul_batch_slice(L->g, n);
    if (n->iattr[2]) at = var(L, slice >= 0 ? ploop(L, "batch", kdim(d.batch), numel(n)) : loop(L, "batch", kdim(d.batch)));
    KGemm g = {n->iattr[0], n->iattr[1], buf_of(L, a), buf_of(L, b), buf_of(L, out),
               slice == 0 ? -1 : kbuf(L->f, B_W, L->gemm_ws, T(n), "gemm_ws"), mul(at, mul(m, k)), mul(at, mul(k, nc)),
               mul(at, mul(m, nc)), m, nc, k, NULL, matmul_dot(n), slice > 0 ? mul(at, ki(slice)) : NULL,
               bias ? buf_of(L, bias) : -1, bias ? ki(0) : NULL};
    kgemm(L->b, &g);
    L->b = outer;
}
static void lower_matmul(Lower *L, Node *n) { matmul_into(L, n, n, NULL); }

/* ---- images [N, C, H, W] --------------------------------------------------------------------
 * Every image op loops over the leading "planes" (N*C, or N and C) and the spatial axes; the
 * index of (plane, h, w) in a tensor of spatial size H x W is (plane*H + h)*W + w. */
static KExpr *at2d(KExpr *plane, KExpr *h, KExpr *w, KExpr *H, KExpr *W) { return add(mul(add(mul(plane, H), h), W), w); }
static KExpr *planes(Node *n) {   /* product of all but the last two dims */
    Dim d = dim_const(1);
    for (int i = 0; i + 2 < n->shape.rank; i++) d = dim_mul(d, n->shape.d[i]);
    return kdim(d);
}
static KExpr *dimr(Node *n, int from_end) { return kdim(n->shape.d[n->shape.rank - from_end]); }

/* out = x surrounded by iattr (top, bottom, left, right) rows/columns of fattr0 */
static void lower_pad2d(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    KExpr *H = dimr(x, 2), *W = dimr(x, 1), *Ho = dimr(n, 2), *Wo = dimr(n, 1);
    int p = ploop(L, "p", planes(n), numel(n)), h = loop(L, "h", Ho), w = loop(L, "w", Wo);
    KExpr *ih = sub(var(L, h), ki(n->iattr[0])), *iw = sub(var(L, w), ki(n->iattr[2]));
    KExpr *inside = kbin(K_AND, kbin(K_AND, kbin(K_GE, ih, ki(0)), kbin(K_LT, ih, H)),
                         kbin(K_AND, kbin(K_GE, iw, ki(0)), kbin(K_LT, iw, W)));
    /* the load reads a clamped (always valid) index; the select discards it outside */
    KExpr *ch = kbin(K_MIN, kbin(K_MAX, ih, ki(0)), sub(H, ki(1)));
    KExpr *cw = kbin(K_MIN, kbin(K_MAX, iw, ki(0)), sub(W, ki(1)));
    kstore(L->b, buf_of(L, n), at2d(var(L, p), var(L, h), var(L, w), Ho, Wo),
           kselect(inside, ld(L, x, at2d(var(L, p), ch, cw, H, W)), c(n, n->fattr[0])));
    L->b = outer;
}

static void lower_crop2d(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    KExpr *H = dimr(x, 2), *W = dimr(x, 1), *Ho = dimr(n, 2), *Wo = dimr(n, 1);
    int p = ploop(L, "p", planes(n), numel(n)), h = loop(L, "h", Ho), w = loop(L, "w", Wo);
    kstore(L->b, buf_of(L, n), at2d(var(L, p), var(L, h), var(L, w), Ho, Wo),
           ld(L, x, at2d(var(L, p), add(var(L, h), ki(n->iattr[0])), add(var(L, w), ki(n->iattr[2])), H, W)));
    L->b = outer;
}

/* Convolution over an already padded x[N, C, H, W] with w[CO, CG, KH, KW], CG = C / groups.
 * iattr: stride h, w; dilation h, w; groups.  The three passes share one loop nest over
 * (n, co, oh | ci, kh, kw | ow) so that the innermost loop runs along a row:
 *   forward:  y[n, co, oh, ow]       += w[co, ci, kh, kw] * x[n, g*CG + ci, ih, iw]
 *   dx:       dx[n, g*CG + ci, ih, iw] += w[co, ci, kh, kw] * dy[n, co, oh, ow]
 *   dw:       dw[co, ci, kh, kw]     += dy[n, co, oh, ow] * x[n, g*CG + ci, ih, iw]
 * with ih = oh*sh + kh*dh, iw = ow*sw + kw*dw and g = co / (CO / groups). */
typedef enum { CONV_FWD, CONV_DX, CONV_DW } ConvPass;

static void lower_conv_pass(Lower *L, Node *n, ConvPass pass, Node *x, Node *w, Node *y) {
    KBlock *outer = L->b;
    KExpr *N = kdim(x->shape.d[0]), *C = kdim(x->shape.d[1]), *H = dimr(x, 2), *W = dimr(x, 1);
    KExpr *CO = kdim(w->shape.d[0]), *CG = kdim(w->shape.d[1]), *KH = dimr(w, 2), *KW = dimr(w, 1);
    KExpr *OH = dimr(y, 2), *OW = dimr(y, 1);
    int64_t sh = n->iattr[0], sw = n->iattr[1], dh = n->iattr[2], dw = n->iattr[3];
    int64_t cog = w->shape.d[0].c / n->iattr[4];
    Node *target = pass == CONV_FWD ? y : pass == CONV_DX ? x : w;   /* what this pass writes */
    if (pass != CONV_FWD) zero(L, n, numel(target));
    int bn = loop(L, "n", N), bco = loop(L, "co", CO), boh = loop(L, "oh", OH);
    KExpr *ybase = mul(add(mul(add(mul(var(L, bn), CO), var(L, bco)), OH), var(L, boh)), OW);
    if (pass == CONV_FWD) {
        KBlock *rb = L->b;
        int ow = loop(L, "ow", OW);
        kstore(L->b, buf_of(L, y), add(ybase, var(L, ow)), c(y, 0));
        L->b = rb;
    }
    KExpr *g = kbin(K_DIV, var(L, bco), ki(cog));
    int ci = loop(L, "ci", CG), kh = loop(L, "kh", KH), kw = loop(L, "kw", KW);
    KExpr *widx = add(mul(add(mul(add(mul(var(L, bco), CG), var(L, ci)), KH), var(L, kh)), KW), var(L, kw));
    KExpr *xplane = add(mul(var(L, bn), C), add(mul(g, CG), var(L, ci)));
    KExpr *xrow = mul(add(mul(xplane, H), add(mul(var(L, boh), ki(sh)), mul(var(L, kh), ki(dh)))), W);
    KExpr *xcol0 = mul(var(L, kw), ki(dw));
    if (pass == CONV_DW) {
        int acc = local(L, "acc", ld(L, w, widx));   /* w here is dw's buffer: accumulate over n, oh */
        KBlock *kb = L->b;
        int ow = loop(L, "ow", OW);
        KExpr *xi = add(xrow, add(xcol0, mul(var(L, ow), ki(sw))));
        kset(L->b, acc, add(var(L, acc), mul(ld(L, y, add(ybase, var(L, ow))), ld(L, x, xi))));
        L->b = kb;
        kstore(L->b, buf_of(L, w), widx, var(L, acc));
    } else {
        int wv = local(L, "wv", ld(L, w, widx));
        int ow = loop(L, "ow", OW);
        KExpr *xi = add(xrow, add(xcol0, mul(var(L, ow), ki(sw))));
        KExpr *yi = add(ybase, var(L, ow));
        if (pass == CONV_FWD) {
            int yb = buf_of(L, y);
            kstore(L->b, yb, yi, add(kload(L->f, yb, yi), mul(var(L, wv), ld(L, x, xi))));
        } else {
            int xb = buf_of(L, x);
            kstore(L->b, xb, xi, add(kload(L->f, xb, xi), mul(var(L, wv), ld(L, y, yi))));
        }
    }
    L->b = outer;
}

/* The windows of x as columns: cols[((k*N + n)*OH + oh)*OW + ow] = x[n, c, oh*sh + kh*dh,
 * ow*sw + kw*dw] with k = (c*KH + kh)*KW + kw; the inner loop runs along ow.  IM2COL splits
 * its threads over k (a one-channel image still has KH*KW rows of columns); COL2IM
 * (scatter = true) adds them back over samples n, each x element summing its windows in
 * (kh, kw) order. */
static void im2col_pass(Lower *L, Node *img, Node *cols, const int64_t *a, bool scatter) {
    KBlock *outer = L->b;
    KExpr *C = kdim(img->shape.d[1]), *H = dimr(img, 2), *W = dimr(img, 1), *N = kdim(img->shape.d[0]);
    KExpr *OH = dimr(cols, 2), *OW = dimr(cols, 1), *KH = ki(a[0]), *KW = ki(a[1]);
    if (scatter) zero(L, img, numel(img));
    KExpr *k, *ch, *kh, *kw, *n;
    if (scatter) {
        n = var(L, ploop(L, "n", N, numel(cols)));
        ch = var(L, loop(L, "c", C));
        kh = var(L, loop(L, "kh", KH));
        kw = var(L, loop(L, "kw", KW));
        k = add(mul(add(mul(ch, KH), kh), KW), kw);
    } else {
        k = var(L, ploop(L, "k", mul(C, mul(KH, KW)), numel(cols)));
        ch = dvd(k, mul(KH, KW));
        kh = kbin(K_REM, dvd(k, KW), KH);
        kw = kbin(K_REM, k, KW);
        n = var(L, loop(L, "n", N));
    }
    int oh = loop(L, "oh", OH), ow = vloop(L, "ow", OW);   /* each ow its own element; rows are short */
    KExpr *ci = add(mul(add(mul(add(mul(k, N), n), OH), var(L, oh)), OW), var(L, ow));
    KExpr *xi = at2d(add(mul(n, C), ch), add(mul(var(L, oh), ki(a[2])), mul(kh, ki(a[4]))),
                     add(mul(var(L, ow), ki(a[3])), mul(kw, ki(a[5]))), H, W);
    if (scatter) {
        int xb = buf_of(L, img);
        kstore(L->b, xb, xi, add(kload(L->f, xb, xi), ld(L, cols, ci)));
    } else {
        kstore(L->b, buf_of(L, cols), ci, ld(L, img, xi));
    }
    L->b = outer;
}
static void lower_im2col(Lower *L, Node *n) { im2col_pass(L, n->in[0], n, n->iattr, false); }
static void lower_col2im(Lower *L, Node *n) { im2col_pass(L, n, n->in[0], n->iattr, true); }

static void lower_conv2d(Lower *L, Node *n) { lower_conv_pass(L, n, CONV_FWD, n->in[0], n->in[1], n); }
/* (dy, w) -> dx: the node plays x, its input dy plays y */
static void lower_conv2d_bwd_x(Lower *L, Node *n) { lower_conv_pass(L, n, CONV_DX, n, n->in[1], n->in[0]); }
/* (dy, x) -> dw */
static void lower_conv2d_bwd_w(Lower *L, Node *n) { lower_conv_pass(L, n, CONV_DW, n->in[1], n, n->in[0]); }

/* Pooling windows: iattr kernel h, w, stride h, w over an already padded x.  The window of
 * output (p, oh, ow) starts at (oh*sh, ow*sw). */
typedef struct { int p, oh, ow; } Window;

/* Open the loops over the pooled output's planes and positions.  `own` when each position
 * writes only its own element (not a scatter into windows that may overlap): its rows, often
 * short, are then a vloop. */
static Window window_loops(Lower *L, Node *pooled, bool own) {
    Window w;
    w.p = ploop(L, "p", planes(pooled), numel(pooled));   /* windows never leave their plane */
    w.oh = loop(L, "oh", dimr(pooled, 2));
    w.ow = own ? vloop(L, "ow", dimr(pooled, 1)) : loop(L, "ow", dimr(pooled, 1));
    return w;
}

/* Index in x (spatial H x W) of window element (kh, kw). */
static KExpr *window_in(Lower *L, Node *pooled, Window *w, KExpr *kh, KExpr *kw, Node *x) {
    return at2d(var(L, w->p), add(mul(var(L, w->oh), ki(pooled->iattr[2])), kh),
                add(mul(var(L, w->ow), ki(pooled->iattr[3])), kw), dimr(x, 2), dimr(x, 1));
}

static KExpr *window_out(Lower *L, Window *w, Node *pooled) {
    return at2d(var(L, w->p), var(L, w->oh), var(L, w->ow), dimr(pooled, 2), dimr(pooled, 1));
}

/* Whether a running maximum `best` takes v: best is not NaN and (v is NaN or v > best), so the
 * first maximum is kept and NaN wins (PyTorch's). */
static KExpr *max_takes(KExpr *best, KExpr *v) {
    return kbin(K_AND, kbin(K_EQ, best, best), kbin(K_OR, kbin(K_NE, v, v), kbin(K_GT, v, best)));
}
static KExpr *max_step(KExpr *best, KExpr *v) { return kselect(max_takes(best, v), v, best); }

/* Emit, in the current (output) loop, best = the first maximal x of the window (NaN wins, as
 * in PyTorch) and, when arg is not NULL, *arg = its position kh*KW + kw in the window.
 * Branch-free (selects), so the loop over ow vectorizes. */
static void window_argmax(Lower *L, Node *pooled, Node *x, Window *w, int *best, int *arg) {
    *best = local(L, "best", ld(L, x, window_in(L, pooled, w, ki(0), ki(0), x)));
    if (arg) *arg = local(L, "arg", kcast(KT_I32, ki(0)));   /* i32: as many lanes as the f32 values */
    KBlock *ob = L->b;
    int kh = loop(L, "kh", ki(pooled->iattr[0])), kw = loop(L, "kw", ki(pooled->iattr[1]));
    KExpr *v = ld(L, x, window_in(L, pooled, w, var(L, kh), var(L, kw), x));
    KExpr *take = max_takes(var(L, *best), v);
    if (arg) kset(L->b, *arg, kselect(take, kcast(KT_I32, add(mul(var(L, kh), ki(pooled->iattr[1])), var(L, kw))), var(L, *arg)));
    kset(L->b, *best, kselect(take, v, var(L, *best)));
    L->b = ob;
}


/* Windows that tile x exactly (pool_tiles) take two passes over long contiguous loops, through
 * the node's scratch t: t[r, w] = the max over the window rows of output row r (r over planes
 * and output rows, w over x's width), then y[q] = the max of t[q KW .. q KW + KW) over every
 * output q at once.  Rows of pooled planes are short (5 in LeNet), and the windows' strided
 * columns in a loop over them became gathers. */
static void lower_maxpool2d(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    if (pool_tiles(&x->shape, &n->shape, n->iattr)) {
        int64_t KH = n->iattr[0], KW = n->iattr[1], W = x->shape.d[x->shape.rank - 1].c;
        KExpr *rowsy = mul(planes(n), dimr(n, 2)), *t = numel(n);
        int nb = buf_of(L, n);
        int r = ploop(L, "r", rowsy, numel(x)), w = vloop(L, "w", ki(W));
        KExpr *at = add(mul(mul(var(L, r), ki(KH)), ki(W)), var(L, w));
        int best = local(L, "best", ld(L, x, at));
        for (int64_t i = 1; i < KH; i++) kset(L->b, best, max_step(var(L, best), ld(L, x, add(at, ki(i * W)))));
        kstore(L->b, nb, add(t, add(mul(var(L, r), ki(W)), var(L, w))), var(L, best));
        L->b = outer;
        int q = ploop(L, "q", numel(n), numel(n));
        KExpr *tq = add(t, mul(var(L, q), ki(KW)));
        best = local(L, "best", kload(L->f, nb, tq));
        for (int64_t j = 1; j < KW; j++) kset(L->b, best, max_step(var(L, best), kload(L->f, nb, add(tq, ki(j)))));
        kstore(L->b, nb, var(L, q), var(L, best));
        L->b = outer;
        return;
    }
    Window w = window_loops(L, n, true);
    int best;
    window_argmax(L, n, x, &w, &best, NULL);
    kstore(L->b, buf_of(L, n), window_out(L, &w, n), var(L, best));
    L->b = outer;
}

/* (dy, x): each window's dy goes to its first max, the argmax recomputed from x in the same
 * loop (no positions saved between the passes).  Windows that tile x exactly (stride = kernel,
 * nothing left over) give each x element exactly one window: the window's elements are
 * written whole, dy or 0, in a loop over windows that vectorizes.  Otherwise dx is zeroed and
 * each window's dy added at its max. */
static void lower_maxpool2d_bwd(Lower *L, Node *n) {
    Node *dy = n->in[0], *x = n->in[1];
    const int64_t *a = n->iattr;   /* kernel h, w, stride h, w */
    KBlock *outer = L->b;
    int db = buf_of(L, n);
    bool tiles = pool_tiles(&n->shape, &dy->shape, a);
    if (!tiles) zero(L, n, numel(n));
    Window w = window_loops(L, dy, tiles);
    int best, arg;
    window_argmax(L, n, x, &w, &best, &arg);
    KExpr *g = ld(L, dy, window_out(L, &w, dy));
    if (tiles) {
        int kh = loop(L, "kh", ki(a[0])), kw = loop(L, "kw", ki(a[1]));
        KExpr *pos = kcast(KT_I32, add(mul(var(L, kh), ki(a[1])), var(L, kw)));
        kstore(L->b, db, window_in(L, n, &w, var(L, kh), var(L, kw), n), kselect(kbin(K_EQ, var(L, arg), pos), g, c(n, 0)));
    } else {
        KExpr *at = kcast(KT_I64, var(L, arg));
        KExpr *xi = window_in(L, n, &w, dvd(at, ki(a[1])), kbin(K_REM, at, ki(a[1])), n);
        kstore(L->b, db, xi, add(kload(L->f, db, xi), g));
    }
    L->b = outer;
}

static void lower_avgpool2d(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    Window w = window_loops(L, n, true);
    KBlock *ob = L->b;
    int acc = local(L, "acc", c(n, 0));
    int kh = loop(L, "kh", ki(n->iattr[0])), kw = loop(L, "kw", ki(n->iattr[1]));
    kset(L->b, acc, add(var(L, acc), ld(L, x, window_in(L, n, &w, var(L, kh), var(L, kw), x))));
    L->b = ob;
    kstore(L->b, buf_of(L, n), window_out(L, &w, n), dvd(var(L, acc), c(n, (double)(n->iattr[0] * n->iattr[1]))));
    L->b = outer;
}

/* (dy): dx[window] += dy / (kh kw) */
static void lower_avgpool2d_bwd(Lower *L, Node *n) {
    Node *dy = n->in[0];
    KBlock *outer = L->b;
    zero(L, n, numel(n));
    Window w = window_loops(L, dy, false);
    int share = local(L, "share", dvd(ld(L, dy, window_out(L, &w, dy)), c(n, (double)(n->iattr[0] * n->iattr[1]))));
    int kh = loop(L, "kh", ki(n->iattr[0])), kw = loop(L, "kw", ki(n->iattr[1]));
    KExpr *xi = window_in(L, n, &w, var(L, kh), var(L, kw), n);   /* n carries the pool attributes */
    int db = buf_of(L, n);
    kstore(L->b, db, xi, add(kload(L->f, db, xi), var(L, share)));
    L->b = outer;
}

/* ---- sequences ------------------------------------------------------------------------------ */
/* out[r, :] = table[ids[r], :], zeros for an id outside [0, V) */
static void lower_embed(Lower *L, Node *n) {
    Node *table = n->in[0], *ids = n->in[1];
    KBlock *outer = L->b;
    KExpr *V = kdim(table->shape.d[0]), *D = last_dim(n);
    int r = ploop(L, "r", numel(ids), numel(n));
    int id = local(L, "id", kcast(KT_I64, ld(L, ids, var(L, r))));
    int ok = local(L, "ok", kbin(K_AND, kbin(K_GE, var(L, id), ki(0)), kbin(K_LT, var(L, id), V)));
    int safe = local(L, "safe", kselect(var(L, ok), var(L, id), ki(0)));
    int d = loop(L, "d", D);
    KExpr *v = ld(L, table, add(mul(var(L, safe), D), var(L, d)));
    kstore(L->b, buf_of(L, n), add(mul(var(L, r), D), var(L, d)), kselect(var(L, ok), v, c(n, 0)));
    L->b = outer;
}

/* dtable[ids[r], :] += dy[r, :] in row order (rows may repeat an id: one serial pass) */
static void lower_embed_grad(Lower *L, Node *n) {
    Node *dy = n->in[0], *ids = n->in[1];
    KBlock *outer = L->b;
    KExpr *V = kdim(n->shape.d[0]), *D = last_dim(n);
    zero(L, n, numel(n));
    int r = loop(L, "r", numel(ids));
    int id = local(L, "id", kcast(KT_I64, ld(L, ids, var(L, r))));
    KExpr *ok = kbin(K_AND, kbin(K_GE, var(L, id), ki(0)), kbin(K_LT, var(L, id), V));
    if (n->iattr[0] >= 0) ok = kbin(K_AND, ok, kbin(K_NE, var(L, id), ki(n->iattr[0])));
    L->b = &kif(L->b, ok)->body;
    int d = loop(L, "d", D);
    KExpr *at = add(mul(var(L, id), D), var(L, d));
    kstore(L->b, buf_of(L, n), at, add(ld(L, n, at), ld(L, dy, add(mul(var(L, r), D), var(L, d)))));
    L->b = outer;
}

/* The sinusoidal position encoding (Vaswani et al. 2017) [T, D]: pair i of columns (2i, 2i+1)
 * holds sin and cos of t e^(-2i ln(10000) / D); computed in f64 (libm) and rounded once. */
static void lower_sinusoid(Lower *L, Node *n) {
    KBlock *outer = L->b;
    int64_t D = n->shape.d[1].c;
    int t = loop(L, "t", kdim(n->shape.d[0]));
    int j = loop(L, "j", ki(D));
    KExpr *pair = mul(ki(2), dvd(var(L, j), ki(2)));
    KExpr *freq = kun(K_EXP, mul(kcast(KT_F64, pair), kf(KT_F64, -log(10000.0) / (double)D)));
    KExpr *angle = mul(kcast(KT_F64, var(L, t)), freq);
    KExpr *even = kbin(K_EQ, kbin(K_REM, var(L, j), ki(2)), ki(0));
    kstore(L->b, buf_of(L, n), add(mul(var(L, t), ki(D)), var(L, j)), kcast(T(n), kselect(even, kun(K_SIN, angle), kun(K_COS, angle))));
    L->b = outer;
}

/* A recurrence's inputs and sizes, from RNN_SEQ (xg, w_hh [, b_hh] [, h0] [, c0]) or RNN_BWD
 * (dy, ws, w_hh [, h0] [, c0]); offsets below are in elements of the saved states (dlc.h). */
typedef struct {
    int cell;
    bool reverse;
    Node *ws, *w, *b, *h0, *c0;
    KExpr *T, *N, *H, *G, *NH, *TNH;
    KExpr *r0, *nr;   /* this task's batch rows [r0, r0 + nr) (rnn_rows) */
} Rnn;

static Rnn rnn_of(Node *n, Node *ws, int w_at) {
    Rnn r = {.cell = (int)n->iattr[RNN_CELL], .reverse = n->iattr[RNN_REVERSE] != 0, .ws = ws, .w = n->in[w_at]};
    int k = w_at + 1 + (n->op == OP_RNN_SEQ);   /* RNN_SEQ's w_hh^T follows w_hh */
    if (n->op == OP_RNN_SEQ && n->iattr[RNN_BIAS]) r.b = n->in[k++];
    if (n->iattr[RNN_H0]) r.h0 = n->in[k++];
    if (n->iattr[RNN_C0]) r.c0 = n->in[k++];
    r.T = kdim(ws->shape.d[1]);
    r.N = kdim(ws->shape.d[2]);
    r.H = kdim(ws->shape.d[3]);
    r.G = kdim(r.w->shape.d[0]);
    r.NH = mul(r.N, r.H);
    r.TNH = mul(r.T, r.NH);
    return r;
}
static KExpr *h_at(Rnn *r, KExpr *t) { return mul(t, r->NH); }
static KExpr *c_at(Rnn *r, KExpr *t) { return add(r->TNH, mul(t, r->NH)); }
static KExpr *gates_at(Rnn *r, KExpr *t) { return add(mul(ki(r->cell == CELL_LSTM ? 2 : 1), r->TNH), mul(t, mul(r->N, r->G))); }
static KExpr *hn_at(Rnn *r, KExpr *t) { return add(mul(ki(4), r->TNH), mul(t, r->NH)); }

/* Sequences are independent, so a recurrence runs as a parallel loop over blocks of RNN_ROWS
 * batch rows, each block walking the whole time loop on its own: one fork and join per
 * recurrence, not one per step.  Opens that loop and sets r->r0, r->nr.  The per-step products
 * inside read B in place (KGemm.ws < 0); two tiles of the micro-kernel's rows keep them dense. */
enum { RNN_ROWS = 16 };
static void rnn_rows(Lower *L, Rnn *r, KExpr *work) {
    int blk = ploop(L, "blk", dvd(add(r->N, ki(RNN_ROWS - 1)), ki(RNN_ROWS)), work);
    r->r0 = var(L, local(L, "r0", mul(var(L, blk), ki(RNN_ROWS))));
    r->nr = var(L, local(L, "nr", kbin(K_MIN, ki(RNN_ROWS), sub(r->N, r->r0))));
}

static KExpr *sigm(Node *n, KExpr *x) { return dvd(c(n, 1), add(c(n, 1), kun(K_EXP, kun(K_NEG, x)))); }
static KExpr *one_minus(Node *n, KExpr *x) { return sub(c(n, 1), x); }

/* The previous state at element e: `init` (or 0 without one) at the first step, else the
 * saved value at tprev.  `first` is a run-time flag, or NULL when `known_first` says; with a
 * flag the index is clamped so the unused load stays in bounds. */
static KExpr *prev_state(Lower *L, Rnn *r, Node *init, bool known_first, KExpr *first, KExpr *t, KExpr *tprev,
                         KExpr *(*at)(Rnn *, KExpr *), KExpr *e) {
    KExpr *start = init ? ld(L, init, e) : c(r->ws, 0);
    if (!first) return known_first ? start : ld(L, r->ws, add(at(r, tprev), e));
    return kselect(first, start, ld(L, r->ws, add(at(r, kselect(first, t, tprev)), e)));
}

/* One forward step at time t (previous step tprev; `first` a run-time flag): the hidden-side
 * product h_prev . w_hh^T, then the cell's pointwise update over [N, H]. */
static void rnn_step(Lower *L, Rnn *r, KExpr *t, KExpr *tprev, bool first) {
    Node *n = r->ws, *xg = n->in[0];
    KBlock *outer = L->b;
    KExpr *dst = r->cell <= CELL_RELU ? h_at(r, t) : gates_at(r, t);   /* the gates' home */
    KExpr *hg = numel(n);   /* the hidden-side product [N, GH], in the scratch (not in place, so
                             * the pointwise loop's run-time alias checks pass and it vectorizes) */
    bool product = !first || r->h0;
    if (product) {   /* this block's rows against w_hh^T [H, GH] (rows padded), read in place */
        KGemm g = {false, false, first ? buf_of(L, r->h0) : buf_of(L, n), buf_of(L, n->in[2]), buf_of(L, n), -1,
                   add(first ? ki(0) : h_at(r, tprev), mul(r->r0, r->H)), ki(0), add(hg, mul(r->r0, r->G)),
                   r->nr, r->G, r->H, kdim(n->in[2]->shape.d[1]), false, NULL, -1, NULL};
        kgemm(L->b, &g);
    }
    KExpr *i = add(r->r0, var(L, loop(L, "i", r->nr)));   /* batch row */
    int j = vloop(L, "j", r->H);
    KExpr *e = add(mul(i, r->H), var(L, j));   /* (i, j) in [N, H] */
    KExpr *row = add(mul(t, r->N), i);
    /* gate k's pre-activation parts: input side, hidden side (with b_hh) */
    KExpr *xs[4], *hs[4];
    for (int k = 0; k < rnn_gates(r->cell); k++) {
        KExpr *col = add(mul(ki(k), r->H), var(L, j));
        xs[k] = ld(L, xg, add(mul(row, r->G), col));
        hs[k] = product ? ld(L, n, add(hg, add(mul(i, r->G), col))) : c(n, 0);
        if (r->b) hs[k] = add(hs[k], ld(L, r->b, col));
    }
    KExpr *hout;
    switch (r->cell) {
    case CELL_TANH: hout = kun(K_TANH, add(xs[0], hs[0])); break;
    case CELL_RELU: {
        KExpr *pre = add(xs[0], hs[0]);
        hout = kselect(kbin(K_GT, pre, c(n, 0)), pre, c(n, 0));
        break;
    }
    case CELL_LSTM: {
        int gi = local(L, "gi", sigm(n, add(xs[0], hs[0]))), gf = local(L, "gf", sigm(n, add(xs[1], hs[1])));
        int gg = local(L, "gg", kun(K_TANH, add(xs[2], hs[2]))), go = local(L, "go", sigm(n, add(xs[3], hs[3])));
        KExpr *cprev = prev_state(L, r, r->c0, first, NULL, t, tprev, c_at, e);
        int cv = local(L, "c", add(mul(var(L, gf), cprev), mul(var(L, gi), var(L, gg))));
        int gv[4] = {gi, gf, gg, go};
        for (int k = 0; k < 4; k++)
            kstore(L->b, buf_of(L, n), add(dst, add(mul(i, r->G), add(mul(ki(k), r->H), var(L, j)))), var(L, gv[k]));
        kstore(L->b, buf_of(L, n), add(c_at(r, t), e), var(L, cv));
        hout = mul(var(L, go), kun(K_TANH, var(L, cv)));
        break;
    }
    default: {   /* GRU: n = tanh(x_n + r (W_hn h + b_hn)), h = (1 - z) n + z h_prev */
        int gr = local(L, "gr", sigm(n, add(xs[0], hs[0]))), gz = local(L, "gz", sigm(n, add(xs[1], hs[1])));
        int hn = local(L, "hn", hs[2]);
        int gn = local(L, "gn", kun(K_TANH, add(xs[2], mul(var(L, gr), var(L, hn)))));
        KExpr *hprev = prev_state(L, r, r->h0, first, NULL, t, tprev, h_at, e);
        int gv[3] = {gr, gz, gn};
        for (int k = 0; k < 3; k++)
            kstore(L->b, buf_of(L, n), add(dst, add(mul(i, r->G), add(mul(ki(k), r->H), var(L, j)))), var(L, gv[k]));
        kstore(L->b, buf_of(L, n), add(hn_at(r, t), e), var(L, hn));
        hout = add(mul(one_minus(n, var(L, gz)), var(L, gn)), mul(var(L, gz), hprev));
    }
    }
    kstore(L->b, buf_of(L, n), add(h_at(r, t), e), hout);
    L->b = outer;
}

/* Step s of T in processing order: the time index it handles, and the one before it in time. */
static KExpr *step_time(Rnn *r, KExpr *s, bool backward) {
    return (r->reverse != backward) ? sub(sub(r->T, ki(1)), s) : s;
}
static KExpr *time_prev(Rnn *r, KExpr *t) { return r->reverse ? add(t, ki(1)) : sub(t, ki(1)); }

/* The recurrence, steps in time order, per block of rows. */
static void lower_rnn_seq(Lower *L, Node *n) {
    Rnn r = rnn_of(n, n, 1);
    KBlock *outer = L->b;
    rnn_rows(L, &r, numel(n));
    KExpr *t0 = step_time(&r, ki(0), false);
    rnn_step(L, &r, t0, t0, true);
    int s = kvar(L->f, "s", KT_I64);
    L->b = &kfor(L->b, s, ki(1), r.T)->body;
    KExpr *t = step_time(&r, var(L, s), false);
    rnn_step(L, &r, t, time_prev(&r, t), false);
    L->b = outer;
}

/* Back through time, steps in reverse order.  Per step, from dh = dy_t + dh_rec (+ the carry):
 * the gate pre-activation gradients, input side to the node ([T, N, GH], mode 0) and hidden
 * side to the scratch `step` [N, GH]; then dh_rec = step . w_hh.  The carry is LSTM's dc f and
 * GRU's dh z.  Mode 1 returns the initial states' gradients [dh0 (, dc0)] instead.  Scratch
 * after the value: step [N, GH], dh_rec [N, H], then the carry in two [N, H] halves that
 * alternate (read one, write the other: no in-place update, so the loop vectorizes). */
static void lower_rnn_bwd(Lower *L, Node *n) {
    Node *dy = n->in[0];
    Rnn r = rnn_of(n, n->in[1], 2);
    Node *ws = r.ws;
    bool mode0 = n->iattr[RNN_MODE] == 0, full = dy->shape.rank == 4;
    KBlock *outer = L->b;
    KExpr *stp = numel(n), *dh = add(stp, mul(r.N, r.G)), *carry0 = add(dh, r.NH);
    int b = buf_of(L, n);
    rnn_rows(L, &r, mul(r.T, mul(r.N, r.G)));
    KBlock *blk = L->b;
    int q = loop(L, "q", ki(3));   /* this block's rows of dh and both carry halves start at 0 */
    int z = loop(L, "i", mul(r.nr, r.H));
    kstore(L->b, b, add(add(dh, mul(var(L, q), r.NH)), add(mul(r.r0, r.H), var(L, z))), c(n, 0));
    L->b = blk;
    int s = loop(L, "s", r.T);
    KBlock *body = L->b;
    KExpr *t = step_time(&r, var(L, s), true);
    int tv = local(L, "t", t);
    t = var(L, tv);
    /* the carry alternates between two [N, H] halves, read from one and written to the other */
    int cin = local(L, "cin", add(carry0, mul(kbin(K_REM, var(L, s), ki(2)), r.NH)));
    int cout = local(L, "cout", add(carry0, mul(sub(ki(1), kbin(K_REM, var(L, s), ki(2))), r.NH)));
    KExpr *tprev = time_prev(&r, t), *first = kbin(K_EQ, var(L, s), sub(r.T, ki(1)));
    KExpr *i = add(r.r0, var(L, loop(L, "i", r.nr)));   /* batch row */
    int j = vloop(L, "j", r.H);
    KExpr *e = add(mul(i, r.H), var(L, j));
    /* Gate k of (t, i, j) is at (row start + k H) + j, j added last: an index like
     * row + (k H + j) or (row + j) + k H lets LLVM turn an add into an `or` without the disjoint
     * flag, which its vectorizer cannot follow (gathers, or a scalar loop: backward through time
     * up to 3.5 times slower) */
    KExpr *rowg = mul(add(mul(t, r.N), i), r.G);   /* in dg [T, N, G H] */
    KExpr *sg = add(stp, mul(i, r.G));               /* in the step scratch [N, G H] */
    int dhv = local(L, "dh", add(ld(L, dy, add(h_at(&r, t), e)), ld(L, n, add(dh, e))));
    KExpr *gate[4];
    for (int k = 0; k < rnn_gates(r.cell); k++)
        gate[k] = ld(L, ws, add(add(gates_at(&r, t), add(mul(i, r.G), mul(ki(k), r.H))), var(L, j)));
    KExpr *dx[4], *dn_h = NULL;   /* input-side gate gradients; GRU's hidden-side n gradient */
    int G = rnn_gates(r.cell);
    switch (r.cell) {
    case CELL_TANH: case CELL_RELU: {
        KExpr *h = ld(L, ws, add(h_at(&r, t), e));
        dx[0] = r.cell == CELL_TANH ? mul(var(L, dhv), one_minus(n, mul(h, h))) : kselect(kbin(K_GT, h, c(n, 0)), var(L, dhv), c(n, 0));
        break;
    }
    case CELL_LSTM: {
        int gi = local(L, "gi", gate[0]), gf = local(L, "gf", gate[1]), gg = local(L, "gg", gate[2]), go = local(L, "go", gate[3]);
        int tc = local(L, "tc", kun(K_TANH, ld(L, ws, add(c_at(&r, t), e))));
        KExpr *dc = add(ld(L, n, add(var(L, cin), e)), mul(mul(var(L, dhv), var(L, go)), one_minus(n, mul(var(L, tc), var(L, tc)))));
        if (full) dc = add(dc, ld(L, dy, add(c_at(&r, t), e)));
        int dcv = local(L, "dc", dc);
        KExpr *cprev = prev_state(L, &r, r.c0, false, first, t, tprev, c_at, e);
        dx[0] = mul(mul(var(L, dcv), var(L, gg)), mul(var(L, gi), one_minus(n, var(L, gi))));
        dx[1] = mul(mul(var(L, dcv), cprev), mul(var(L, gf), one_minus(n, var(L, gf))));
        dx[2] = mul(mul(var(L, dcv), var(L, gi)), one_minus(n, mul(var(L, gg), var(L, gg))));
        dx[3] = mul(mul(var(L, dhv), var(L, tc)), mul(var(L, go), one_minus(n, var(L, go))));
        kstore(L->b, b, add(var(L, cout), e), mul(var(L, dcv), var(L, gf)));
        break;
    }
    default: {
        int gr = local(L, "gr", gate[0]), gz = local(L, "gz", gate[1]), gn = local(L, "gn", gate[2]);
        int dhd = local(L, "dhd", add(var(L, dhv), ld(L, n, add(var(L, cin), e))));   /* with the direct path */
        KExpr *hprev = prev_state(L, &r, r.h0, false, first, t, tprev, h_at, e);
        int dnp = local(L, "dnp", mul(mul(var(L, dhd), one_minus(n, var(L, gz))), one_minus(n, mul(var(L, gn), var(L, gn)))));
        dx[0] = mul(mul(var(L, dnp), ld(L, ws, add(hn_at(&r, t), e))), mul(var(L, gr), one_minus(n, var(L, gr))));
        dx[1] = mul(mul(var(L, dhd), sub(hprev, var(L, gn))), mul(var(L, gz), one_minus(n, var(L, gz))));
        dx[2] = var(L, dnp);
        kstore(L->b, b, add(var(L, cout), e), mul(var(L, dhd), var(L, gz)));
        dn_h = mul(var(L, dnp), var(L, gr));
    }
    }
    for (int k = 0; k < G; k++) {
        KExpr *col = mul(ki(k), r.H);
        int v = local(L, "dg", dx[k]);
        if (mode0) kstore(L->b, b, add(add(rowg, col), var(L, j)), var(L, v));
        kstore(L->b, b, add(add(sg, col), var(L, j)), dn_h && k == 2 ? dn_h : var(L, v));
    }
    L->b = body;
    /* dh_rec = step . w_hh; the last step's only feeds the initial state */
    KBlock *prod = mode0 ? &kif(L->b, kbin(K_LT, var(L, s), sub(r.T, ki(1))))->body : L->b;
    KGemm g = {false, false, b, buf_of(L, r.w), b, -1, add(stp, mul(r.r0, r.G)), ki(0), add(dh, mul(r.r0, r.H)), r.nr, r.H, r.G, NULL, false, NULL, -1, NULL};
    kgemm(prod, &g);
    L->b = outer;
    if (mode0) return;
    KExpr *carry = add(carry0, mul(sub(ki(1), kbin(K_REM, sub(r.T, ki(1)), ki(2))), r.NH));   /* the last written */
    int k = loop(L, "i", r.NH);   /* [dh0 (, dc0)] */
    KExpr *dh0 = ld(L, n, add(dh, var(L, k)));
    if (r.cell == CELL_GRU) dh0 = add(dh0, ld(L, n, add(carry, var(L, k))));
    kstore(L->b, b, var(L, k), dh0);
    if (r.cell == CELL_LSTM) kstore(L->b, b, add(r.NH, var(L, k)), ld(L, n, add(carry, var(L, k))));
    L->b = outer;
}

/* dw_hh = sum over t of dgh_t^T h_prev(t) for the steps with a saved h_prev, as one product
 * over the (t, n) rows: forward, rows t >= 1 of dgh against h rows t - 1; reversed, rows
 * t <= T-2 against h rows t + 1.  (The first step's h0 term is added by the caller.) */
static void lower_rnn_dwhh(Lower *L, Node *n) {
    Node *dg = n->in[0], *ws = n->in[1];
    KExpr *N = kdim(ws->shape.d[2]), *H = kdim(ws->shape.d[3]), *G = kdim(n->shape.d[0]);
    bool rev = n->iattr[RNN_REVERSE];
    KExpr *k = mul(sub(kdim(ws->shape.d[1]), ki(1)), N);
    KBlock *outer = L->b;
    L->b = &kif(outer, kbin(K_EQ, k, ki(0)))->body;
    int i = loop(L, "i", numel(n));
    kstore(L->b, buf_of(L, n), var(L, i), c(n, 0));
    KGemm g = {true, false, buf_of(L, dg), buf_of(L, ws), buf_of(L, n), kbuf(L->f, B_W, L->gemm_ws, T(n), "gemm_ws"),
               rev ? ki(0) : mul(N, G), rev ? mul(N, H) : ki(0), ki(0), G, H, k, NULL, false, NULL, -1, NULL};
    kgemm(&kif(outer, kbin(K_GT, k, ki(0)))->body, &g);
    L->b = outer;
}

/* GRU: the hidden side of the n gate is r (W_hn h + b_hn), so its gradient is the input
 * side's times r; r and z pass through. */
static void lower_rnn_hgrad(Lower *L, Node *n) {
    Node *dg = n->in[0], *ws = n->in[1];
    KBlock *outer = L->b;
    KExpr *H = kdim(ws->shape.d[3]), *G = last_dim(n), *TNH = kdim(dim_mul(dim_mul(ws->shape.d[1], ws->shape.d[2]), ws->shape.d[3]));
    int row = ploop(L, "r", rows(n), numel(n));
    int j = loop(L, "j", G);
    KExpr *at = add(mul(var(L, row), G), var(L, j));
    KExpr *rg = ld(L, ws, add(TNH, add(mul(var(L, row), G), kbin(K_REM, var(L, j), H))));
    kstore(L->b, buf_of(L, n), at, kselect(kbin(K_GE, var(L, j), mul(ki(2), H)), mul(ld(L, dg, at), rg), ld(L, dg, at)));
    L->b = outer;
}

/* ---- dropout ------------------------------------------------------------------------------------
 * keep element i when rand(key, i) >= p, scaling by 1 / (1 - p); the key mixes the run's seed
 * (hp[2]), the optimizer step (hp[1]) and the op's stream (iattr0), so the backward pass, which
 * shares the stream, redraws the same mask.  Outside training: identity. */
static void lower_dropout(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    double p = n->fattr[0];
    if (!L->training || p == 0) {
        int i = loop(L, "i", numel(n));
        kstore(L->b, buf_of(L, n), var(L, i), ld(L, x, var(L, i)));
        L->b = outer;
        return;
    }
    KExpr *key = add(mul(kcast(KT_I64, khp(2)), ki(1000003)), add(mul(kcast(KT_I64, khp(1)), ki(65537)), ki(n->iattr[0])));
    int k = local(L, "key", key);
    int i = loop(L, "i", numel(n));
    KExpr *keep = kbin(K_GE, krand(T(n), var(L, k), var(L, i)), c(n, p));
    kstore(L->b, buf_of(L, n), var(L, i), kselect(keep, mul(ld(L, x, var(L, i)), c(n, 1.0 / (1.0 - p))), c(n, 0)));
    L->b = outer;
}

/* ---- last-axis normalizers ------------------------------------------------------------------ */
/* Emit, inside a row loop, m = max_c x[base + c], e[ebase + c] = e^(x - m) into buffer `eb`
 * (a loop without a reduction, so the exponentials vectorize), and s = sum_c e; m and s are
 * lane folds. */
static void row_max_sumexp(Lower *L, Node *x, KExpr *base, KExpr *C, int eb, KExpr *ebase, int *m, int *s) {
    KBlock *rb = L->b;
    *m = lane_fold(L, K_MAX, ld(L, x, base), C, &(RowElem){.buf = buf_of(L, x), .base = base});
    int j = loop(L, "c", C);
    kstore(L->b, eb, add(ebase, var(L, j)), kun(K_EXP, sub(ld(L, x, add(base, var(L, j))), var(L, *m))));
    L->b = rb;
    *s = lane_fold(L, K_ADD, c(x, 0), C, &(RowElem){.buf = eb, .base = ebase});
}

static void lower_softmax_like(Lower *L, Node *n, bool log) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    KExpr *C = last_dim(n);
    int r = ploop(L, "r", rows(n), numel(n));
    KExpr *base = mul(var(L, r), C);
    int m, s;
    row_max_sumexp(L, x, base, C, buf_of(L, n), base, &m, &s);   /* the exponentials in the output row */
    int lse = local(L, "lse", log ? add(var(L, m), kun(K_LOG, var(L, s))) : dvd(c(n, 1), var(L, s)));
    int j = loop(L, "c", C);
    KExpr *at = add(base, var(L, j));
    kstore(L->b, buf_of(L, n), at, log ? sub(ld(L, x, at), var(L, lse)) : mul(ld(L, n, at), var(L, lse)));
    L->b = outer;
}
static void lower_softmax(Lower *L, Node *n) { lower_softmax_like(L, n, false); }
static void lower_log_softmax(Lower *L, Node *n) { lower_softmax_like(L, n, true); }

/* dy[base + j] * y[base + j], for the lane fold of a softmax gradient's row */
typedef struct { Node *dy, *y; KExpr *base; } GradRow;
static KExpr *dy_times_y(Lower *L, void *ctx, KExpr *j) {
    GradRow *r = ctx;
    return mul(ld(L, r->dy, add(r->base, j)), ld(L, r->y, add(r->base, j)));
}

/* softmax: dx = y (dy - sum(dy y));  log_softmax: dx = dy - e^y sum(dy); the sums lane folds */
static void lower_softmax_grad_like(Lower *L, Node *n, bool log) {
    Node *dy = n->in[0], *y = n->in[1];
    KBlock *outer = L->b;
    KExpr *C = last_dim(n);
    int r = ploop(L, "r", rows(n), numel(n));
    KExpr *base = mul(var(L, r), C);
    GradRow gr = {dy, y, base};
    RowElem e = log ? (RowElem){.buf = buf_of(L, dy), .base = base} : (RowElem){.value = dy_times_y, .kctx = &gr};
    int s = lane_fold(L, K_ADD, c(n, 0), C, &e);
    int j = loop(L, "c", C);
    KExpr *dyj = ld(L, dy, add(base, var(L, j)));
    KExpr *yj = ld(L, y, add(base, var(L, j)));
    kstore(L->b, buf_of(L, n), add(base, var(L, j)),
           log ? sub(dyj, mul(kun(K_EXP, yj), var(L, s))) : mul(yj, sub(dyj, var(L, s))));
    L->b = outer;
}
static void lower_softmax_grad(Lower *L, Node *n) { lower_softmax_grad_like(L, n, false); }
static void lower_log_softmax_grad(Lower *L, Node *n) { lower_softmax_grad_like(L, n, true); }

/* ---- standardize: y = (x - mean) / sqrt(var + eps) over each row of the last K elements -----
 * LayerNorm's and GroupNorm's normalization (var biased, as PyTorch's), a composite with its own
 * gradient: per row one lane fold per statistic, then one pass writing the row; rows in
 * parallel.  Built from primitives it took a dozen passes forward and backward. */
typedef struct { Node *x, *dy; KExpr *base, *mean, *sd; } NormRow;
static KExpr *norm_xhat(Lower *L, NormRow *r, KExpr *j) { return dvd(sub(ld(L, r->x, add(r->base, j)), r->mean), r->sd); }
static KExpr *norm_centered_sq(Lower *L, void *ctx, KExpr *j) {
    NormRow *r = ctx;
    KExpr *d = sub(ld(L, r->x, add(r->base, j)), r->mean);
    return mul(d, d);
}
static KExpr *norm_dy_xhat(Lower *L, void *ctx, KExpr *j) {
    NormRow *r = ctx;
    return mul(ld(L, r->dy, add(r->base, j)), norm_xhat(L, r, j));
}

/* In a row's loop: its mean and sqrt(var + eps), as locals (two passes, as var is centered) */
static void norm_stats(Lower *L, Node *n, NormRow *r, KExpr *K) {
    KExpr *inv_k = c(n, 1.0 / (double)n->iattr[0]);
    int s = lane_fold(L, K_ADD, c(n, 0), K, &(RowElem){.buf = buf_of(L, r->x), .base = r->base});
    r->mean = var(L, local(L, "mean", mul(var(L, s), inv_k)));
    int q = lane_fold(L, K_ADD, c(n, 0), K, &(RowElem){.value = norm_centered_sq, .kctx = r});
    r->sd = var(L, local(L, "sd", kun(K_SQRT, add(mul(var(L, q), inv_k), c(n, n->fattr[0])))));
}

static void lower_standardize(Lower *L, Node *n) {
    KBlock *outer = L->b;
    KExpr *K = ki(n->iattr[0]);
    int r = ploop(L, "r", dvd(numel(n), K), mul(numel(n), ki(3)));
    NormRow nr = {n->in[0], NULL, mul(var(L, r), K), NULL, NULL};
    norm_stats(L, n, &nr, K);
    int j = loop(L, "j", K);
    kstore(L->b, buf_of(L, n), add(nr.base, var(L, j)), norm_xhat(L, &nr, var(L, j)));
    L->b = outer;
}

/* (dy, x): dx = (dy - mean(dy) - xhat mean(dy xhat)) / sd, the statistics recomputed from x */
static void lower_standardize_grad(Lower *L, Node *n) {
    Node *dy = n->in[0];
    KBlock *outer = L->b;
    KExpr *K = ki(n->iattr[0]), *inv_k = c(n, 1.0 / (double)n->iattr[0]);
    int r = ploop(L, "r", dvd(numel(n), K), mul(numel(n), ki(5)));
    NormRow nr = {n->in[1], dy, mul(var(L, r), K), NULL, NULL};
    norm_stats(L, n, &nr, K);
    int a = lane_fold(L, K_ADD, c(n, 0), K, &(RowElem){.buf = buf_of(L, dy), .base = nr.base});
    int b = lane_fold(L, K_ADD, c(n, 0), K, &(RowElem){.value = norm_dy_xhat, .kctx = &nr});
    int ma = local(L, "ma", mul(var(L, a), inv_k)), mb = local(L, "mb", mul(var(L, b), inv_k));
    int j = loop(L, "j", K);
    KExpr *at = add(nr.base, var(L, j));
    KExpr *g = sub(sub(ld(L, dy, at), var(L, ma)), mul(norm_xhat(L, &nr, var(L, j)), var(L, mb)));
    kstore(L->b, buf_of(L, n), at, dvd(g, nr.sd));
    L->b = outer;
}

/* ---- attention ------------------------------------------------------------------------------
 * Scores [B, H, T, S]: query i of head h of batch b against key j. */

/* The lowest finite value: a masked score that no kept score loses a max to. */
static KExpr *lowest(Node *n) { return c(n, n->dtype == DLRT_F64 ? -1.7976931348623157e308 : -3.4028234663852886e38); }

/* Whether query i of batch b sees key j (ATT_* in dlc.h); key is the op's last input. */
static KExpr *attn_keep(Lower *L, Node *n, KExpr *b, KExpr *i, KExpr *j, KExpr *S) {
    KExpr *keep = n->iattr[ATT_CAUSAL] ? kbin(K_LE, j, i) : NULL;
    Node *key = n->in[n->nin - 1];
    KExpr *k = NULL;
    if (n->iattr[ATT_KEYS] == ATT_KEY_IDS) k = kbin(K_NE, kcast(KT_I64, ld(L, key, add(mul(b, S), j))), ki(n->iattr[ATT_PAD]));
    if (n->iattr[ATT_KEYS] == ATT_KEY_LENGTHS) k = kbin(K_LT, j, kcast(KT_I64, ld(L, key, b)));
    if (keep && k) return kbin(K_AND, keep, k);
    return keep ? keep : k ? k : kbin(K_EQ, ki(0), ki(0));
}

/* attn_keep for a lane fold over one row's keys */
typedef struct { Node *n; KExpr *b, *i, *S; } AttnRow;
static KExpr *attn_row_keep(Lower *L, void *ctx, KExpr *j) {
    AttnRow *a = ctx;
    return attn_keep(L, a->n, a->b, a->i, j, a->S);
}

/* fattr0 * x[at], a scaled score */
static KExpr *score(Lower *L, Node *x, KExpr *at, Node *n) { return mul(ld(L, x, at), c(n, n->fattr[0])); }

/* y = softmax(fattr0 * s) over the last axis, masked entries 0: the row max; e^(s - max) stored
 * (a loop without a reduction, so it vectorizes); their sum, in order (bitwise reproducible,
 * and only adds); the row scaled by 1 / sum.
 * A causal mask alone keeps a prefix of each row, keys j < min(i + 1, S): then only the prefix
 * is folded, exponentiated and scaled, unmasked, and the rest of the row set to 0.  The same
 * bits: the keys left out gave the max the lowest value and the sum +0 (the lane sums are never
 * -0), and without the per-key mask test the max fold vectorizes. */
static void lower_attn_softmax(Lower *L, Node *n) {
    Node *x = n->in[0];
    KBlock *outer = L->b;
    KExpr *S = last_dim(n), *T = dimr(n, 2), *HT = mul(dimr(n, 3), T);
    int r = ploop(L, "r", rows(n), numel(n));
    KBlock *rb = L->b;
    KExpr *base = mul(var(L, r), S), *b = dvd(var(L, r), HT), *i = kbin(K_REM, var(L, r), T);
    AttnRow ar = {n, b, i, S};
    bool prefix = n->iattr[ATT_CAUSAL] && n->iattr[ATT_KEYS] == ATT_KEY_NONE;
    KExpr *len = prefix ? var(L, local(L, "len", kbin(K_MIN, add(i, ki(1)), S))) : S;   /* the keys folded */
    RowElem scores = {.buf = buf_of(L, x), .base = base, .keep = prefix ? NULL : attn_row_keep, .kctx = &ar, .other = lowest(n),
                      .scale = c(n, n->fattr[0])};
    int m = lane_fold(L, K_MAX, lowest(n), len, &scores);
    int j = loop(L, "j", len);
    KExpr *e = kun(K_EXP, sub(score(L, x, add(base, var(L, j)), n), var(L, m)));
    kstore(L->b, buf_of(L, n), add(base, var(L, j)), prefix ? e : kselect(attn_keep(L, n, b, i, var(L, j), S), e, c(n, 0)));
    L->b = rb;
    if (prefix) {
        int z = kvar(L->f, "j", KT_I64);
        kstore(&kfor(L->b, z, len, S)->body, buf_of(L, n), add(base, var(L, z)), c(n, 0));
    }
    int s = lane_fold(L, K_ADD, c(n, 0), len, &(RowElem){.buf = buf_of(L, n), .base = base});
    int inv = local(L, "inv", kselect(kbin(K_GT, var(L, s), c(n, 0)), dvd(c(n, 1), var(L, s)), c(n, 0)));
    j = loop(L, "j", len);
    KExpr *at = add(base, var(L, j));
    kstore(L->b, buf_of(L, n), at, mul(ld(L, n, at), var(L, inv)));
    L->b = outer;
}

/* out = attn_softmax(q k^T) v without the [T, S] scores: per (b, h) and block of ATT_BR
 * queries, the key tiles of ATT_BC in turn (FlashAttention's online softmax):
 *   P = q_blk k_tile^T (a GEMM into the scratch tile), row max m' = max(m, max_j s),
 *   P = e^(s - m') masked, l = l e^(m - m') + sum_j P, out_blk = out_blk e^(m - m') + P v_tile,
 * and finally out_blk /= l.  Tiles wholly after a causal block are skipped. */
static void lower_attention(Lower *L, Node *n) {
    Node *q = n->in[0], *k = n->in[1], *v = n->in[2];
    KBlock *outer = L->b;
    KExpr *H = dimr(n, 3), *Tq = dimr(n, 2), *Dv = dimr(n, 1), *S = dimr(k, 2), *Dk = dimr(q, 1);
    KExpr *Br = ki(ATT_BR), *Bc = ki(ATT_BC);
    KExpr *tile = numel(n), *pv = add(tile, ki(ATT_BR * ATT_BC));   /* scratch offsets */
    KExpr *mrow = add(pv, mul(Br, Dv)), *lrow = add(mrow, Br);
    int o = buf_of(L, n);
    int bh = loop(L, "bh", mul(kdim(n->shape.d[0]), H));
    KExpr *b = dvd(var(L, bh), H);
    int qb = loop(L, "qb", dvd(add(Tq, ki(ATT_BR - 1)), Br));
    KBlock *qbody = L->b;
    int i0 = local(L, "i0", mul(var(L, qb), Br));
    int nr = local(L, "nr", kbin(K_MIN, Br, sub(Tq, var(L, i0))));
    KExpr *orow0 = mul(add(mul(var(L, bh), Tq), var(L, i0)), Dv);   /* out[bh, i0, 0] */
    int r = loop(L, "r", var(L, nr));
    kstore(L->b, o, add(mrow, var(L, r)), lowest(n));
    kstore(L->b, o, add(lrow, var(L, r)), c(n, 0));
    int d = loop(L, "d", Dv);
    kstore(L->b, o, add(orow0, add(mul(var(L, r), Dv), var(L, d))), c(n, 0));
    L->b = qbody;
    int kb = loop(L, "kb", dvd(add(S, ki(ATT_BC - 1)), Bc));
    int j0 = local(L, "j0", mul(var(L, kb), Bc));
    if (n->iattr[ATT_CAUSAL]) L->b = &kif(L->b, kbin(K_LT, var(L, j0), add(var(L, i0), var(L, nr))))->body;
    KBlock *live = L->b;
    int nc = local(L, "nc", kbin(K_MIN, Bc, sub(S, var(L, j0))));
    KGemm sg = {false, true, buf_of(L, q), buf_of(L, k), o, kbuf(L->f, B_W, L->gemm_ws, T(n), "gemm_ws"),
                mul(add(mul(var(L, bh), Tq), var(L, i0)), Dk), mul(add(mul(var(L, bh), S), var(L, j0)), Dk), tile,
                var(L, nr), var(L, nc), Dk, NULL, false, NULL, -1, NULL};
    kgemm(L->b, &sg);
    r = loop(L, "r", var(L, nr));
    KBlock *rb = L->b;
    KExpr *i = add(var(L, i0), var(L, r)), *trow = mul(var(L, r), var(L, nc));
    int m = local(L, "m", ld(L, n, add(mrow, var(L, r))));
    int j = loop(L, "j", var(L, nc));
    KExpr *keep = attn_keep(L, n, b, i, add(var(L, j0), var(L, j)), S);
    kset(L->b, m, kbin(K_MAX, var(L, m), kselect(keep, score(L, n, add(tile, add(trow, var(L, j))), n), lowest(n))));
    L->b = rb;
    int corr = local(L, "corr", kun(K_EXP, sub(ld(L, n, add(mrow, var(L, r))), var(L, m))));
    j = loop(L, "j", var(L, nc));   /* P = e^(s - m'), masked 0: no reduction, so it vectorizes */
    keep = attn_keep(L, n, b, i, add(var(L, j0), var(L, j)), S);
    KExpr *at = add(tile, add(trow, var(L, j)));
    kstore(L->b, o, at, kselect(keep, kun(K_EXP, sub(score(L, n, at, n), var(L, m))), c(n, 0)));
    L->b = rb;
    int s = local(L, "s", c(n, 0));
    j = loop(L, "j", var(L, nc));
    kset(L->b, s, add(var(L, s), ld(L, n, add(tile, add(trow, var(L, j))))));
    L->b = rb;
    kstore(L->b, o, add(mrow, var(L, r)), var(L, m));
    kstore(L->b, o, add(lrow, var(L, r)), add(mul(ld(L, n, add(lrow, var(L, r))), var(L, corr)), var(L, s)));
    d = loop(L, "d", Dv);
    KExpr *oat = add(orow0, add(mul(var(L, r), Dv), var(L, d)));
    kstore(L->b, o, oat, mul(ld(L, n, oat), var(L, corr)));
    L->b = live;
    KGemm pg = {false, false, o, buf_of(L, v), o, kbuf(L->f, B_W, L->gemm_ws, T(n), "gemm_ws"),
                tile, mul(add(mul(var(L, bh), S), var(L, j0)), Dv), pv, var(L, nr), Dv, var(L, nc), NULL, false, NULL, -1, NULL};
    kgemm(L->b, &pg);
    r = loop(L, "r", var(L, nr));
    d = loop(L, "d", Dv);
    oat = add(orow0, add(mul(var(L, r), Dv), var(L, d)));
    kstore(L->b, o, oat, add(ld(L, n, oat), ld(L, n, add(pv, add(mul(var(L, r), Dv), var(L, d))))));
    L->b = qbody;
    r = loop(L, "r", var(L, nr));
    KExpr *l = ld(L, n, add(lrow, var(L, r)));
    int inv = local(L, "inv", kselect(kbin(K_GT, l, c(n, 0)), dvd(c(n, 1), l), c(n, 0)));
    d = loop(L, "d", Dv);
    oat = add(orow0, add(mul(var(L, r), Dv), var(L, d)));
    kstore(L->b, o, oat, mul(ld(L, n, oat), var(L, inv)));
    L->b = outer;
}

/* ---- losses and metrics --------------------------------------------------------------------- */
/* The label of row r as an index clamped into [0, C) (data are checked when loaded; the clamp
 * keeps a bad label from reading out of bounds). */
static KExpr *label_at(Lower *L, Node *lab, KExpr *r, KExpr *C) {
    KExpr *l = kcast(KT_I64, ld(L, lab, r));
    return kbin(K_MIN, kbin(K_MAX, l, ki(0)), sub(C, ki(1)));
}

/* PyTorch's cross entropy: with class weights w (1 without) and label smoothing e,
 *   loss = (1 - e) sum_r w[y_r] (lse_r - x_r[y_r]) / W  +  e sum_r sum_c w_c (lse_r - x_rc) / (W C)
 * where W = sum_r w[y_r] (the number of rows without weights). */
/* Rows in parallel, each writing its terms to the node's scratch (shape_loss_ce): the row's
 * exponentials at [1, 1 + R C), then at 1 + R C + 3 r its loss, weight and smoothing terms;
 * then the terms summed over rows in order. */
static void lower_cross_entropy(Lower *L, Node *n) {
    Node *x = n->in[0], *lab = n->in[1], *w = n->nin == 3 ? n->in[2] : NULL;
    double e = n->fattr[0];
    KBlock *outer = L->b;
    KExpr *C = last_dim(x), *R = rows(x);
    int nb = buf_of(L, n);
    KExpr *terms = add(ki(1), mul(R, C));
    int r = ploop(L, "r", R, numel(x));
    KBlock *rb = L->b;
    KExpr *base = mul(var(L, r), C), *t = add(terms, mul(var(L, r), ki(3)));
    int m, s;
    row_max_sumexp(L, x, base, C, nb, add(ki(1), base), &m, &s);
    int lse = local(L, "lse", add(var(L, m), kun(K_LOG, var(L, s))));
    int l = local(L, "l", label_at(L, lab, var(L, r), C));
    KExpr *wl = w ? ld(L, w, var(L, l)) : c(n, 1);
    kstore(L->b, nb, t, mul(wl, sub(var(L, lse), ld(L, x, add(base, var(L, l))))));
    kstore(L->b, nb, add(t, ki(1)), wl);
    if (e != 0) {
        int smooth = local(L, "smooth", c(n, 0));
        int j = loop(L, "c", C);
        KExpr *term = sub(var(L, lse), ld(L, x, add(base, var(L, j))));
        kset(L->b, smooth, add(var(L, smooth), w ? mul(ld(L, w, var(L, j)), term) : term));
        L->b = rb;
        kstore(L->b, nb, add(t, ki(2)), var(L, smooth));
    }
    L->b = outer;
    int acc = local(L, "loss", c(n, 0));
    int wsum = local(L, "wsum", c(n, 0));
    int smooth = e != 0 ? local(L, "smooth", c(n, 0)) : -1;
    r = loop(L, "r", R);
    t = add(terms, mul(var(L, r), ki(3)));
    kset(L->b, acc, add(var(L, acc), kload(L->f, nb, t)));
    kset(L->b, wsum, add(var(L, wsum), kload(L->f, nb, add(t, ki(1)))));
    if (e != 0) kset(L->b, smooth, add(var(L, smooth), kload(L->f, nb, add(t, ki(2)))));
    L->b = outer;
    KExpr *loss = dvd(var(L, acc), var(L, wsum));
    if (e != 0)
        loss = add(mul(c(n, 1 - e), loss), mul(c(n, e), dvd(var(L, smooth), mul(var(L, wsum), kcast(T(n), C)))));
    kstore(L->b, buf_of(L, n), ki(0), loss);
}

/* The gradient of lower_cross_entropy's loss, with p = softmax(x_r):
 *   dx_rc = dl [ (1 - e) w[y_r] (p_c - [c = y_r]) / W  +  e (p_c sum_k w_k - w_c) / (W C) ]
 * which is dl (p - onehot) / rows without weights or smoothing. */
static void lower_ce_grad(Lower *L, Node *n) {
    Node *dl = n->in[0], *x = n->in[1], *lab = n->in[2], *w = n->nin == 4 ? n->in[3] : NULL;
    double e = n->fattr[0];
    KBlock *outer = L->b;
    KExpr *C = last_dim(x);
    KExpr *W = kcast(T(n), rows(x));
    if (w) {   /* W = sum of the labels' weights, in a pass of its own */
        int ws = local(L, "wsum", c(n, 0));
        int r0 = loop(L, "r", rows(x));
        kset(L->b, ws, add(var(L, ws), ld(L, w, label_at(L, lab, var(L, r0), C))));
        L->b = outer;
        W = var(L, ws);
    }
    int wtot = -1;
    if (w && e != 0) {
        wtot = local(L, "wtot", c(n, 0));
        int k = loop(L, "c", C);
        kset(L->b, wtot, add(var(L, wtot), ld(L, w, var(L, k))));
        L->b = outer;
    }
    /* rows are independent: in parallel, unless weights make W a sum over the whole batch */
    int r = w ? loop(L, "r", rows(x)) : ploop(L, "r", rows(x), numel(n));
    int scale = local(L, "scale", dvd(ld(L, dl, ki(0)), W));
    KExpr *base = mul(var(L, r), C);
    int m, s;
    row_max_sumexp(L, x, base, C, buf_of(L, n), base, &m, &s);   /* the exponentials in dx's row */
    int inv = local(L, "inv", dvd(c(n, 1), var(L, s)));
    int l = local(L, "l", label_at(L, lab, var(L, r), C));
    KExpr *wl = w ? ld(L, w, var(L, l)) : c(n, 1);
    int j = loop(L, "c", C);
    KExpr *p = mul(ld(L, n, add(base, var(L, j))), var(L, inv));
    KExpr *hot = kselect(kbin(K_EQ, var(L, j), var(L, l)), c(n, 1), c(n, 0));
    KExpr *g = w ? mul(wl, sub(p, hot)) : sub(p, hot);
    if (e != 0) {
        KExpr *sm = w ? sub(mul(p, var(L, wtot)), ld(L, w, var(L, j))) : sub(mul(p, kcast(T(n), C)), c(n, 1));
        g = add(mul(c(n, 1 - e), g), mul(c(n, e), dvd(sm, kcast(T(n), C))));
    }
    kstore(L->b, buf_of(L, n), add(base, var(L, j)), mul(var(L, scale), g));
    L->b = outer;
}

/* mean over rows of -logp[label] */
static void lower_nll(Lower *L, Node *n) {
    Node *x = n->in[0], *lab = n->in[1];
    KBlock *outer = L->b;
    KExpr *C = last_dim(x);
    int acc = local(L, "loss", c(n, 0));
    int r = loop(L, "r", rows(x));
    kset(L->b, acc, sub(var(L, acc), ld(L, x, add(mul(var(L, r), C), label_at(L, lab, var(L, r), C)))));
    L->b = outer;
    kstore(L->b, buf_of(L, n), ki(0), dvd(var(L, acc), kcast(T(n), rows(x))));
}

static void lower_nll_grad(Lower *L, Node *n) {
    Node *dl = n->in[0], *x = n->in[1], *lab = n->in[2];
    KBlock *outer = L->b;
    KExpr *C = last_dim(x);
    zero(L, n, numel(n));
    int scale = local(L, "scale", dvd(kun(K_NEG, ld(L, dl, ki(0))), kcast(T(n), rows(x))));
    int r = loop(L, "r", rows(x));
    kstore(L->b, buf_of(L, n), add(mul(var(L, r), C), label_at(L, lab, var(L, r), C)), var(L, scale));
    L->b = outer;
}

static void lower_mse(Lower *L, Node *n) {
    Node *a = n->in[0], *b = n->in[1];
    KBlock *outer = L->b;
    int acc = local(L, "acc", c(n, 0));
    int i = loop(L, "i", numel(a));
    KExpr *d = sub(ld(L, a, var(L, i)), ld(L, b, var(L, i)));
    kset(L->b, acc, add(var(L, acc), mul(d, d)));
    L->b = outer;
    kstore(L->b, buf_of(L, n), ki(0), dvd(var(L, acc), kcast(T(n), numel(a))));
}

static void lower_mse_grad(Lower *L, Node *n) {
    Node *dl = n->in[0], *a = n->in[1], *b = n->in[2];
    KBlock *outer = L->b;
    int scale = local(L, "scale", dvd(mul(c(n, 2), ld(L, dl, ki(0))), kcast(T(n), numel(a))));
    int i = loop(L, "i", numel(a));
    kstore(L->b, buf_of(L, n), var(L, i),
           mul(var(L, scale), sub(ld(L, a, var(L, i)), ld(L, b, var(L, i)))));
    L->b = outer;
}

/* count of rows whose first maximal logit is at the label */
static void lower_accuracy(Lower *L, Node *n) {
    Node *x = n->in[0], *lab = n->in[1];
    KBlock *outer = L->b;
    KExpr *C = last_dim(x);
    int hits = local(L, "hits", c(n, 0));
    int r = loop(L, "r", rows(x));
    KBlock *rb = L->b;
    KExpr *base = mul(var(L, r), C);
    int best = local(L, "best", ld(L, x, base));
    int arg = local(L, "arg", ki(0));
    int j = loop(L, "c", C);
    KExpr *xj = ld(L, x, add(base, var(L, j)));
    KStmt *better = kif(L->b, kbin(K_GT, xj, var(L, best)));
    kset(&better->body, best, ld(L, x, add(base, var(L, j))));
    kset(&better->body, arg, var(L, j));
    L->b = rb;
    KExpr *hit = kbin(K_EQ, var(L, arg), kcast(KT_I64, ld(L, lab, var(L, r))));
    kset(L->b, hits, add(var(L, hits), kselect(hit, c(n, 1), c(n, 0))));
    L->b = outer;
    /* in samples: rows of a sequence [N, T, C] count 1/T each, so the mean over samples is the
     * fraction of tokens right */
    KExpr *per = dvd(kcast(T(n), kdim(x->shape.d[0])), kcast(T(n), rows(x)));
    kstore(L->b, buf_of(L, n), ki(0), x->shape.rank > 2 ? mul(var(L, hits), per) : var(L, hits));
}

/* ---- effects -------------------------------------------------------------------------------- */
static void lower_result(Lower *L, Node *n) {
    int out = kbuf(L->f, B_OUT, 0, KT_F64, "out");
    kstore(L->b, out, ki(n->iattr[0]), kcast(KT_F64, ld(L, n->in[0], ki(0))));
}

static void lower_output(Lower *L, Node *n) {
    Node *x = n->in[0];
    int o = kbuf(L->f, B_IO + (int)n->iattr[0], 0, ktype_of(x->dtype), "output");
    KBlock *outer = L->b;
    int i = loop(L, "i", numel(x));
    kstore(L->b, o, var(L, i), ld(L, x, var(L, i)));
    L->b = outer;
}

/* running statistic s = (1 - m) s + m v, with v scaled by n / (n - 1) (Bessel) when asked;
 * n = iattr0 * batch^iattr1 is the number of values each statistic averaged */
static void lower_ema(Lower *L, Node *u) {
    Node *s = u->in[0], *v = u->in[1];
    KBlock *outer = L->b;
    double m = u->fattr[0];
    Dim nd = dim_const(u->iattr[0]);
    for (int k = 0; k < u->iattr[1]; k++) nd = dim_mul(nd, dim_sym(0));
    KExpr *n = kcast(T(s), kdim(nd));
    int scale = local(L, "scale", u->fattr[1] != 0 ? dvd(n, sub(n, c(s, 1))) : c(s, 1));
    int i = loop(L, "i", numel(s));
    int sb = buf_of(L, s);
    kstore(L->b, sb, var(L, i), add(mul(c(s, 1 - m), kload(L->f, sb, var(L, i))),
                                    mul(c(s, m), mul(ld(L, v, var(L, i)), var(L, scale)))));
    L->b = outer;
}

static void lower_count(Lower *L, Node *u) {
    int b = buf_of(L, u->in[0]);
    kstore(L->b, b, ki(0), add(kload(L->f, b, ki(0)), ki(1)));
}

/* hp[0] is the learning rate, hp[1] the 1-based step (as torch.optim counts). */
static int lr_local(Lower *L, Node *p) { return local(L, "lr", kcast(T(p), khp(0))); }

/* The updates run over the parameter's elements as a parallel loop over blocks of OPT_BLOCK:
 * opt_blocks opens it (per-block scalars such as the step size follow: a parallel loop's body
 * uses only its own variables), opt_elements then the block's elements. */
enum { OPT_BLOCK = 4096 };
static int opt_blocks(Lower *L, Node *p) { return ploop(L, "blk", dvd(add(numel(p), ki(OPT_BLOCK - 1)), ki(OPT_BLOCK)), numel(p)); }
static int opt_elements(Lower *L, Node *p, int blk) {
    KExpr *lo = mul(var(L, blk), ki(OPT_BLOCK));
    int hi = local(L, "hi", kbin(K_MIN, add(lo, ki(OPT_BLOCK)), numel(p)));
    int i = kvar(L->f, "i", KT_I64);
    L->b = &kfor(L->b, i, lo, var(L, hi))->body;
    return i;
}

/* g' = g + wd p (torch's L2 weight_decay); then the update over the parameter's elements */
static KExpr *decayed_grad(Lower *L, Node *u, KExpr *i, double wd) {
    KExpr *g = ld(L, u->in[1], i);
    return wd != 0 ? add(g, mul(c(u, wd), ld(L, u->in[0], i))) : g;
}

static void lower_sgd(Lower *L, Node *u) {
    Node *p = u->in[0];
    KBlock *outer = L->b;
    int blk = opt_blocks(L, p);
    int lr = lr_local(L, p);
    int i = opt_elements(L, p, blk);
    KExpr *d = decayed_grad(L, u, var(L, i), u->fattr[0]);
    kstore(L->b, buf_of(L, p), var(L, i), sub(ld(L, p, var(L, i)), mul(var(L, lr), d)));
    L->b = outer;
}

/* buf = mu buf + g';  p -= lr buf */
static void lower_momentum(Lower *L, Node *u) {
    Node *p = u->in[0], *b = u->in[2];
    KBlock *outer = L->b;
    int blk = opt_blocks(L, p);
    int lr = lr_local(L, p);
    int i = opt_elements(L, p, blk);
    KExpr *d = decayed_grad(L, u, var(L, i), u->fattr[1]);
    int nb = local(L, "b", add(mul(c(u, u->fattr[0]), ld(L, b, var(L, i))), d));
    kstore(L->b, buf_of(L, b), var(L, i), var(L, nb));
    kstore(L->b, buf_of(L, p), var(L, i), sub(ld(L, p, var(L, i)), mul(var(L, lr), var(L, nb))));
    L->b = outer;
}

/* torch.optim.Adam (single-tensor path): m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 * p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps) */
static void lower_adam(Lower *L, Node *u) {
    Node *p = u->in[0], *m = u->in[2], *v = u->in[3];
    double b1 = u->fattr[0], b2 = u->fattr[1], eps = u->fattr[2], wd = u->fattr[3];
    KBlock *outer = L->b;
    int blk = opt_blocks(L, p);
    KExpr *t = khp(1);
    KExpr *bc1 = sub(kf(KT_F64, 1), kbin(K_POW, kf(KT_F64, b1), t));
    KExpr *bc2 = sub(kf(KT_F64, 1), kbin(K_POW, kf(KT_F64, b2), t));
    int step = local(L, "step", kcast(T(p), dvd(khp(0), bc1)));
    int bc2s = local(L, "bc2s", kcast(T(p), kun(K_SQRT, bc2)));
    int i = opt_elements(L, p, blk);
    int g = local(L, "g", decayed_grad(L, u, var(L, i), wd));
    int nm = local(L, "m", add(mul(ld(L, m, var(L, i)), c(u, b1)), mul(var(L, g), c(u, 1 - b1))));
    int nv = local(L, "v", add(mul(ld(L, v, var(L, i)), c(u, b2)), mul(mul(var(L, g), var(L, g)), c(u, 1 - b2))));
    kstore(L->b, buf_of(L, m), var(L, i), var(L, nm));
    kstore(L->b, buf_of(L, v), var(L, i), var(L, nv));
    KExpr *denom = add(dvd(kun(K_SQRT, var(L, nv)), var(L, bc2s)), c(u, eps));
    kstore(L->b, buf_of(L, p), var(L, i), sub(ld(L, p, var(L, i)), mul(var(L, step), dvd(var(L, nm), denom))));
    L->b = outer;
}

#define X(name, text, arity, flags, shape, grad, lower, scalar) lower,
static LowerFn *const lower_rule[OP_COUNT] = {DLC_OPS(X)};
#undef X

KFunc *lower_function(Graph *g, Plan *p, const char *name) {
    Lower L = {g, new_kfunc(name), NULL, p->kind == FN_TRAIN || p->kind == FN_GRAD, p->gemm_ws_offset};
    L.b = &L.f->body;
    for (int i = 0; i < p->sched.n; i++) {
        Node *n = p->sched.v[i];
        if ((op_flags[n->op] & (OPF_L | OPF_V) && n->op != OP_CONST) || n->base == B_FUSED) continue;
        if (n->op == OP_CONST && n->data) {
            for (int64_t k = 0; k < n->shape.d[0].c; k++) kstore(L.b, buf_of(&L, n), ki(k), c(n, n->data[k]));
            continue;
        }
        L.b = &kregion(&L.f->body, fmt("n%d_%s", n->id, op_text[n->op]))->body;
        if (op_flags[n->op] & OPF_E) lower_elementwise(&L, n);
        else if (lower_rule[n->op]) lower_rule[n->op](&L, n);
        else ICE("op %s has no lowering", op_text[n->op]);
        L.b = &L.f->body;
    }
    L.f->work_bytes = p->work_bytes;
    return L.f;
}
