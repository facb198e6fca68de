/* sema.c — from the AST to the graph IR: resolves names, instantiates layers, evaluates the
 * dataflow (calls, `->` pipelines, arithmetic) into graph nodes, and reads the train section.
 *
 * Expressions evaluate to Values: a tensor (a graph node), a layer, a builtin function, a
 * number, a string or a list.  `x -> f` is f(x); `x -> f(a)` is f(x, a) for builtins and
 * "make the layer, then apply it" for layer constructors such as `x -> Dense(10)`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

typedef enum { V_TENSOR, V_LAYER, V_FUNC, V_NUM, V_STR, V_LIST, V_SYM, V_BLOCK, V_TUPLE } ValKind;

typedef struct Builtin Builtin;
typedef struct Value Value;
typedef struct Binding Binding;

/* An instance of a block: its parameters and declarations, evaluated once; `repeat` makes a
 * chain of them (next). */
typedef struct BlockInst BlockInst;
struct BlockInst {
    const BlockAst *b;
    const char *name;    /* "b1", "layers.0": the prefix of its layers' names */
    Binding *scope;
    int nscope;
    BlockInst *next;
};
struct Value {
    ValKind k;
    Loc loc;
    Node *t;
    Layer *layer;
    const Builtin *fn;
    double num;
    const char *str;
    Value *items;
    int nitems;
    BlockInst *block;
};

struct Binding {
    const char *name;
    Value v;
    Loc loc;
};

typedef struct {
    Model *m;
    Graph *g;
    Binding *env;
    int nenv, capenv;
    int scope;           /* lookups see env[scope..nenv): a block body sees only its own names */
    bool rebind;         /* inside a block body, `x = ...` may rebind x */
    const char *prefix;  /* name prefix of layers made inside a block instance */
    int in_block;        /* summary rows are one per block application */
    const BlockAst *active[64];   /* blocks being instantiated or applied, outermost first */
    int nactive;
    int anon;            /* counter for names of inline layers */
    int64_t repeated;    /* block instances made by repeat, nested ones multiplying */
} Sema;

/* Nested repeats multiply (repeat 1000 of a block that repeats 1000 ...): past this many
 * instances a model is a typo, not a network, and would take hours to compile. */
enum { MAX_REPEATED = 10000 };

/* Builtins receive their evaluated positional arguments (a piped value comes first) and the
 * call (for keywords); `call` is NULL when used bare, as in `x -> relu`. */
typedef Node *BuiltinFn(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc);
struct Builtin {
    const char *name;
    int min_pos, max_pos;
    const char *const *kw;
    BuiltinFn *fn;
    Op op;
};

static Value eval(Sema *s, Ast *e);
static void assign(Sema *s, Stmt *st, bool named);

static const char *kind_name(ValKind k) {
    static const char *const n[] = {"a tensor", "a layer", "a function", "a number", "a string", "a list",
                                    "a dimension", "a block", "several values (unpack them: y, h = ...)"};
    return n[k];
}

/* ---- environment -------------------------------------------------------------------------- */
static Binding *lookup(Sema *s, const char *name) {
    for (int i = s->nenv - 1; i >= s->scope; i--)
        if (strcmp(s->env[i].name, name) == 0) return &s->env[i];
    return NULL;
}

static void bind(Sema *s, const char *name, Value v, Loc loc) {
    Binding *old = lookup(s, name);
    if (old && s->rebind && old->v.k == V_TENSOR && v.k == V_TENSOR) {   /* x = x + ... in a block body */
        old->v = v;
        return;
    }
    if (old) {
        error_at_noexit(loc, "'%s' is already defined", name);
        note_at(old->loc, "'%s' was defined here", name);
        exit(1);
    }
    if (s->nenv == s->capenv) {
        s->capenv = s->capenv ? 2 * s->capenv : 32;
        s->env = xrealloc(s->env, sizeof(Binding) * (size_t)s->capenv);
    }
    s->env[s->nenv++] = (Binding){name, v, loc};
}

static Value tensor(Node *t, Loc loc) { return (Value){.k = V_TENSOR, .t = t, .loc = loc}; }

static Node *want_tensor(Sema *s, Value v, const char *what) {
    if (v.k == V_NUM) return new_const(s->g, v.loc, v.num, s->g->fdtype);
    if (v.k != V_TENSOR) error_at(v.loc, "%s must be a tensor, got %s", what, kind_name(v.k));
    return v.t;
}

/* ---- builtins -------------------------------------------------------------------------------- */
static Node *bi_unary(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)npos; (void)call;
    return node1(s->g, b->op, loc, want_tensor(s, pos[0], b->name));
}

static Node *bi_leaky(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    double slope = 0.01;
    if (npos > 1) {
        if (pos[1].k != V_NUM) error_at(pos[1].loc, "leaky_relu slope must be a number");
        slope = pos[1].num;
    }
    Ast *kw = call ? call_arg(call, 99, "slope") : NULL;
    if (kw) slope = const_number(kw, "leaky_relu slope");
    Node *n = node1(s->g, OP_LEAKY_RELU, loc, want_tensor(s, pos[0], b->name));
    n->fattr[0] = slope;
    return n;
}

static Node *bi_flatten(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)npos; (void)call;
    Node *x = want_tensor(s, pos[0], b->name);
    if (x->shape.rank < 1) error_at(loc, "flatten of a scalar");
    Shape sh = {2, {x->shape.d[0], dim_const(1)}};   /* like torch.nn.Flatten: keep dim 0 */
    for (int i = 1; i < x->shape.rank; i++) sh.d[1] = dim_mul(sh.d[1], x->shape.d[i]);
    if (x->shape.rank == 1) sh.rank = 2;
    return new_reshape(s->g, loc, x, sh);
}

/* reshape(x, [d0, d1, ...]): dims are numbers or symbol names; one may be -1 (inferred). */
static Node *bi_reshape(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)b; (void)call;
    Node *x = want_tensor(s, pos[0], "reshape's input");
    if (npos < 2 || pos[1].k != V_LIST) error_at(loc, "reshape needs a shape list, e.g. reshape(x, [N, 784])");
    Value *it = pos[1].items;
    int r = pos[1].nitems, infer = -1;
    if (r < 1 || r > DLRT_MAX_RANK) error_at(pos[1].loc, "reshape to rank %d is not supported", r);
    Shape sh = {r, {{0, {0}}}};
    Dim known = dim_const(1);
    for (int i = 0; i < r; i++) {
        if (it[i].k == V_NUM && it[i].num == -1 && infer < 0) { infer = i; continue; }
        if (it[i].k == V_NUM && it[i].num > 1e12)
            error_at(it[i].loc, "reshape dimension %g is too large", it[i].num);
        if (it[i].k == V_NUM && it[i].num >= 1 && it[i].num == floor(it[i].num)) sh.d[i] = dim_const((int64_t)it[i].num);
        else if (it[i].k == V_SYM) sh.d[i] = dim_sym((int)it[i].num);
        else error_at(it[i].loc, "reshape dimensions must be positive integers, symbols or one -1");
        known = dim_mul(known, sh.d[i]);
    }
    Dim total = shape_numel(&x->shape);
    if (infer >= 0 && !dim_div(total, known, &sh.d[infer]))
        error_at(pos[1].loc, "cannot reshape %s into %s: %s elements are not divisible by %s",
                 shape_str(s->g, &x->shape), "the shape given", dim_str(s->g, total), dim_str(s->g, known));
    if (!dim_eq(shape_numel(&sh), total))
        error_at(pos[1].loc, "cannot reshape %s (%s elements) into %s", shape_str(s->g, &x->shape),
                 dim_str(s->g, total), shape_str(s->g, &sh));
    return new_reshape(s->g, loc, x, sh);
}

static Node *bi_binary(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)npos; (void)call;
    Node *x = want_tensor(s, pos[0], fmt("%s's first argument", b->name));
    Node *y = want_tensor(s, pos[1], fmt("%s's second argument", b->name));
    return node2(s->g, b->op, loc, x, y);
}

/* An axis argument: a number (negative counts from the end) or, when `many`, a list. */
static int axes_arg(Graph *g, Value *v, Node *x, bool many, bool *mask) {
    int n = 0;
    Value *items = v->k == V_LIST ? v->items : v;
    int count = v->k == V_LIST ? v->nitems : 1;
    if (v->k == V_LIST && !many) error_at(v->loc, "give one axis here");
    for (int i = 0; i < count; i++) {
        if (items[i].k != V_NUM || items[i].num != floor(items[i].num))
            error_at(items[i].loc, "an axis is a whole number");
        int a = (int)items[i].num;
        if (a < -x->shape.rank || a >= x->shape.rank)
            error_at(items[i].loc, "axis %d is out of range for %s", a, shape_str(g, &x->shape));
        if (a < 0) a += x->shape.rank;
        if (mask[a]) error_at(items[i].loc, "axis %d given twice", a);
        mask[a] = true;
        n++;
    }
    return n;
}

/* sum / mean over the given axes (all of them by default); the reduced axes are dropped */
static Node *bi_reduce(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    Node *x = want_tensor(s, pos[0], b->name);
    bool mask[DLRT_MAX_RANK] = {0};
    Ast *kw = call ? call_arg(call, 99, "axis") : NULL;
    Value ax = kw ? eval(s, kw) : npos > 1 ? pos[1] : (Value){0};
    if (kw || npos > 1) axes_arg(s->g, &ax, x, true, mask);
    else
        for (int i = 0; i < x->shape.rank; i++) mask[i] = true;
    Shape kept = x->shape, dropped = {0, {{0, {0}}}};
    for (int i = 0; i < x->shape.rank; i++) {
        if (mask[i]) kept.d[i] = dim_const(1);
        else dropped.d[dropped.rank++] = x->shape.d[i];
    }
    Node *r = b->op == OP_MEAN_TO ? (shape_eq(&kept, &x->shape) ? x : new_node_attr(s->g, OP_MEAN_TO, loc, 1, &x, NULL, kept))
                                  : new_sum_to(s->g, loc, x, kept);
    return new_reshape(s->g, loc, r, dropped);
}

/* permute(x, [axes]): output axis i is input axis axes[i] */
static Node *bi_permute(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)b; (void)npos; (void)call;
    Node *x = want_tensor(s, pos[0], "permute's input");
    if (pos[1].k != V_LIST || pos[1].nitems != x->shape.rank)
        error_at(pos[1].loc, "permute wants a list of all %d axes of %s", x->shape.rank, shape_str(s->g, &x->shape));
    bool mask[DLRT_MAX_RANK] = {0};
    int64_t perm[8] = {0};
    Shape out = x->shape;
    for (int i = 0; i < x->shape.rank; i++) {
        bool one[DLRT_MAX_RANK] = {0};
        axes_arg(s->g, &pos[1].items[i], x, false, one);
        for (int a = 0; a < x->shape.rank; a++)
            if (one[a]) {
                if (mask[a]) error_at(pos[1].items[i].loc, "axis %d appears twice in the permutation", a);
                mask[a] = true;
                perm[i] = a;
                out.d[i] = x->shape.d[a];
            }
    }
    if (!dim_eq(out.d[0], dim_sym(0)) && dim_eq(x->shape.d[0], dim_sym(0)))
        error_at(loc, "permute must keep the batch axis first");
    return new_node_attr(s->g, OP_PERMUTE, loc, 1, &x, perm, out);
}

/* transpose(x): swap the last two axes */
static Node *bi_transpose(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)b; (void)npos; (void)call;
    Node *x = want_tensor(s, pos[0], "transpose's input");
    if (x->shape.rank < 3 && x->shape.rank >= 1 && dim_eq(x->shape.d[0], dim_sym(0)))
        error_at(loc, "transpose swaps the last two axes and would move the batch axis of %s", shape_str(s->g, &x->shape));
    return node1(s->g, OP_TRANSPOSE, loc, x);
}

/* concat(a, b, ..., axis = 1): equal shapes but along the axis, which has a fixed size */
static Node *bi_concat(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)b;
    Node *acc = want_tensor(s, pos[0], "concat's first input");
    Ast *kw = call ? call_arg(call, 99, "axis") : NULL;
    bool mask[DLRT_MAX_RANK] = {0};
    Value ax = kw ? eval(s, kw) : (Value){.k = V_NUM, .num = -1, .loc = loc};
    axes_arg(s->g, &ax, acc, false, mask);
    int axis = 0;
    while (!mask[axis]) axis++;
    for (int i = 1; i < npos; i++) {
        Node *x = want_tensor(s, pos[i], "concat's input");
        bool ok = x->shape.rank == acc->shape.rank && x->dtype == acc->dtype;
        for (int d = 0; ok && d < x->shape.rank; d++) ok = d == axis || dim_eq(x->shape.d[d], acc->shape.d[d]);
        if (!ok)
            error_at(pos[i].loc, "concat along axis %d: %s and %s differ elsewhere", axis, shape_str(s->g, &acc->shape),
                     shape_str(s->g, &x->shape));
        if (!dim_is_const(x->shape.d[axis]) || !dim_is_const(acc->shape.d[axis]))
            error_at(loc, "concat joins axes of fixed size, and axis %d of %s is not", axis, shape_str(s->g, &x->shape));
        Shape out = acc->shape;
        out.d[axis] = dim_const(acc->shape.d[axis].c + x->shape.d[axis].c);
        acc = new_node_attr(s->g, OP_CONCAT, loc, 2, (Node *[]){acc, x}, (int64_t[8]){axis}, out);
    }
    return acc;
}

/* cross_entropy(logits, labels, weight = [w_0, ...], label_smoothing = e), as PyTorch's */
static Node *bi_cross_entropy(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)b; (void)npos;
    Node *x = want_tensor(s, pos[0], "cross_entropy's logits");
    Node *y = want_tensor(s, pos[1], "cross_entropy's labels");
    Ast *wa = call ? call_arg(call, 99, "weight") : NULL, *ea = call ? call_arg(call, 99, "label_smoothing") : NULL;
    Node *in[3] = {x, y, NULL};
    if (wa) {
        Value wv = eval(s, wa);
        if (wv.k != V_LIST || wv.nitems < 1) error_at(wa->loc, "cross_entropy weight is a list with one weight per class");
        Dim classes = x->shape.rank ? x->shape.d[x->shape.rank - 1] : dim_const(0);
        if (!dim_eq(classes, dim_const(wv.nitems)))
            error_at(wa->loc, "cross_entropy weight has %d entries, but the logits have %s classes", wv.nitems,
                     dim_str(s->g, classes));
        double *w = xcalloc((size_t)wv.nitems, sizeof(double));
        for (int i = 0; i < wv.nitems; i++) {
            if (wv.items[i].k != V_NUM || !(wv.items[i].num >= 0)) error_at(wv.items[i].loc, "a class weight is a number >= 0");
            w[i] = wv.items[i].num;
        }
        in[2] = new_const_vector(s->g, wa->loc, w, wv.nitems, x->dtype);
    }
    Node *n = new_node(s->g, OP_CROSS_ENTROPY, loc, wa ? 3 : 2, in);
    n->fattr[0] = ea ? const_number(ea, "label_smoothing") : 0;
    if (!(n->fattr[0] >= 0 && n->fattr[0] <= 1)) error_at(ea->loc, "label_smoothing must be in [0, 1]");
    return n;
}

/* binary_cross_entropy(p, t) = mean(-(t log p + (1 - t) log(1 - p))), logs clamped at -100 as
 * PyTorch does; built from primitives, so autodiff derives (p - t) / (p (1 - p)) */
static Node *clamped_log(Sema *s, Node *x, Loc loc) {
    Node *l = node1(s->g, OP_CLAMP_MIN, loc, node1(s->g, OP_LOG, loc, x));
    l->fattr[0] = -100;
    return l;
}

static Node *mean_all(Sema *s, Node *x, Loc loc) {
    return new_node_attr(s->g, OP_MEAN_TO, loc, 1, &x, NULL, (Shape){0, {{0, {0}}}});
}

static Node *bi_bce(Sema *s, const Builtin *b, Value *pos, int npos, Ast *call, Loc loc) {
    (void)npos; (void)call;
    Graph *g = s->g;
    Node *p = want_tensor(s, pos[0], fmt("%s's prediction", b->name)), *t = want_tensor(s, pos[1], fmt("%s's target", b->name));
    if (!shape_eq(&p->shape, &t->shape) || p->dtype != t->dtype || !is_float(p->dtype))
        error_at(loc, "%s: prediction %s%s and target %s%s must be float tensors of one shape", b->name,
                 dtype_keyword(p->dtype), shape_str(g, &p->shape), dtype_keyword(t->dtype), shape_str(g, &t->shape));
    Node *one = new_const(g, loc, 1, p->dtype), *terms;
    if (b->op == OP_LOG) {   /* probabilities */
        Node *pos_term = node2(g, OP_MUL, loc, t, clamped_log(s, p, loc));
        Node *neg_term = node2(g, OP_MUL, loc, node2(g, OP_SUB, loc, one, t), clamped_log(s, node2(g, OP_SUB, loc, one, p), loc));
        terms = node1(g, OP_NEG, loc, node2(g, OP_ADD, loc, pos_term, neg_term));
    } else {                 /* logits z: max(z, 0) - z t + log(1 + e^-|z|), the stable form */
        Node *soft = node1(g, OP_LOG, loc, node2(g, OP_ADD, loc, one, node1(g, OP_EXP, loc, node1(g, OP_NEG, loc, node1(g, OP_ABS, loc, p)))));
        terms = node2(g, OP_ADD, loc, node2(g, OP_SUB, loc, node1(g, OP_RELU, loc, p), node2(g, OP_MUL, loc, p, t)), soft);
    }
    return mean_all(s, terms, loc);
}

static const char *const kw_slope[] = {"", "slope", NULL};   /* aligned with positions */
static const char *const kw_ce[] = {"", "", "weight", "label_smoothing", NULL};
static const char *const kw_axis[] = {"", "axis", NULL};
static const char *const kw_concat[] = {"", "", "", "", "", "", "", "", "axis", NULL};
static const Builtin builtins[] = {
    {"relu", 1, 1, NULL, bi_unary, OP_RELU},
    {"sigmoid", 1, 1, NULL, bi_unary, OP_SIGMOID},
    {"tanh", 1, 1, NULL, bi_unary, OP_TANH},
    {"gelu", 1, 1, NULL, bi_unary, OP_GELU},
    {"exp", 1, 1, NULL, bi_unary, OP_EXP},
    {"log", 1, 1, NULL, bi_unary, OP_LOG},
    {"softmax", 1, 1, NULL, bi_unary, OP_SOFTMAX},
    {"log_softmax", 1, 1, NULL, bi_unary, OP_LOG_SOFTMAX},
    {"leaky_relu", 1, 2, kw_slope, bi_leaky, OP_LEAKY_RELU},
    {"flatten", 1, 1, NULL, bi_flatten, OP_RESHAPE},
    {"sum", 1, 2, kw_axis, bi_reduce, OP_SUM_TO},
    {"mean", 1, 2, kw_axis, bi_reduce, OP_MEAN_TO},
    {"permute", 2, 2, NULL, bi_permute, OP_PERMUTE},
    {"transpose", 1, 1, NULL, bi_transpose, OP_TRANSPOSE},
    {"concat", 2, 8, kw_concat, bi_concat, OP_CONCAT},
    {"reshape", 2, 2, NULL, bi_reshape, OP_RESHAPE},
    {"cross_entropy", 2, 2, kw_ce, bi_cross_entropy, OP_CROSS_ENTROPY},
    {"nll", 2, 2, NULL, bi_binary, OP_NLL},
    {"binary_cross_entropy", 2, 2, NULL, bi_bce, OP_LOG},
    {"bce_with_logits", 2, 2, NULL, bi_bce, OP_EXP},
    {"abs", 1, 1, NULL, bi_unary, OP_ABS},
    {"mse", 2, 2, NULL, bi_binary, OP_MSE},
};
enum { NBUILTINS = sizeof builtins / sizeof builtins[0] };

static const Builtin *find_builtin(const char *name) {
    for (int i = 0; i < NBUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0) return &builtins[i];
    return NULL;
}

/* ---- expressions ------------------------------------------------------------------------------ */
static _Noreturn void unknown_name(Sema *s, const char *name, Loc loc, bool called) {
    int nk;
    const char *const *kinds = layer_kind_names(&nk);
    const char **cands = xcalloc((size_t)(s->nenv + NBUILTINS + nk + s->m->ast->nblocks), sizeof *cands);
    int n = 0;
    for (int i = s->scope; i < s->nenv; i++) cands[n++] = s->env[i].name;
    for (int i = 0; i < s->m->ast->nblocks; i++) cands[n++] = s->m->ast->blocks[i]->name;
    for (int i = 0; i < s->scope; i++)
        if (strcmp(s->env[i].name, name) == 0)
            error_at(loc, "unknown name '%s'; a block sees only its parameters, declarations and inputs", name);
    for (int i = 0; i < NBUILTINS; i++) cands[n++] = builtins[i].name;
    for (int i = 0; i < nk; i++) cands[n++] = kinds[i];
    const char *near = nearest_name(name, cands, n);
    bool layer_like = called && name[0] >= 'A' && name[0] <= 'Z';
    if (near) error_at(loc, "unknown %s '%s'; did you mean '%s'?", layer_like ? "layer" : "name", name, near);
    error_at(loc, "unknown %s '%s'", layer_like ? "layer" : "name", name);
}

/* Call `callee` (already evaluated) with `piped` (or NULL) then the call's positional args. */
/* (logits, labels) ops: a target without `classes` takes the logits' width as its class
 * count; one with `classes` must match it. */
static void check_classes(Sema *s, Node *n, Loc loc) {
    Dim width = n->in[0]->shape.d[n->in[0]->shape.rank - 1];
    for (int i = 0; i < s->g->nio; i++) {
        IoSlot *io = &s->g->io[i];
        if (io->node != n->in[1]) continue;
        if (!io->classes) io->classes = width.c;
        else if (!dim_eq(width, dim_const(io->classes)))
            error_at(loc, "%s: target '%s' has %lld classes, but the logits have %s", op_text[n->op], io->name,
                     (long long)io->classes, dim_str(s->g, width));
    }
}

static void summary_row(Sema *s, const char *name, const char *kind, Node *n, int first_param) {
    if (s->in_block) return;
    SummaryRow *r = xcalloc(1, sizeof *r);
    *r = (SummaryRow){name, kind, n, 0};
    for (int i = first_param; i < s->g->nparams; i++) r->params += shape_numel_max(s->g, &s->g->params[i]->node->shape);
    vec_push(&s->g->summary, r);
}

static Value apply_block(Sema *s, BlockInst *inst, Value *piped, Ast *call, Loc loc);

static Value apply(Sema *s, Value callee, Value *piped, Ast *call, Loc loc, const char *bind_name) {
    int first_param = s->g->nparams;
    if (callee.k == V_BLOCK) return apply_block(s, callee.block, piped, call, loc);
    if (callee.k == V_LAYER) {   /* x -> l, l(x); more tensors by position or name: l(x, h0, c0), x -> l(mask = ids) */
        Layer *l = callee.layer;
        const char *ln = layer_name(l);
        const char *const *names = layer_inputs(l);
        int most = 0;
        while (names[most]) most++;
        if (call && most == 1)
            error_at(call->loc, "layer '%s' is applied as %s(x) or x -> %s; give hyperparameters where it is declared", ln, ln, ln);
        Node *in[LAYER_MAX_INPUTS] = {0}, *out[4];
        Loc at[LAYER_MAX_INPUTS];
        int nin = 0, pos = 0;
        if (piped) {
            at[0] = piped->loc;
            in[pos++] = want_tensor(s, *piped, "a layer's input");
        }
        for (int i = 0; call && i < call->nargs; i++) {
            Arg *a = &call->args[i];
            int k = pos;
            if (a->name) {
                for (k = 0; k < most && strcmp(names[k], a->name); k++) {}
                if (k == most) {
                    char *list = "";
                    for (int j = 0; j < most; j++) list = fmt("%s%s%s", list, j ? ", " : "", names[j]);
                    error_at(a->name_loc, "layer '%s' has no input '%s' (its inputs: %s); give hyperparameters where it is declared",
                             ln, a->name, list);
                }
                if (in[k]) error_at(a->name_loc, "input '%s' of layer '%s' given twice", a->name, ln);
            } else {
                if (pos == most) {
                    int given = piped != NULL;
                    for (int j = 0; j < call->nargs; j++) given += !call->args[j].name;
                    char *list = "";
                    for (int j = 0; j < most; j++) list = fmt("%s%s%s", list, j ? ", " : "", names[j]);
                    error_at(a->value->loc, "%s '%s' takes at most %d tensors (%s), got %d", layer_kind_name(l), ln, most, list, given);
                }
                pos++;
            }
            at[k] = a->value->loc;
            in[k] = want_tensor(s, eval(s, a->value), fmt("layer input '%s'", names[k]));
        }
        if (!in[0]) error_at(loc, "layer '%s' needs an input", ln);
        for (int k = 0; k < most; k++)
            if (in[k]) nin = k + 1;
        int nout = apply_layer(s->g, l, in, at, nin, out, loc);
        summary_row(s, ln, layer_kind_name(l), out[0], first_param);
        if (nout == 1) return tensor(out[0], loc);
        Value t = {.k = V_TUPLE, .loc = loc, .nitems = nout, .items = xcalloc((size_t)nout, sizeof(Value))};
        for (int k = 0; k < nout; k++) t.items[k] = tensor(out[k], loc);
        return t;
    }
    if (callee.k != V_FUNC)
        error_at(loc, "%s is not callable", kind_name(callee.k));
    const Builtin *b = callee.fn;
    Value pos[8];
    int npos = 0;
    if (piped) pos[npos++] = *piped;
    for (int i = 0; call && i < call->nargs; i++) {
        if (call->args[i].name) continue;
        if (npos == 8) error_at(call->args[i].value->loc, "too many arguments");
        pos[npos++] = eval(s, call->args[i].value);
    }
    Loc at = call ? call->loc : loc;
    if (npos > b->max_pos)   /* point at the first argument too many */
        for (int i = 0, p = piped ? 1 : 0; call && i < call->nargs; i++)
            if (!call->args[i].name && p++ == b->max_pos) at = call->args[i].value->loc;
    if (npos < b->min_pos || npos > b->max_pos)
        error_at(at, "%s takes %d%s argument%s, got %d%s", b->name, b->min_pos,
                 b->max_pos > b->min_pos ? fmt(" to %d", b->max_pos) : "", b->max_pos == 1 ? "" : "s", npos,
                 piped ? " (counting the one piped in with '->')" : "");
    if (call) check_call_args(call, b->max_pos - (piped ? 1 : 0), b->kw ? b->kw + (piped ? 1 : 0) : NULL, b->name);
    first_param = s->g->nparams;   /* parameters made while evaluating arguments are not this call's */
    Node *n = b->fn(s, b, pos, npos, call, loc);
    summary_row(s, bind_name ? bind_name : "", b->name, n, first_param);
    if (n->op == OP_CROSS_ENTROPY || n->op == OP_NLL) check_classes(s, n, loc);
    return tensor(n, loc);
}

/* ---- blocks ------------------------------------------------------------------------------------ */
static const BlockAst *find_block(Sema *s, const char *name) {
    for (int i = 0; i < s->m->ast->nblocks; i++)
        if (strcmp(s->m->ast->blocks[i]->name, name) == 0) return s->m->ast->blocks[i];
    return NULL;
}

static Value eval_named(Sema *s, Ast *e, const char *bind_name);

/* Enter block b (instantiating or applying it); a block that uses itself, directly or through
 * others, is an error at the use. */
static void enter_block(Sema *s, const BlockAst *b, Loc use) {
    for (int i = 0; i < s->nactive; i++)
        if (s->active[i] == b) error_at(use, "block %s uses itself (blocks cannot be recursive)", b->name);
    if (s->nactive == 64) error_at(use, "blocks nested more than 64 deep");
    s->active[s->nactive++] = b;
}

/* Evaluate a block's parameters (in the caller's scope) and declarations (in the block's),
 * naming its layers "<name>.<declared name>". */
static BlockInst *instantiate(Sema *s, const BlockAst *b, Ast *call, const char *name) {
    const char *what = fmt("block %s", b->name);
    const char **names = xcalloc((size_t)b->nparams + 1, sizeof *names);
    for (int i = 0; i < b->nparams; i++) names[i] = b->params[i].name;
    check_call_args(call, b->nparams, names, what);
    Value *vals = xcalloc((size_t)b->nparams + 1, sizeof *vals);
    bool *given = xcalloc((size_t)b->nparams + 1, sizeof *given);
    for (int i = 0, p = 0; i < call->nargs; i++) {
        int k = p;
        if (call->args[i].name)
            for (k = 0; strcmp(names[k], call->args[i].name) != 0; k++) {}
        else p++;
        vals[k] = eval(s, call->args[i].value);
        given[k] = true;
        if (vals[k].k != V_NUM && vals[k].k != V_STR && vals[k].k != V_LIST)
            error_at(call->args[i].value->loc, "block parameters are numbers, strings or lists, not %s", kind_name(vals[k].k));
    }
    BlockInst *inst = xcalloc(1, sizeof *inst);
    inst->b = b;
    inst->name = name;
    enter_block(s, b, call->loc);
    int saved_scope = s->scope, saved_n = s->nenv;
    const char *saved_prefix = s->prefix;
    s->scope = s->nenv;
    s->prefix = name;
    for (int i = 0; i < b->nparams; i++) {
        if (!given[i] && !b->params[i].value)
            error_at(call->loc, "%s needs a value for '%s'", what, b->params[i].name);
        Value v = given[i] ? vals[i] : eval(s, b->params[i].value);
        bind(s, b->params[i].name, v, b->params[i].name_loc);
    }
    for (int i = 0; i < b->ndecls; i++) {
        Stmt *st = &b->decls[i];
        bind(s, st->name, eval_named(s, st->expr, fmt("%s.%s", name, st->name)), st->name_loc);
    }
    inst->nscope = s->nenv - s->scope;
    inst->scope = xcalloc((size_t)inst->nscope + 1, sizeof(Binding));
    memcpy(inst->scope, s->env + s->scope, sizeof(Binding) * (size_t)inst->nscope);
    s->nenv = saved_n;
    s->scope = saved_scope;
    s->prefix = saved_prefix;
    s->nactive--;
    return inst;
}

/* Run the forward body of each instance in the chain: inputs by position (a piped value
 * first) or by name; the first input of each next instance is the previous one's result. */
static Value apply_block(Sema *s, BlockInst *inst, Value *piped, Ast *call, Loc loc) {
    const BlockAst *b = inst->b;
    Value args[16];
    bool given[16] = {0};
    if (b->ninputs > 16) error_at(b->loc, "a block takes at most 16 inputs");
    int p = 0;
    if (piped) { args[p] = *piped; given[p++] = true; }
    for (int i = 0; call && i < call->nargs; i++) {
        Arg *a = &call->args[i];
        int k = p;
        if (a->name) {
            for (k = 0; k < b->ninputs && strcmp(b->inputs[k].name, a->name) != 0; k++) {}
            if (k == b->ninputs) error_at(a->name_loc, "block %s has no input '%s'", b->name, a->name);
            if (given[k]) error_at(a->name_loc, "input '%s' given twice", a->name);
        } else if (p++ >= b->ninputs) {
            error_at(a->value->loc, "block %s takes %d input%s", b->name, b->ninputs, b->ninputs == 1 ? "" : "s");
        }
        args[k] = eval(s, a->value);
        given[k] = true;
    }
    int first_param = s->g->nparams;
    Value result = {0};
    enter_block(s, b, loc);
    for (BlockInst *in = inst; in; in = in->next) {
        for (int k = 0; k < b->ninputs; k++)
            if (!given[k]) error_at(loc, "block %s needs its input '%s'", b->name, b->inputs[k].name);
        int saved_scope = s->scope, saved_n = s->nenv;
        bool saved_rebind = s->rebind;
        const char *saved_prefix = s->prefix;
        s->scope = s->nenv;
        s->prefix = in->name;
        s->in_block++;
        for (int i = 0; i < in->nscope; i++) bind(s, in->scope[i].name, in->scope[i].v, in->scope[i].loc);
        for (int k = 0; k < b->ninputs; k++) bind(s, b->inputs[k].name, args[k], b->inputs[k].name_loc);
        s->rebind = true;
        for (int i = 0; i < b->nbody; i++) assign(s, &b->body[i], false);
        result = eval(s, b->ret);
        if (result.k != V_TENSOR) error_at(b->ret->loc, "block %s must return a tensor, got %s", b->name, kind_name(result.k));
        s->rebind = saved_rebind;
        s->in_block--;
        s->nenv = saved_n;
        s->scope = saved_scope;
        s->prefix = saved_prefix;
        args[0] = result;   /* the next instance of a repeat takes this one's result */
    }
    s->nactive--;
    summary_row(s, inst->next ? fmt("%.*s", (int)(strrchr(inst->name, '.') - inst->name), inst->name) : inst->name,
                inst->next ? fmt("repeat %s", b->name) : b->name, result.t, first_param);
    return result;
}

/* Whether `name` is assigned anywhere in the model (it may not be bound yet). */
static bool name_in_model(Sema *s, const char *name) {
    ModelAst *m = s->m->ast->model;
    for (int i = 0; i < m->nstmts; i++)
        if (m->stmts[i].name && strcmp(m->stmts[i].name, name) == 0) return true;
    return false;
}

/* "<prefix.>residual_3": a fresh name for an anonymous layer or block instance */
static const char *anon_name(Sema *s, const char *kind) {
    char *lower = xstrdup(kind);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    const char *name;
    do name = fmt("%s%s%s_%d", s->prefix ? s->prefix : "", s->prefix ? "." : "", lower, ++s->anon);
    while (lookup(s, name) || name_in_model(s, name));   /* skip names the model already uses */
    return name;
}

/* The syntax of a compile-time value (number, string, list of them). */
static Ast *literal(const Value *v, Loc loc) {
    Ast *lit = new_ast(v->k == V_NUM ? A_NUM : v->k == V_STR ? A_STR : A_LIST, loc);
    lit->num = v->num;
    lit->str = v->str;
    lit->is_int = v->num == floor(v->num);
    if (v->k == V_LIST) {
        lit->nargs = v->nitems;
        lit->args = xcalloc((size_t)v->nitems + 1, sizeof(Arg));
        for (int i = 0; i < v->nitems; i++) {
            if (v->items[i].k != V_NUM && v->items[i].k != V_STR)
                error_at(v->items[i].loc, "a list of hyperparameters holds numbers or strings");
            lit->args[i].value = literal(&v->items[i], loc);
        }
    }
    return lit;
}

/* A copy of `e` in which names bound to numbers or strings (block parameters) are literals,
 * so that layers read their hyperparameters as constants. */
static Ast *with_constants(Sema *s, Ast *e) {
    if (!e) return NULL;
    if (e->kind == A_NAME) {
        Binding *b = lookup(s, e->name);
        if (b && (b->v.k == V_NUM || b->v.k == V_STR || b->v.k == V_LIST)) return literal(&b->v, e->loc);
        return e;
    }
    Ast *c = new_ast(e->kind, e->loc);
    *c = *e;
    c->lhs = e->kind == A_CALL ? e->lhs : with_constants(s, e->lhs);   /* keep the callee's name */
    c->rhs = with_constants(s, e->rhs);
    c->args = xcalloc((size_t)e->nargs + 1, sizeof(Arg));
    for (int i = 0; i < e->nargs; i++) {
        c->args[i] = e->args[i];
        c->args[i].value = with_constants(s, e->args[i].value);
    }
    return c;
}

/* A call whose callee names a layer kind makes a layer (named `name` or anonymously). */
static Value make_layer(Sema *s, const LayerKind *k, Ast *call, const char *name) {
    if (!name) name = anon_name(s, call->lhs->name);
    return (Value){.k = V_LAYER, .layer = new_layer(k, name, call->loc, with_constants(s, call)), .loc = call->loc};
}

static Value eval_callable(Sema *s, Ast *e, bool called) {
    if (e->kind == A_NAME) {
        for (int i = 0; i < s->g->nsyms && called; i++)
            if (strcmp(s->g->names[i], e->name) == 0)
                error_at(e->loc, "'%s' is a dimension, not a function or layer", e->name);
        const Builtin *b = find_builtin(e->name);
        Binding *bd = lookup(s, e->name);
        if (bd) return bd->v;
        if (b) return (Value){.k = V_FUNC, .fn = b, .loc = e->loc};
        if (find_layer_kind(e->name) || find_block(s, e->name))
            error_at(e->loc, "'%s' is a %s; write %s(...) with its %sparameters", e->name,
                     find_block(s, e->name) ? "block" : "layer type", e->name, find_block(s, e->name) ? "" : "hyper");
        unknown_name(s, e->name, e->loc, called);
    }
    return eval(s, e);
}

static Value eval_call(Sema *s, Ast *e, Value *piped, const char *bind_name) {
    if (e->lhs->kind == A_NAME && !lookup(s, e->lhs->name)) {
        const LayerKind *k = find_layer_kind(e->lhs->name);
        if (k) {
            Value layer = make_layer(s, k, e, piped ? NULL : bind_name);
            if (!piped) return layer;
            return apply(s, layer, piped, NULL, e->loc, NULL);
        }
        const BlockAst *b = find_block(s, e->lhs->name);
        if (b) {
            if (!piped && bind_name)
                return (Value){.k = V_BLOCK, .block = instantiate(s, b, e, bind_name), .loc = e->loc};
            BlockInst *inst = instantiate(s, b, e, anon_name(s, b->name));
            return piped ? apply_block(s, inst, piped, NULL, e->loc)
                         : (Value){.k = V_BLOCK, .block = inst, .loc = e->loc};
        }
    }
    Value callee = eval_callable(s, e->lhs, true);
    if (callee.k == V_BLOCK) return apply_block(s, callee.block, piped, e, e->loc);
    if (callee.k == V_LAYER && !piped && e->nargs == 1 && !e->args[0].name) {
        Value x = eval(s, e->args[0].value);     /* fc1(x) */
        return apply(s, callee, &x, NULL, e->loc, NULL);
    }
    return apply(s, callee, piped, e, e->loc, bind_name);
}

static Value arith(Sema *s, int op, Value a, Value b, Loc loc) {
    if (a.k == V_NUM && b.k == V_NUM) {
        double v = op == '+' ? a.num + b.num : op == '-' ? a.num - b.num : op == '*' ? a.num * b.num : a.num / b.num;
        return (Value){.k = V_NUM, .num = v, .loc = loc};
    }
    Node *x = want_tensor(s, a, fmt("the left side of '%c'", op));
    Node *y = want_tensor(s, b, fmt("the right side of '%c'", op));
    if (b.k == V_NUM) y->dtype = x->dtype;
    if (a.k == V_NUM) x->dtype = y->dtype;
    Op o = op == '+' ? OP_ADD : op == '-' ? OP_SUB : op == '*' ? OP_MUL : OP_DIV;
    return tensor(node2(s->g, o, loc, x, y), loc);
}

/* repeat k Block(args): k instances named <name>.0 .. <name>.k-1, applied in turn */
static Value eval_repeat(Sema *s, Ast *e, const char *bind_name) {
    Ast *call = e->lhs;
    const BlockAst *b = find_block(s, call->lhs->name);
    if (!b) error_at(call->loc, "repeat needs a block, and '%s' is not one", call->lhs->name);
    const char *name = bind_name ? bind_name : anon_name(s, b->name);
    BlockInst *first = NULL, **tail = &first;
    if ((s->repeated += (int64_t)e->num) > MAX_REPEATED)
        error_at(e->loc, "repeat: the model would have more than %d repeated block instances (nested repeats multiply)",
                 MAX_REPEATED);
    for (int i = 0; i < (int)e->num; i++) {
        *tail = instantiate(s, b, call, fmt("%s.%d", name, i));
        tail = &(*tail)->next;
    }
    return (Value){.k = V_BLOCK, .block = first, .loc = e->loc};
}

static Value eval_named(Sema *s, Ast *e, const char *bind_name) {
    if (e->kind == A_CALL) return eval_call(s, e, NULL, bind_name);
    if (e->kind == A_REPEAT) return eval_repeat(s, e, bind_name);
    return eval(s, e);
}

/* An integer known at compile time, inside an index */
static int64_t index_int(Sema *s, Ast *e) {
    Value v = eval(s, e);
    if (v.k != V_NUM || v.num != floor(v.num) || fabs(v.num) > 1e12)
        error_at(e->loc, "an index must be an integer known at compile time, got %s",
                 v.k == V_NUM ? fmt("%g", v.num) : kind_name(v.k));
    return (int64_t)v.num;
}

/* x[:, i], x[:, a:b] (NumPy's meaning, step 1, negatives from the end): per axis a SLICE, and
 * an index drops its axis.  The batch axis is taken whole.  On a symbolic axis (T) a position
 * counts from the start (i, a:b) or from the end (-i, -a:, -a:-b) and the slice has a fixed
 * length; T must then be long enough, which the memory plan and every run check (sym_min). */
static Value eval_index(Sema *s, Ast *e) {
    Graph *g = s->g;
    Node *x = want_tensor(s, eval(s, e->lhs), "an indexed value");
    Shape in = x->shape;
    if (e->nargs > in.rank) error_at(e->args[in.rank].value->loc, "%d indices for %s, which has %d axes", e->nargs, shape_str(g, &in), in.rank);
    Shape out = {0};
    for (int ax = 0; ax < e->nargs; ax++) {
        Ast *a = e->args[ax].value;
        bool range = a->kind == A_RANGE;
        if (range && !a->lhs && !a->rhs) {   /* ':' keeps the axis */
            out.d[out.rank++] = x->shape.d[ax];
            continue;
        }
        if (ax == 0) error_at(a->loc, "the batch axis is taken whole: write x[:, ...]");
        Dim D = x->shape.d[ax];
        bool sym = !dim_is_const(D);
        int symi = -1;
        for (int k = 1; sym && k < g->nsyms; k++)
            if (dim_eq(D, dim_sym(k))) symi = k;
        if (sym && symi < 0) error_at(a->loc, "cannot index axis %d of %s: its size is not one symbol", ax, shape_str(g, &in));
        int64_t lo, hi;   /* [lo, hi) from the start, or with from_end, [len - lo, len - hi) */
        bool from_end;
        if (!range) {
            int64_t i = index_int(s, a);
            from_end = i < 0;
            lo = from_end ? -i : i;
            hi = from_end ? lo - 1 : lo + 1;
        } else {
            int64_t a0 = a->lhs ? index_int(s, a->lhs) : 0, b0 = a->rhs ? index_int(s, a->rhs) : 0;
            bool open_end = !a->rhs;
            if (!sym) {   /* NumPy's clamping, on a known size */
                int64_t n = D.c;
                lo = a0 < 0 ? (a0 + n < 0 ? 0 : a0 + n) : (a0 > n ? n : a0);
                hi = open_end ? n : b0 < 0 ? (b0 + n < 0 ? 0 : b0 + n) : (b0 > n ? n : b0);
                from_end = false;
            } else if (a->lhs && a0 < 0 && (open_end || b0 < 0)) {   /* -a:, -a:-b */
                from_end = true;
                lo = -a0;
                hi = open_end ? 0 : -b0;
            } else if (a0 >= 0 && !open_end && b0 >= 0) {   /* a:b, :b */
                from_end = false;
                lo = a0;
                hi = b0;
            } else {
                error_at(a->loc, "on the symbolic axis %s a slice has a fixed length: write a:b, :b, -a: or -a:-b",
                         dim_str(g, D));
            }
            if ((from_end ? lo - hi : hi - lo) < 1) error_at(a->loc, "the slice along axis %d of %s is empty", ax, shape_str(g, &in));
        }
        int64_t len = from_end ? lo - hi : hi - lo, need = from_end ? lo : hi;
        if (!sym && !range && need > D.c)
            error_at(a->loc, "index %s%lld out of range for axis %d of %s", from_end ? "-" : "", (long long)lo, ax,
                     shape_str(g, &in));
        if (!sym && from_end) lo = D.c - lo, from_end = false;
        if (sym && need > g->sym_min[symi]) {
            g->sym_min[symi] = need;
            g->sym_min_loc[symi] = a->loc;
        }
        Shape sl = x->shape;
        sl.d[ax] = dim_const(len);
        x = new_node_attr(g, OP_SLICE, a->loc, 1, &x, (int64_t[8]){ax, lo, from_end}, sl);
        if (range) out.d[out.rank++] = sl.d[ax];
    }
    for (int ax = e->nargs; ax < in.rank; ax++) out.d[out.rank++] = in.d[ax];
    if (out.rank != x->shape.rank) x = new_reshape(g, e->loc, x, out);
    return tensor(x, e->loc);
}

static Value eval(Sema *s, Ast *e) {
    switch (e->kind) {
    case A_INDEX: return eval_index(s, e);
    case A_RANGE: error_at(e->loc, "a range a:b is only allowed inside an index x[...]");
    case A_NUM: return (Value){.k = V_NUM, .num = e->num, .loc = e->loc};
    case A_STR: return (Value){.k = V_STR, .str = e->str, .loc = e->loc};
    case A_NAME: {
        Binding *b = lookup(s, e->name);
        if (b) { Value v = b->v; v.loc = e->loc; return v; }
        for (int i = 0; i < s->g->nsyms; i++)     /* a symbolic dim used as a value (reshape) */
            if (strcmp(s->g->names[i], e->name) == 0)
                return (Value){.k = V_SYM, .str = e->name, .num = i, .loc = e->loc};
        return eval_callable(s, e, false);
    }
    case A_LIST: {
        Value v = {.k = V_LIST, .loc = e->loc, .nitems = e->nargs};
        v.items = xcalloc((size_t)e->nargs + 1, sizeof(Value));
        for (int i = 0; i < e->nargs; i++) {
            if (e->args[i].name) error_at(e->args[i].name_loc, "a list holds values, not name = value");
            v.items[i] = eval(s, e->args[i].value);
        }
        return v;
    }
    case A_NEG: {
        Value v = eval(s, e->lhs);
        if (v.k == V_NUM) { v.num = -v.num; return v; }
        return tensor(node1(s->g, OP_NEG, e->loc, want_tensor(s, v, "the operand of '-'")), e->loc);
    }
    case A_BIN: {
        Value l = eval(s, e->lhs);   /* left first: errors come in reading order */
        Value r = eval(s, e->rhs);
        return arith(s, e->binop, l, r, e->loc);
    }
    case A_CALL: return eval_call(s, e, NULL, NULL);
    case A_REPEAT: return eval_repeat(s, e, NULL);
    case A_PIPE: {
        Value x = eval(s, e->lhs);
        if (x.k != V_TENSOR) error_at(e->lhs->loc, "the left side of '->' must be a tensor, got %s", kind_name(x.k));
        if (e->rhs->kind == A_CALL) return eval_call(s, e->rhs, &x, NULL);
        Value f = eval_callable(s, e->rhs, true);
        return apply(s, f, &x, NULL, e->rhs->loc, NULL);
    }
    }
    unreachable();
}

/* ---- model statements ------------------------------------------------------------------------- */
/* Whether an expression mentions `name`. */
static bool mentions(const Ast *e, const char *name) {
    if (!e) return false;
    if (e->kind == A_NAME && strcmp(e->name, name) == 0) return true;
    if (mentions(e->lhs, name) || mentions(e->rhs, name)) return true;
    for (int i = 0; i < e->nargs; i++)
        if (mentions(e->args[i].value, name)) return true;
    return false;
}

static bool model_names(const ModelAst *m, const char *name) {
    for (int i = 0; i < m->nstmts; i++)
        if (mentions(m->stmts[i].expr, name) || (m->stmts[i].classes_name && strcmp(m->stmts[i].classes_name, name) == 0))
            return true;
    return false;
}

static int sym_index(Sema *s, const char *name, Loc loc) {
    Graph *g = s->g;
    for (int i = 0; i < g->nsyms; i++)
        if (strcmp(g->names[i], name) == 0) return i;
    if (g->nsyms == MAX_SYMS) error_at(loc, "too many symbolic dimensions (at most %d)", MAX_SYMS);
    g->names[g->nsyms] = name;
    g->sym_loc[g->nsyms] = loc;
    return g->nsyms++;
}

static void declare_io(Sema *s, Stmt *st) {
    Graph *g = s->g;
    if (find_builtin(st->name) || find_layer_kind(st->name))
        error_at(st->name_loc, "'%s' is a built-in name and cannot be redefined", st->name);
    AstType *t = &st->type;
    if (t->rank < 1 || t->rank > DLRT_MAX_RANK)
        error_at(t->loc, "an input has rank 1 to %d, the first dimension being the batch", DLRT_MAX_RANK);
    if (!t->dims[0].is_sym)
        error_at(t->dims[0].loc, "the first dimension of '%s' is the batch and must be a name such as N",
                 st->name);
    Shape sh = {t->rank, {{0, {0}}}};
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i].is_sym) {
            int k = sym_index(s, t->dims[i].sym, t->dims[i].loc);
            if (i == 0 && k != 0)
                error_at(t->dims[i].loc, "every input's batch dimension must be '%s'", g->names[0]);
            if (i > 0 && k == 0)
                error_at(t->dims[i].loc, "'%s' is the batch dimension and can only come first", g->names[0]);
            sh.d[i] = dim_sym(k);
        } else sh.d[i] = dim_const(t->dims[i].value);
    }
    if (st->classes_name) {   /* classes vocab: a named compile-time number */
        Binding *b = lookup(s, st->classes_name);
        if (!b || b->v.k != V_NUM) {
            if (strcmp(st->classes_name, "vocab") == 0)
                error_at(st->classes_loc, "'vocab' is the vocabulary size of text data: the train section needs data text(...)");
            error_at(st->classes_loc, "classes wants a number or a named number, and '%s' is not one", st->classes_name);
        }
        if (b->v.num != floor(b->v.num) || b->v.num < 2) error_at(st->classes_loc, "classes must be an integer >= 2");
        st->classes = (int64_t)b->v.num;
    }
    if (st->kind == S_TARGET && st->classes && is_float(t->dtype))
        error_at(t->loc, "a target with classes holds integer labels: use i32, not %s", dtype_keyword(t->dtype));
    if (st->kind == S_INPUT && !is_float(t->dtype) && t->dtype != DLRT_I32 && t->dtype != DLRT_I64)
        error_at(t->loc, "unsupported input type");
    if (g->nio == 15) error_at(st->loc, "too many inputs");
    Node *n = new_node(g, OP_INPUT, st->name_loc, 0, NULL);
    n->dtype = is_float(t->dtype) ? g->fdtype : t->dtype;
    n->shape = sh;
    n->name = st->name;
    check_size(g, n);
    n->index = n->iattr[0] = g->nio;
    g->io[g->nio++] = (IoSlot){n, st->name, st->kind == S_TARGET, st->classes, st->loc};
    g->ninputs = g->nio;
    bind(s, st->name, tensor(n, st->name_loc), st->name_loc);
}

static void add_result(Sema *s, const char *name, Node *n, int kind, Loc loc) {
    Graph *g = s->g;
    for (int i = 0; i < g->nresults; i++)
        if (strcmp(g->results[i].name, name) == 0) error_at(loc, "metric '%s' given twice", name);
    if (g->nresults == 8) error_at(loc, "too many metrics");
    g->results[g->nresults++] = (ResultDef){name, n, kind};
}

/* metric accuracy(logits, labels): the fraction of rows whose first maximum is the label;
 * perplexity(logits, labels): e^(mean cross-entropy per token); bpc(logits, labels): the mean
 * cross-entropy in bits (per character, for a character model). */
static void metric(Sema *s, Stmt *st) {
    static const char *const known[] = {"accuracy", "perplexity", "bpc"};
    Ast *call = st->expr;
    int which = 0;
    while (which < 3 && strcmp(st->name, known[which]) != 0) which++;
    if (which == 3) {
        const char *near = nearest_name(st->name, known, 3);
        error_at(st->name_loc, "unknown metric '%s'%s (known: accuracy, perplexity, bpc)", st->name,
                 near ? fmt("; did you mean '%s'?", near) : "");
    }
    check_call_args(call, 2, NULL, st->name);
    if (call->nargs != 2) error_at(call->loc, "%s takes (logits, labels), got %d argument%s", st->name, call->nargs,
                                   call->nargs == 1 ? "" : "s");
    Node *x = want_tensor(s, eval(s, call->args[0].value), fmt("%s's logits", st->name));
    Node *y = want_tensor(s, eval(s, call->args[1].value), fmt("%s's labels", st->name));
    Node *r;
    if (which == 0) r = node2(s->g, OP_ACCURACY, call->loc, x, y);
    else {   /* the loss's own cross-entropy when it is the same one */
        r = NULL;
        for (int i = 0; i < s->g->nodes.n && !r; i++) {
            Node *c = s->g->nodes.v[i];
            if (c->op == OP_CROSS_ENTROPY && c->nin == 2 && c->in[0] == x && c->in[1] == y && c->fattr[0] == 0) r = c;
        }
        if (!r) r = node2(s->g, OP_CROSS_ENTROPY, call->loc, x, y);
    }
    check_classes(s, r, call->loc);
    add_result(s, st->name, r, which == 0 ? DLRT_RESULT_COUNT : which == 1 ? DLRT_RESULT_EXP : DLRT_RESULT_BITS, st->loc);
}

/* name = expr, or y, h, c = expr for a value of several parts (a recurrent layer's output and
 * final states); `named`: the expression's layers take the name (model statements). */
static void assign(Sema *s, Stmt *st, bool named) {
    int n = st->nnames ? st->nnames : 1;
    for (int k = 0; k < n; k++) {
        const char *name = st->nnames ? st->names[k].name : st->name;
        Loc at = st->nnames ? st->names[k].name_loc : st->name_loc;
        if (find_builtin(name) || find_layer_kind(name))
            error_at(at, "'%s' is a built-in name and cannot be redefined", name);
    }
    Value v = eval_named(s, st->expr, named && n == 1 ? st->name : NULL);
    int have = v.k == V_TUPLE ? v.nitems : 1;
    if (have != n)
        error_at(n > 1 ? st->names[n - 1].name_loc : st->name_loc, "%d name%s for %d value%s%s", n, n == 1 ? "" : "s",
                 have, have == 1 ? "" : "s",
                 have > 1 ? fmt(" (the output, then the final states h%s: y, h%s = ...)", have > 2 ? " and c" : "",
                                have > 2 ? ", c" : "") : "");
    for (int k = 0; k < n; k++) {
        Value part = v.k == V_TUPLE ? v.items[k] : v;
        const char *name = st->nnames ? st->names[k].name : st->name;
        if (named && part.k == V_TENSOR && !part.t->name) part.t->name = name;
        bind(s, name, part, st->nnames ? st->names[k].name_loc : st->name_loc);
    }
}

static void model_stmts(Sema *s, ModelAst *m) {
    Graph *g = s->g;
    Stmt *out = NULL;   /* the `output` statement */
    for (int i = 0; i < m->nstmts; i++) {
        Stmt *st = &m->stmts[i];
        switch (st->kind) {
        case S_INPUT: case S_TARGET: declare_io(s, st); break;
        case S_ASSIGN: assign(s, st, true); break;
        case S_METRIC: metric(s, st); break;
        case S_OUTPUT:
            if (out) error_at(st->loc, "the output is already given");
            out = st;
            break;
        case S_SETTING: unreachable();
        }
    }
    Binding *loss = lookup(s, "loss");
    if (!loss)
        error_at(m->loc, "model '%s' has no loss: add a line such as `loss = cross_entropy(logits, label)`", m->name);
    if (loss->v.k != V_TENSOR || loss->v.t->shape.rank != 0)
        error_at(loss->loc, "the loss must be a scalar tensor (e.g. cross_entropy(...) or mse(...)), got %s",
                 loss->v.k == V_TENSOR ? shape_str(g, &loss->v.t->shape) : kind_name(loss->v.k));
    g->loss = loss->v.t;
    /* results[0] is the loss */
    memmove(&g->results[1], &g->results[0], sizeof(ResultDef) * (size_t)g->nresults);
    g->results[0] = (ResultDef){"loss", g->loss, DLRT_RESULT_MEAN};
    g->nresults++;
    if (!out && g->loss->op != OP_CROSS_ENTROPY && g->loss->op != OP_MSE && g->loss->op != OP_NLL)
        error_at(m->loc, "say which tensor is the model's prediction with `output NAME`");
    /* the outputs follow the inputs and targets in io[]; one output is called "output" */
    int nout = out ? out->nnames : 1;
    if (g->nio + nout > 16) error_at(out->loc, "too many inputs and outputs (at most 16)");
    for (int k = 0; k < nout; k++) {
        const char *name = out ? out->names[k].name : NULL;
        Loc at = out ? out->names[k].name_loc : g->loss->in[0]->loc;
        Node *t = g->loss->in[0];
        if (out) {
            Binding *b = lookup(s, name);
            if (!b) unknown_name(s, name, at, false);
            if (b->v.k != V_TENSOR) error_at(at, "the output must be a tensor, got %s", kind_name(b->v.k));
            t = b->v.t;
            for (int j = 0; j < k; j++)
                if (strcmp(out->names[j].name, name) == 0) error_at(at, "output '%s' is given twice", name);
        }
        if (t->shape.rank < 1 || !dim_eq(t->shape.d[0], dim_sym(0)))
            error_at(at, "the output must have a batch dimension, got %s%s", shape_str(g, &t->shape),
                     out ? "" : " (the prediction is the loss's first argument; name another with `output NAME`)");
        if (t->op == OP_INPUT) error_at(at.line ? at : m->loc, "the output is an input");
        g->io[g->nio++] = (IoSlot){t, nout == 1 ? "output" : name, false, 0, t->loc};
    }
}

/* ---- train section ------------------------------------------------------------------------- */
static const char *const train_keys[] = {"data", "optimizer", "batch", "epochs", "steps", "seed", "val_split",
                                         "l1", "l2", "schedule", "clip_norm", "clip_value", NULL};

static const char *str_arg(Ast *call, int i, const char *what) {
    Ast *a = call_arg(call, i, NULL);
    if (!a) error_at(call->loc, "%s needs a path string", what);
    if (a->kind != A_STR) error_at(a->loc, "%s: expected a string", what);
    return a->str;
}

static const char *resolve_path(const char *model_path, const char *p) {
    if (p[0] == '/') return p;
    const char *slash = strrchr(model_path, '/');
    if (!slash) return p;
    return fmt("%.*s/%s", (int)(slash - model_path), model_path, p);
}

static double opt_num(Ast *call, const char *name, double dflt, double lo, double hi) {
    Ast *a = call_arg(call, 99, name);
    if (!a) return dflt;
    double v = const_number(a, name);
    if (!(v >= lo && v <= hi)) error_at(a->loc, "%s must be in [%g, %g], got %g", name, lo, hi, v);
    return v;
}

static void train_section(Model *m, FileAst *f) {
    TrainCfg *c = &m->train;
    *c = (TrainCfg){.opt = OPT_ADAM, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                    .batch = 32, .epochs = 1, .seed = 0, .val_split = 0.1};
    int nkeys = 0;
    while (train_keys[nkeys]) nkeys++;
    for (int i = 0; i < f->ntrain; i++) {
        Stmt *st = &f->train[i];
        Ast *e = st->expr;
        const char *k = st->name;
        for (int j = 0; j < i; j++)
            if (strcmp(f->train[j].name, k) == 0) error_at(st->name_loc, "'%s' is set twice", k);
        if (strcmp(k, "data") == 0) {
            if (e->kind != A_CALL || e->lhs->kind != A_NAME)
                error_at(e->loc, "data wants a source: idx(\"dir\"), npy(\"x.npy\", \"y.npy\"), csv(\"table.csv\") or text(\"path\", window = T)");
            c->data_loc = e->loc;
            if (strcmp(e->lhs->name, "idx") == 0) {
                c->data = DATA_IDX;
                check_call_args(e, 1, NULL, "idx");
                c->data_paths[c->ndata_paths++] = resolve_path(m->path, str_arg(e, 0, "idx"));
            } else if (strcmp(e->lhs->name, "npy") == 0) {
                c->data = DATA_NPY;
                check_call_args(e, 8, NULL, "npy");   /* one file per input and target, in declaration order */
                for (int k = 0; call_arg(e, k, NULL); k++) c->data_paths[c->ndata_paths++] = resolve_path(m->path, str_arg(e, k, "npy"));
                if (!c->ndata_paths) error_at(e->loc, "npy needs a file per input and target, e.g. npy(\"x.npy\", \"y.npy\")");
            } else if (strcmp(e->lhs->name, "text") == 0) {
                /* text("path", window = T, unit = "bytes" | "utf8"): windows of T ids, the next
                 * ids as targets; val_split holds out the tail */
                static const char *const kw[] = {"", "window", "unit", NULL};
                check_call_args(e, 1, kw, "text");
                c->data = DATA_TEXT;
                c->data_paths[c->ndata_paths++] = resolve_path(m->path, str_arg(e, 0, "text"));
                Ast *w = call_arg(e, 99, "window"), *u = call_arg(e, 99, "unit");
                if (!w) error_at(e->loc, "text data need a window length: text(\"...\", window = 64)");
                double wv = const_number(w, "the text window");
                if (wv != floor(wv) || wv < 1 || wv > 1 << 20) error_at(w->loc, "the text window must be a whole number >= 1");
                c->window = (int64_t)wv;
                c->text_unit = DLRT_TEXT_BYTES;
                if (u) {
                    if (u->kind != A_STR || (strcmp(u->str, "bytes") && strcmp(u->str, "utf8")))
                        error_at(u->loc, "text unit is \"bytes\" or \"utf8\"");
                    c->text_unit = u->str[0] == 'u' ? DLRT_TEXT_UTF8 : DLRT_TEXT_BYTES;
                }
            } else if (strcmp(e->lhs->name, "csv") == 0) {
                /* csv("table.csv", target_column = "name" | index): the target column, the rest
                 * the features of the one input; val_split holds out the last rows */
                static const char *const kw[] = {"", "target_column", NULL};
                check_call_args(e, 1, kw, "csv");
                c->data = DATA_CSV;
                c->data_paths[c->ndata_paths++] = resolve_path(m->path, str_arg(e, 0, "csv"));
                c->csv_target_index = -1;
                Ast *t = call_arg(e, 99, "target_column");
                if (t && t->kind == A_STR) c->csv_target = t->str;
                else if (t) {
                    double tv = const_number(t, "the target column");
                    if (tv != floor(tv) || fabs(tv) > 1e6)
                        error_at(t->loc, "target_column is a column name (\"label\") or a whole-number index (-1: the last)");
                    c->csv_target_index = (int64_t)tv;
                }
            } else {
                static const char *const src[] = {"idx", "npy", "text", "csv"};
                const char *near = nearest_name(e->lhs->name, src, 4);
                error_at(e->lhs->loc, "unknown data source '%s'%s (known: idx, npy, text, csv)", e->lhs->name,
                         near ? fmt("; did you mean '%s'?", near) : "");
            }
        } else if (strcmp(k, "optimizer") == 0) {
            if (e->kind != A_CALL || e->lhs->kind != A_NAME)
                error_at(e->loc, "optimizer wants SGD(lr = ...), Momentum(...) or Adam(...)");
            const char *on = e->lhs->name;
            if (strcmp(on, "Adam") == 0) {
                static const char *const kw[] = {"lr", "beta1", "beta2", "eps", "weight_decay", NULL};
                check_call_args(e, 0, kw, "Adam");
                c->opt = OPT_ADAM;
                c->lr = opt_num(e, "lr", 1e-3, 0, 1e3);
                c->beta1 = opt_num(e, "beta1", 0.9, 0, 0.999999);
                c->beta2 = opt_num(e, "beta2", 0.999, 0, 0.999999999);
                c->eps = opt_num(e, "eps", 1e-8, 0, 1);
                c->weight_decay = opt_num(e, "weight_decay", 0, 0, 1e3);
            } else if (strcmp(on, "SGD") == 0 || strcmp(on, "Momentum") == 0) {
                static const char *const kw[] = {"lr", "momentum", "weight_decay", NULL};
                check_call_args(e, 0, kw, on);
                if (!call_arg(e, 99, "lr")) error_at(e->loc, "%s needs a learning rate: %s(lr = 0.1)", on, on);
                c->lr = opt_num(e, "lr", 0, 0, 1e3);
                c->momentum = opt_num(e, "momentum", on[0] == 'M' ? 0.9 : 0, 0, 0.999999);
                c->weight_decay = opt_num(e, "weight_decay", 0, 0, 1e3);
                c->opt = c->momentum > 0 ? OPT_MOMENTUM : OPT_SGD;
            } else {
                static const char *const opts[] = {"SGD", "Momentum", "Adam"};
                const char *near = nearest_name(on, opts, 3);
                error_at(e->lhs->loc, "unknown optimizer '%s'%s (known: SGD, Momentum, Adam)", on,
                         near ? fmt("; did you mean '%s'?", near) : "");
            }
        } else if (strcmp(k, "batch") == 0 || strcmp(k, "epochs") == 0 || strcmp(k, "steps") == 0 ||
                   strcmp(k, "seed") == 0) {
            double v = const_number(e, k);
            double lo = k[1] == 'e' ? 0 : k[0] == 's' ? 0 : 1;   /* seed and steps may be 0 */
            if (v != floor(v) || v < lo || v > 1e12) error_at(e->loc, "%s must be a whole number >= %g", k, lo);
            int64_t iv = (int64_t)v;
            if (k[0] == 'b') c->batch = iv;
            else if (k[0] == 'e') c->epochs = iv;
            else if (k[1] == 't') c->steps = iv;
            else c->seed = iv;
        } else if (strcmp(k, "l1") == 0 || strcmp(k, "l2") == 0) {
            double v = const_number(e, k);
            if (!(v >= 0 && v < 1e3)) error_at(e->loc, "%s must be a penalty weight >= 0", k);
            if (k[1] == '1') c->l1 = v;
            else c->l2 = v;
        } else if (strcmp(k, "schedule") == 0) {
            /* schedule constant | cosine(min = 0) | step(every = 1, gamma = 0.1) */
            Ast *callee = e->kind == A_CALL ? e->lhs : e;
            const char *sn = callee->kind == A_NAME ? callee->name : "";
            if (strcmp(sn, "cosine") == 0) {
                static const char *const kw[] = {"min", NULL};
                if (e->kind == A_CALL) check_call_args(e, 0, kw, "cosine");
                c->schedule = DLRT_SCHED_COSINE;
                c->sched_a = e->kind == A_CALL ? opt_num(e, "min", 0, 0, 1e3) : 0;
            } else if (strcmp(sn, "step") == 0) {
                static const char *const kw[] = {"every", "gamma", NULL};
                if (e->kind == A_CALL) check_call_args(e, 0, kw, "step");
                c->schedule = DLRT_SCHED_STEP;
                c->sched_a = e->kind == A_CALL ? opt_num(e, "every", 1, 1, 1e9) : 1;
                c->sched_b = e->kind == A_CALL ? opt_num(e, "gamma", 0.1, 0, 1) : 0.1;
                if (c->sched_a != floor(c->sched_a)) error_at(e->loc, "step(every = ...) wants a whole number of epochs");
            } else if (strcmp(sn, "constant") == 0 && e->kind == A_NAME) {
                c->schedule = DLRT_SCHED_CONSTANT;
            } else {
                static const char *const kinds[] = {"constant", "cosine", "step"};
                const char *near = *sn ? nearest_name(sn, kinds, 3) : NULL;
                error_at(callee->loc, "schedule wants constant, cosine(min = 0) or step(every = 1, gamma = 0.1)%s",
                         near ? fmt("; did you mean '%s'?", near) : "");
            }
        } else if (strcmp(k, "clip_norm") == 0 || strcmp(k, "clip_value") == 0) {
            double v = const_number(e, k);
            if (!(v > 0 && v < 1e30)) error_at(e->loc, "%s must be a positive number", k);
            if (k[5] == 'n') c->clip_norm = v;
            else c->clip_value = v;
        } else if (strcmp(k, "val_split") == 0) {
            c->val_split = const_number(e, k);
            if (!(c->val_split >= 0 && c->val_split < 1)) error_at(e->loc, "val_split must be in [0, 1)");
        } else {
            const char *near = nearest_name(k, train_keys, nkeys);
            error_at(st->name_loc, "unknown train setting '%s'%s", k, near ? fmt("; did you mean '%s'?", near) : "");
        }
    }
}

/* `l1 a` / `l2 b` in the train section and `l1 =` / `l2 =` on a Dense or Conv layer: loss +
 * a·Σ|w| + b·Σw² over the weight matrices and kernels (not biases, not normalization); the
 * section's weights apply to every such weight, a layer's add to them for its own.  The logged
 * loss includes the penalty, as in Keras. */
static void add_penalties(Graph *g, const TrainCfg *c, Loc loc) {
    Node *total = g->loss;
    for (int i = 0; i < g->nparams; i++) {
        Param *p = g->params[i];
        if (!p->decay) continue;
        Node *w = p->node;
        double k[2] = {c->l1 + p->l1, c->l2 + p->l2};
        for (int j = 0; j < 2; j++) {
            if (k[j] == 0) continue;
            Node *t = j == 0 ? node1(g, OP_ABS, loc, w) : node2(g, OP_MUL, loc, w, w);
            Node *sum = new_sum_to(g, loc, t, (Shape){0, {{0, {0}}}});
            total = node2(g, OP_ADD, loc, total, node2(g, OP_MUL, loc, sum, new_const(g, loc, k[j], w->dtype)));
        }
    }
    g->loss = g->results[0].node = total;
}

Model *sema_model(FileAst *f, const char *path, bool f64, int64_t vocab) {
    Model *m = xcalloc(1, sizeof *m);
    m->ast = f;
    m->path = path;
    m->g = new_graph();
    m->g->fdtype = f64 ? DLRT_F64 : DLRT_F32;
    train_section(m, f);
    m->g->max[0] = m->train.batch;
    Sema s = {.m = m, .g = m->g};
    for (int i = 0; i < f->nblocks; i++) {
        const BlockAst *b = f->blocks[i];
        if (find_builtin(b->name) || find_layer_kind(b->name))
            error_at(b->loc, "'%s' is a built-in name and cannot name a block", b->name);
        for (int j = 0; j < i; j++)
            if (strcmp(f->blocks[j]->name, b->name) == 0) {
                error_at_noexit(b->loc, "block '%s' is already defined", b->name);
                note_at(f->blocks[j]->loc, "'%s' was defined here", b->name);
                exit(1);
            }
    }
    /* `vocab`: the text data's vocabulary size (or the caller's, e.g. a checkpoint's) */
    if (!vocab && m->train.data == DATA_TEXT && model_names(f->model, "vocab")) {
        if (dlrt_text_read(m->train.data_paths[0], m->train.text_unit, &m->text))
            error_at(m->train.data_loc, "%s", dlrt_error());
        vocab = m->text.nvocab;
    }
    if (vocab) bind(&s, "vocab", (Value){.k = V_NUM, .num = (double)vocab, .loc = f->model->loc}, f->model->loc);
    model_stmts(&s, f->model);
    if (m->g->nparams == 0) error_at(f->model->loc, "model '%s' has no parameters to train", f->model->name);
    add_penalties(m->g, &m->train, f->train_loc);
    return m;
}
