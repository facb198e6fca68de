/* plan.c — turns the whole graph into one compiled function's plan: which nodes it runs
 * (dead-code elimination from the function's roots), in which order (creation order is a
 * valid schedule), and where each value lives.  Parameters, gradients, optimizer state and
 * io have fixed homes; everything else gets a slice of the workspace, reused once the value
 * is dead (liveness over the schedule, first-fit).  Views share their source's slice.
 * Sizes are those of the largest batch the function is compiled for (Graph.max). */
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

const char *const fn_names[FN_COUNT] = {"infer", "eval", "train", "grad"};

/* Mark what the roots need; train_eval needs only the input its function's mode picks. */
static void mark(Node *n, bool training) {
    if (n->live) return;
    n->live = 1;
    if (n->op == OP_TRAIN_EVAL) {
        mark(n->in[training ? 0 : 1], training);
        return;
    }
    for (int i = 0; i < n->nin; i++) mark(n->in[i], training);
}

static Node *root_of(Node *n) {
    while (op_flags[n->op] & OPF_V) n = n->in[0];
    return n;
}

/* First-fit allocator over [0, top) with a sorted free list. */
typedef struct { int64_t off, size; } Block;
typedef struct { Block *free; int nfree, cap; int64_t top; } Arena;

static int64_t arena_alloc(Arena *a, int64_t size) {
    for (int i = 0; i < a->nfree; i++)
        if (a->free[i].size >= size) {
            int64_t off = a->free[i].off;
            a->free[i].off += size;
            a->free[i].size -= size;
            if (a->free[i].size == 0) {
                memmove(&a->free[i], &a->free[i + 1], sizeof(Block) * (size_t)(a->nfree - i - 1));
                a->nfree--;
            }
            return off;
        }
    /* grow the top, merging a free block that ends there */
    if (a->nfree && a->free[a->nfree - 1].off + a->free[a->nfree - 1].size == a->top) {
        int64_t off = a->free[--a->nfree].off;
        a->top = off + size;
        return off;
    }
    int64_t off = a->top;
    a->top += size;
    return off;
}

static void arena_free(Arena *a, int64_t off, int64_t size) {
    int i = 0;
    while (i < a->nfree && a->free[i].off < off) i++;
    if (a->nfree == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->free = xrealloc(a->free, sizeof(Block) * (size_t)a->cap);
    }
    memmove(&a->free[i + 1], &a->free[i], sizeof(Block) * (size_t)(a->nfree - i));
    a->free[i] = (Block){off, size};
    a->nfree++;
    /* coalesce with neighbours */
    if (i + 1 < a->nfree && a->free[i].off + a->free[i].size == a->free[i + 1].off) {
        a->free[i].size += a->free[i + 1].size;
        memmove(&a->free[i + 1], &a->free[i + 2], sizeof(Block) * (size_t)(a->nfree - i - 2));
        a->nfree--;
    }
    if (i > 0 && a->free[i - 1].off + a->free[i - 1].size == a->free[i].off) {
        a->free[i - 1].size += a->free[i].size;
        memmove(&a->free[i], &a->free[i + 1], sizeof(Block) * (size_t)(a->nfree - i - 1));
        a->nfree--;
    }
}

static int64_t node_bytes(const Graph *g, const Node *n) {
    int64_t numel = shape_numel_max(g, &n->shape);
    if (n->extra.c) numel += dim_eval(g, n->extra, NULL);
    int64_t b = numel * (int64_t)dlrt_dtype_size(n->dtype);
    return (b + 63) / 64 * 64;
}

/* Free the workspace of values whose last use is node n at `pos` (through the values fused
 * into n); a value never used (a root such as a gradient) keeps its slice. */
static void free_dead(const Graph *g, Arena *a, Node *n, int pos) {
    for (int k = 0; k < n->nin; k++) {
        Node *r = root_of(n->in[k]);
        if (r->base == B_FUSED) free_dead(g, a, r, pos);
        else if (r->base == B_W && r->last_use == pos && r->live != 2) {
            arena_free(a, r->offset, node_bytes(g, r));
            r->live = 2;   /* freed */
        }
    }
}

static int64_t panel_bytes(int64_t k, int64_t cols, dlrt_dtype t) { return gemm_panel_elems(k, cols) * (int64_t)dlrt_dtype_size(t); }

/* The panel workspace of the products a node's kernel makes (0 when none). */
static int64_t gemm_ws_bytes(const Graph *g, const Node *n) {
    const Node *a = n->in[0];
    switch (n->op) {
    case OP_MATMUL: {
        MatDims d = matmul_dims(n);
        int64_t k = dim_eval(g, d.ka, NULL), cols = dim_eval(g, d.n, NULL);
        int64_t slice = matmul_batch_slice(g, n);
        if (slice >= 0) return slice * dim_eval(g, d.batch, NULL) * (int64_t)dlrt_dtype_size(n->dtype);
        if (matmul_dot(n))   /* the partial sums of chunks 1.. (KGemm.dot) */
            return ((k + GEMM_DOT_KC - 1) / GEMM_DOT_KC - 1) * dim_eval(g, d.m, NULL) * cols * (int64_t)dlrt_dtype_size(n->dtype);
        return panel_bytes(k, cols, n->dtype);
    }
    /* RNN_SEQ's and RNN_BWD's per-step products read B in place (lower.c, rnn_rows): none */
    case OP_RNN_DWHH:   /* dg^T [GH, T*N] . h [T*N, H] */
        return panel_bytes(dim_eval(g, shape_rows(&a->shape), NULL), dim_eval(g, n->shape.d[1], NULL), n->dtype);
    case OP_ATTENTION: {   /* q_blk k_tile^T (k = dk, ATT_BC columns), then P v_tile (k = ATT_BC, dv columns) */
        int64_t dk = dim_eval(g, a->shape.d[3], NULL), dv = dim_eval(g, n->shape.d[3], NULL);
        int64_t s1 = panel_bytes(dk, ATT_BC, n->dtype), s2 = panel_bytes(ATT_BC, dv, n->dtype);
        return s1 > s2 ? s1 : s2;
    }
    default: return 0;
    }
}

Plan *plan_function(Graph *g, FnKind kind) {
    Plan *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    for (int i = 0; i < g->nodes.n; i++) {
        Node *n = g->nodes.v[i];
        n->live = 0;
        n->last_use = -1;
        n->base = B_NONE;
        n->offset = 0;
    }
    /* roots */
    bool tr = kind == FN_TRAIN || kind == FN_GRAD;
    switch (kind) {
    case FN_INFER:
        for (int k = g->ninputs; k < g->nio; k++) mark(g->out_nodes[k], tr);
        break;
    case FN_EVAL:
        for (int i = 0; i < g->nresults; i++) mark(g->res_nodes[i], tr);
        break;
    case FN_GRAD:
        mark(g->res_nodes[0], tr);
        for (int i = 0; i < g->nparams; i++)
            if (g->params[i]->grad) mark(g->params[i]->grad, tr);
        break;
    case FN_TRAIN:
        for (int i = 0; i < g->nresults; i++) mark(g->res_nodes[i], tr);
        for (int i = 0; i < g->updates.n; i++) mark(g->updates.v[i], tr);
        for (int i = 0; i < g->stat_updates.n; i++) mark(g->stat_updates.v[i], tr);
        break;
    default: unreachable();
    }
    for (int i = 0; i < g->nodes.n; i++)
        if (((Node *)g->nodes.v[i])->live) vec_push(&p->sched, g->nodes.v[i]);

    /* fixed homes */
    for (int i = 0; i < g->nparams; i++) {
        Param *pr = g->params[i];
        pr->node->base = B_P;
        pr->node->offset = pr->offset;
        if (pr->grad && pr->grad->live && (kind == FN_GRAD || kind == FN_TRAIN)) {
            pr->grad->base = B_G;
            pr->grad->offset = pr->offset;
        }
    }
    for (int i = 0; i < g->nstates; i++) {
        g->states[i]->base = B_S;
        g->states[i]->offset = g->states[i]->iattr[0];
    }
    for (int i = 0; i < g->nio; i++)
        if (g->io[i].node->op == OP_INPUT) g->io[i].node->base = B_IO + i;

    /* fusion: an elementwise value (or a permute: a load at permuted indices) with a workspace
     * home, used once, by an elementwise op of the same shape and type with no effect in
     * between, is computed inside that op's loop */
    int nn = g->nodes.n, *pos_of = xcalloc((size_t)nn, sizeof *pos_of), *effects = xcalloc((size_t)p->sched.n + 1, sizeof *effects);
    Node **consumer = xcalloc((size_t)nn, sizeof *consumer);
    for (int pos = 0; pos < p->sched.n; pos++) {
        Node *n = p->sched.v[pos];
        pos_of[n->id] = pos;
        effects[pos + 1] = effects[pos] + !!(op_flags[n->op] & OPF_X);
        n->uses = 0;
    }
    for (int pos = 0; pos < p->sched.n; pos++) {
        Node *n = p->sched.v[pos];
        for (int k = 0; k < n->nin; k++) {
            n->in[k]->uses++;
            consumer[n->in[k]->id] = n;
        }
    }
    for (int pos = 0; pos < p->sched.n; pos++) {
        Node *n = p->sched.v[pos], *c = consumer[n->id];
        if (((op_flags[n->op] & OPF_E) || n->op == OP_PERMUTE) && !n->data && n->base == B_NONE && n->uses == 1 && c &&
            (op_flags[c->op] & OPF_E) && shape_eq(&n->shape, &c->shape) && n->dtype == c->dtype &&
            effects[pos_of[c->id]] == effects[pos + 1])
            n->base = B_FUSED;
    }
    /* epilogue: a product used only by an add of a bias over its columns (a Dense layer's), with
     * no effect in between, is computed by the add's node: the GEMM adds the bias as it stores
     * (KGemm.bias), the same bits as a pass of its own */
    for (int pos = 0; pos < p->sched.n; pos++) {
        Node *n = p->sched.v[pos], *m = n->nin == 2 ? n->in[0] : NULL, *b = n->nin == 2 ? n->in[1] : NULL;
        if (n->op != OP_ADD || n->base == B_FUSED || m->op != OP_MATMUL || m->iattr[2] || matmul_dot(m) || m->uses != 1 ||
            m->base != B_NONE || m->data || b->base == B_FUSED || b->shape.rank != 1 || m->shape.rank < 1 ||
            !dim_eq(b->shape.d[0], m->shape.d[m->shape.rank - 1]) || !shape_eq(&n->shape, &m->shape) ||
            n->dtype != m->dtype || b->dtype != m->dtype || effects[pos] != effects[pos_of[m->id] + 1])
            continue;
        m->base = B_FUSED;
    }
    /* liveness: a value (or the buffer a view reads) lives until its last consumer; what a
     * fused value reads lives until the loop it is fused into */
    int *at = xcalloc((size_t)p->sched.n, sizeof *at);
    for (int pos = p->sched.n - 1; pos >= 0; pos--) {
        Node *n = p->sched.v[pos];
        at[pos] = n->base == B_FUSED ? at[pos_of[consumer[n->id]->id]] : pos;
    }
    for (int pos = 0; pos < p->sched.n; pos++) {
        Node *n = p->sched.v[pos];
        for (int k = 0; k < n->nin; k++) {
            Node *r = root_of(n->in[k]);
            if (at[pos] > r->last_use) r->last_use = at[pos];
        }
    }
    free(pos_of);
    free(effects);
    free(consumer);
    free(at);
    Arena a = {0};
    int64_t gemm_ws = 0;
    for (int pos = 0; pos < p->sched.n; pos++) {
        Node *n = p->sched.v[pos];
        int64_t panel = gemm_ws_bytes(g, n);
        if (panel > gemm_ws) gemm_ws = panel;
        if ((op_flags[n->op] & OPF_X) || n->base == B_FUSED) continue;
        if (op_flags[n->op] & OPF_V) {
            Node *r = root_of(n);
            n->base = r->base;
            n->offset = r->offset;
            continue;
        }
        if (n->base == B_NONE) {
            n->base = B_W;
            n->offset = arena_alloc(&a, node_bytes(g, n));
            p->unshared_bytes += node_bytes(g, n);
        }
        free_dead(g, &a, n, pos);
    }
    /* the GEMM panel lives above everything else; products never overlap in time */
    p->gemm_ws_offset = (a.top + 63) / 64 * 64;
    p->work_bytes = p->gemm_ws_offset + gemm_ws;
    return p;
}

void print_plan(FILE *out, const Graph *g, const Plan *p) {
    static const char *const base[] = {"-", "P", "G", "S", "W", "out", "fused"};
    fprintf(out, "plan %s (workspace %lld bytes at batch %lld) {\n", fn_names[p->kind],
            (long long)p->work_bytes, (long long)g->max[0]);
    for (int i = 0; i < p->sched.n; i++) {
        const Node *n = p->sched.v[i];
        fprintf(out, "  %%%-4d %-18s", n->id, op_text[n->op]);
        if (n->base >= B_IO) fprintf(out, " io[%d]", n->base - B_IO);
        else if (n->base != B_NONE) fprintf(out, " %s+%lld", base[n->base], (long long)n->offset);
        fprintf(out, "\n");
    }
    fprintf(out, "}\n");
}
