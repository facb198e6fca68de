/* driver.c — the pipeline, in order, in one function (compile_model), and the description
 * of the compiled model that the runtime's training loop drives (dlrt_model). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

static bool dumping(const CompileOpts *o, const char *stage) { return o->dump && strcmp(o->dump, stage) == 0; }

/* The effect nodes that hand results out: the predictions to io[], scalars to out[]. */
static void add_result_effects(Graph *g) {
    for (int k = g->ninputs; k < g->nio; k++) {
        g->out_nodes[k] = node1(g, OP_OUTPUT, g->io[k].node->loc, g->io[k].node);
        g->out_nodes[k]->iattr[0] = k;
    }
    for (int i = 0; i < g->nresults; i++) {
        g->res_nodes[i] = node1(g, OP_RESULT, g->results[i].node->loc, g->results[i].node);
        g->res_nodes[i]->iattr[0] = i;
    }
}

static void describe(Compiled *c) {
    Graph *g = c->m->g;
    dlrt_model *rt = &c->rt;
    rt->name = c->m->ast->model->name;
    rt->fdtype = g->fdtype;
    dlrt_param *ps = xcalloc((size_t)g->nparams, sizeof *ps);
    for (int i = 0; i < g->nparams; i++) {
        Param *p = g->params[i];
        ps[i] = (dlrt_param){p->name, p->node->dtype, p->node->shape.rank, {0}, (size_t)p->offset,
                             (dlrt_init)p->init, p->init_a, p->trainable, p->zero_row};
        for (int k = 0; k < p->node->shape.rank; k++) ps[i].shape[k] = dim_eval(g, p->node->shape.d[k], NULL);
    }
    rt->params = ps;
    rt->n_params = g->nparams;
    rt->param_bytes = (size_t)g->param_bytes;
    rt->state_bytes = (size_t)g->state_bytes;
    dlrt_io *io = xcalloc((size_t)g->nio, sizeof *io);
    for (int i = 0; i < g->nio; i++) {
        IoSlot *s = &g->io[i];
        Shape *sh = &s->node->shape;
        io[i] = (dlrt_io){s->name, s->node->dtype, sh->rank - 1, {0}, {0}, s->is_target, s->classes};
        for (int k = 1; k < sh->rank; k++) {
            io[i].shape[k - 1] = dim_eval(g, sh->d[k], NULL);
            for (int y = 1; y < g->nsyms; y++)
                if (dim_eq(sh->d[k], dim_sym(y))) io[i].sym[k - 1] = y;
        }
    }
    rt->io = io;
    rt->n_io = g->nio;
    rt->n_inputs = g->ninputs;
    const char **names = xcalloc((size_t)g->nresults, sizeof *names);
    int *counts = xcalloc((size_t)g->nresults, sizeof *counts);
    for (int i = 0; i < g->nresults; i++) {
        names[i] = g->results[i].name;
        counts[i] = g->results[i].kind;
    }
    rt->result_names = names;
    rt->result_kind = counts;
    rt->n_results = g->nresults;
    rt->max_batch = g->max[0];
    for (int k = 0; k < g->nsyms; k++) {
        rt->sym_max[k] = g->max[k];
        rt->sym_min[k] = g->sym_min[k];
    }
    for (int k = 0; k < FN_COUNT; k++) {
        rt->work_bytes[k] = (size_t)c->plans[k]->work_bytes;
        rt->fn[k] = c->fns[k];   /* NULL without the JIT */
    }
}

Compiled *compile_model(const char *path, const CompileOpts *o) {
    size_t len;
    char *text = read_file(path, &len);
    if (!text) fatal("cannot read '%s': %s", path, strerror(errno));
    diag_set_source(path, text);
    if (strlen(text) != len) {   /* point at the NUL byte */
        Loc at = {path, 1, 1, 1};
        for (const char *p = text; *p; p++) {
            if (*p == '\n') { at.line++; at.col = 1; }
            else at.col++;
        }
        error_at(at, "unexpected byte 0x00 (is this a .dlm text file?)");
    }

    FileAst *ast = parse_file(path, text);                       /* grammar/ */
    if (dumping(o, "ast")) dump_ast(stdout, ast);

    Compiled *c = xcalloc(1, sizeof *c);
    c->m = sema_model(ast, path, o->f64, o->vocab);                /* sema.c, shape.c */
    if (o->adjust_train) o->adjust_train(&c->m->train);
    Graph *g = c->m->g;
    g->max[0] = o->max_batch > 0 ? o->max_batch : c->m->train.batch;
    /* other symbolic dims (sequence lengths): --max-len, else the text data's window */
    for (int k = 1; k < g->nsyms; k++) {
        g->max[k] = o->max_len > 0 ? o->max_len : c->m->train.window;
        if (o->max_len < 0) g->max[k] = g->sym_cap[k] ? g->sym_cap[k] : g->sym_min[k] > 4096 ? g->sym_min[k] : 4096;
        if (g->max[k] <= 0)
            error_at(g->sym_loc[k], "symbolic dimension '%s' needs a largest size: train on text(..., window = %s) "
                     "or pass --max-len", g->names[k], g->names[k]);
        if (g->sym_cap[k] && g->max[k] > g->sym_cap[k])
            error_at(g->sym_cap_loc[k], "the PositionEmbedding here has positions for %s up to %lld, but the model is planned for %s up to %lld "
                     "(the text window, --max-len or --context)", g->names[k], (long long)g->sym_cap[k], g->names[k], (long long)g->max[k]);
        if (g->max[k] < g->sym_min[k])
            error_at(g->sym_min_loc[k], "this index needs %s >= %lld, but the model is planned for %s up to %lld",
                     g->names[k], (long long)g->sym_min[k], g->names[k], (long long)g->max[k]);
    }
    verify_graph(g, "sema");
    if (dumping(o, "ir")) print_graph(stdout, g, ast->model->name);

    build_gradients(g);                                            /* grad.c */
    verify_graph(g, "grad");
    build_optimizer(g, &c->m->train);                              /* optim.c */
    add_result_effects(g);
    verify_graph(g, "optim");
    if (dumping(o, "grad")) print_graph(stdout, g, fmt("%s.train", ast->model->name));

    c->prefix = o->prefix ? o->prefix : ast->model->name;
    for (int k = 0; k < FN_COUNT; k++) {
        c->plans[k] = plan_function(g, (FnKind)k);                 /* plan.c */
        if (dumping(o, "plan")) print_plan(stdout, g, c->plans[k]);
        c->kfuncs[k] = lower_function(g, c->plans[k], fmt("%s_%s", c->prefix, fn_names[k]));  /* lower.c */
        if (dumping(o, "kernels")) print_kfunc(stdout, c->kfuncs[k]);
    }
    if ((o->dump && !dumping(o, "llvm")) || o->no_jit) {
        describe(c);
        return c;
    }

    /* only the functions the caller needs: optimization dominates compile time */
    KFunc *wanted[FN_COUNT];
    int nwanted = 0;
    for (int k = 0; k < FN_COUNT; k++)
        if (!o->fns || (o->fns >> k & 1)) wanted[nwanted++] = c->kfuncs[k];
    EmitOpts eo = {o->opt_level ? o->opt_level : 2, dumping(o, "llvm"), stdout, c->prefix};
    c->jit = jit_compile(wanted, nwanted, &eo);                    /* emit_llvm.c */
    /* the generated GEMMs split their work over the runtime's thread pool */
    dlrt_parallel_fn **hook = jit_address(c->jit, fmt("%s_parallel_for", c->prefix));
    *hook = dlrt_parallel_for;
    for (int k = 0; k < FN_COUNT; k++)
        if (!o->fns || (o->fns >> k & 1)) c->fns[k] = jit_lookup(c->jit, c->kfuncs[k]->name);
    describe(c);
    return c;
}

/* A batch of `batch` random samples for every input, target and output of m (64-byte aligned,
 * symbolic dims at their largest): floats uniform in [0, 1), integer inputs and targets whole
 * numbers below their classes (2 without).  For timing, not for learning. */
void **random_io(const dlrt_model *m, int64_t batch, uint64_t seed) {
    void **io = xcalloc(16, sizeof *io);
    for (int k = 0; k < m->n_io; k++) {
        const dlrt_io *d = &m->io[k];
        int64_t n = batch;
        for (int r = 0; r < d->rank; r++) n *= d->shape[r];
        io[k] = aligned_alloc(64, ((size_t)n * dlrt_dtype_size(d->dtype) + 63) / 64 * 64);
        if (!io[k]) fatal("out of memory for a batch of %lld", (long long)batch);
        for (int64_t i = 0; i < n; i++) {
            double v = k < m->n_inputs ? dlrt_rand_uniform(seed, 0xba7c + (uint64_t)k, (uint64_t)i) : 0;
            if (!is_float(d->dtype)) v = floor(v * (double)(d->classes > 0 ? d->classes : 2));
            dlrt_set(io[k], d->dtype, i, v);
        }
    }
    return io;
}

void free_io(const dlrt_model *m, void **io) {
    for (int k = 0; k < m->n_io; k++) free(io[k]);
    free(io);
}
