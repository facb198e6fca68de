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
    int64_t units;
    bool bias;
    bool applied;
    Dim in_features;
    Param *params[4];
    int nparams;
};

typedef void MakeFn(Layer *l, Ast *call);
typedef Node *ApplyFn(Graph *g, Layer *l, Node *x, Loc loc);

struct LayerKind {
    const char *name;
    MakeFn *make;
    ApplyFn *apply;
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
    error_at(e->loc, "%s must be a number known at compile time", what);
}

static int64_t const_int(Ast *e, const char *what, int64_t lo, int64_t hi) {
    double v = const_number(e, what);
    if (v != floor(v) || v < (double)lo || v > (double)hi)
        error_at(e->loc, "%s must be an integer in [%lld, %lld], got %g", what, (long long)lo,
                 (long long)hi, v);
    return (int64_t)v;
}

Param *add_param(Graph *g, const char *name, Shape s, InitKind init, double a, Loc loc) {
    for (int i = 0; i < g->nparams; i++)
        if (strcmp(g->params[i]->name, name) == 0) error_at(loc, "parameter '%s' defined twice", name);
    g->params = xrealloc(g->params, sizeof(Param *) * (size_t)(g->nparams + 1));
    Param *p = g->params[g->nparams] = xcalloc(1, sizeof *p);
    Node *n = new_node(g, OP_PARAM, loc, 0, NULL);
    n->dtype = g->fdtype;
    n->shape = s;
    n->name = name;
    check_size(g, n);
    n->index = g->nparams++;
    p->node = n;
    p->name = name;
    p->init = init;
    p->init_a = a;
    int64_t bytes = shape_numel_max(g, &s) * (int64_t)dlrt_dtype_size(g->fdtype);
    p->offset = g->param_bytes;
    g->param_bytes += (bytes + 63) / 64 * 64;
    return p;
}

/* ---- Dense(units, bias = true): y = x W^T + b over the last axis ------------------------- */
static void dense_make(Layer *l, Ast *call) {
    static const char *const kw[] = {"units", "bias", NULL};
    check_call_args(call, 2, kw, "Dense");
    Ast *u = call_arg(call, 0, "units");
    if (!u) error_at(call->loc, "Dense needs the number of output units, e.g. Dense(128)");
    l->units = const_int(u, "Dense units", 1, 1 << 24);
    Ast *b = call_arg(call, 1, "bias");
    l->bias = b ? const_number(b, "Dense bias (true or false)") != 0 : true;
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

static const LayerKind kinds[] = {
    {"Dense", dense_make, dense_apply},
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

Node *apply_layer(Graph *g, Layer *l, Node *x, Loc loc) { return l->kind->apply(g, l, x, loc); }
const char *layer_name(const Layer *l) { return l->name; }
const char *layer_kind_name(const Layer *l) { return l->kind->name; }
int layer_params(const Layer *l, Param **out) {
    for (int i = 0; i < l->nparams; i++) out[i] = l->params[i];
    return l->nparams;
}
