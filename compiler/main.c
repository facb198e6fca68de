/* main.c — the `dlc` command line: check, train, eval, run, gradcheck.
 *
 * Each command is a function taking parsed options; options are `--name value` or
 * `--name=value`, checked against the command's list (unknown ones get a suggestion).
 * User errors exit 1 with a message; compiler bugs exit 2 (diag.c). */
#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"
#include "timing.h"

typedef struct {
    const char *name;
    const char *arg;     /* value placeholder for --help, NULL for a flag */
    const char *help;
} OptSpec;

typedef struct {
    const char *name;
    const char *summary;
    const OptSpec *opts;
    int (*run)(void);
} Command;

/* parsed command line */
static const char *model_path;
static const char *opt_val[32];
static const Command *cmd;

static const char *opt(const char *name) {
    for (int i = 0; cmd->opts[i].name; i++)
        if (strcmp(cmd->opts[i].name, name) == 0) return opt_val[i];
    ICE("option --%s not declared for %s", name, cmd->name);
}

static int64_t opt_int(const char *name, int64_t dflt, int64_t lo) {
    const char *v = opt(name);
    if (!v) return dflt;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*end || errno || x < lo) fatal("--%s wants a whole number >= %lld, got '%s'", name, (long long)lo, v);
    return x;
}

static double opt_num(const char *name, double dflt) {
    const char *v = opt(name);
    if (!v) return dflt;
    char *end;
    double x = strtod(v, &end);
    if (*end || !isfinite(x) || x < 0) fatal("--%s wants a non-negative number, got '%s'", name, v);
    return x;
}

static void usage_of(const Command *c, FILE *out) {
    fprintf(out, "usage: dlc %s model.dlm [options]\n\n%s\n\noptions:\n", c->name, c->summary);
    for (int i = 0; c->opts[i].name; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", c->opts[i].name, c->opts[i].arg ? " " : "",
                 c->opts[i].arg ? c->opts[i].arg : "");
        fprintf(out, "  %-24s %s\n", left, c->opts[i].help);
    }
}

/* ---- shared steps ------------------------------------------------------------------------- */
/* --max-len, for the commands that take it: the largest sequence length to plan for */
static int64_t max_len_opt(void) {
    for (int i = 0; cmd->opts[i].name; i++)
        if (strcmp(cmd->opts[i].name, "max-len") == 0) return opt_int("max-len", 0, 1);
    return 0;
}

static Compiled *compile_for(int64_t max_batch, bool f64, unsigned fns) {
    CompileOpts co = {.f64 = f64, .max_batch = max_batch, .fns = fns, .max_len = max_len_opt()};
    return compile_model(model_path, &co);
}

static void load_data(Model *m, dlrt_dataset *train, dlrt_dataset *test, bool need_train) {
    const TrainCfg *t = &m->train;
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    switch (t->data) {
    case DATA_NONE:
        error_at(m->ast->has_train ? m->ast->train_loc : m->ast->model->loc,
                 "no data source: add `data idx(\"dir\")`, `data npy(\"x.npy\", \"y.npy\")` or `data csv(\"table.csv\")` to the train section");
    case DATA_IDX:
        if (need_train && dlrt_dataset_idx_bytes(t->data_paths[0], "train", train)) fatal("%s", dlrt_error());
        if (dlrt_dataset_idx_bytes(t->data_paths[0], "t10k", test)) fatal("%s", dlrt_error());
        break;
    case DATA_NPY:
    case DATA_CSV:
        if (t->data == DATA_NPY ? dlrt_dataset_npy(t->data_paths, t->ndata_paths, train)
                                : dlrt_dataset_csv(t->data_paths[0], t->csv_target, t->csv_target_index, train))
            fatal("%s", dlrt_error());
        if (dlrt_dataset_split(train, t->val_split, test)) fatal("%s", dlrt_error());
        break;
    case DATA_TEXT: {   /* the tail held out, as val_split says */
        if (!m->text.ids && dlrt_text_read(t->data_paths[0], t->text_unit, &m->text)) error_at(t->data_loc, "%s", dlrt_error());
        int64_t n = m->text.ntokens, held = (int64_t)floor((double)n * t->val_split);
        if (need_train && dlrt_dataset_text(&m->text, t->window, 0, n - held, train)) fatal("training text: %s", dlrt_error());
        if (held && dlrt_dataset_text(&m->text, t->window, n - held, n, test)) fatal("held-out text: %s", dlrt_error());
        break;
    }
    }
}

/* Checkpoint metadata: a text model's vocabulary ("dlc.vocab"). */
static int checkpoint_meta(const Model *m, const char **kv) {
    if (!m->text.vocab) return 0;
    kv[0] = "dlc.vocab";
    kv[1] = dlrt_text_vocab_string(&m->text);
    return 1;
}

static void check_data(const Compiled *c, dlrt_dataset *d, const char *what) {
    if (d->n && dlrt_dataset_check(d, &c->rt, what)) fatal("%s", dlrt_error());
}

static dlrt_session new_session(const Compiled *c, uint64_t seed) {
    dlrt_session s;
    if (dlrt_session_init(&s, &c->rt, seed)) fatal("%s", dlrt_error());
    const char *w = opt("weights");
    if (w && dlrt_load_params_file(&s, w)) fatal("%s", dlrt_error());
    return s;
}

/* ---- check ---------------------------------------------------------------------------------- */
static const OptSpec check_opts[] = {
    {"dump", "STAGE", "print a stage: ast, ir, grad, plan, kernels, llvm"},
    {"batch", "N", "batch size the memory plan is sized for (default: the train section's)"},
    {"max-len", "T", "largest sequence length (symbolic dims other than the batch) to plan for"},
    {"help", NULL, "show this help"},
    {0},
};

static char *human_bytes(double b) {
    if (b >= 1 << 20) return fmt("%.2f MiB", b / (1 << 20));
    if (b >= 1 << 10) return fmt("%.1f KiB", b / (1 << 10));
    return fmt("%.0f B", b);
}

static int cmd_check(void) {
    CompileOpts co = {.max_batch = opt_int("batch", 0, 1), .dump = opt("dump"), .max_len = max_len_opt()};
    static const char *const stages[] = {"ast", "ir", "grad", "plan", "kernels", "llvm"};
    if (co.dump) {
        bool ok = false;
        for (int i = 0; i < 6; i++) ok |= strcmp(co.dump, stages[i]) == 0;
        if (!ok) fatal("--dump wants one of ast, ir, grad, plan, kernels, llvm; got '%s'", co.dump);
        compile_model(model_path, &co);
        return 0;
    }
    co.no_jit = true;
    Compiled *c = compile_model(model_path, &co);
    Graph *g = c->m->g;
    printf("model %s  (%s)\n", c->m->ast->model->name, model_path);
    printf("%-16s %-18s %-22s %12s\n", "layer", "kind", "output shape", "params");
    printf("%.*s\n", 71, "-------------------------------------------------------------------------------");
    for (int i = 0; i < g->ninputs; i++)
        printf("%-16s %-18s %-22s %12s\n", g->io[i].name, g->io[i].is_target ? "target" : "input",
               fmt("%s%s", dtype_keyword(g->io[i].node->dtype), shape_str(g, &g->io[i].node->shape)), "0");
    int64_t total = 0;
    for (int i = 0; i < g->summary.n; i++) {
        SummaryRow *r = g->summary.v[i];
        printf("%-16s %-18s %-22s %12lld\n", r->name, r->kind, shape_str(g, &r->node->shape), (long long)r->params);
    }
    for (int i = 0; i < g->nparams; i++) total += shape_numel_max(g, &g->params[i]->node->shape);
    printf("%.*s\n", 71, "-------------------------------------------------------------------------------");
    printf("total parameters: %lld (%s)\n", (long long)total, human_bytes((double)g->param_bytes));
    printf("memory at batch %lld: parameters %s, gradients %s, optimizer state %s\n", (long long)g->max[0],
           human_bytes((double)g->param_bytes), human_bytes((double)g->param_bytes), human_bytes((double)g->state_bytes));
    for (int k = 0; k < 2; k++) {
        const Plan *p = c->plans[k ? FN_INFER : FN_TRAIN];
        printf("  %-9s activations %s (%s without reuse), GEMM workspace %s\n", k ? "inference" : "training",
               human_bytes((double)p->gemm_ws_offset), human_bytes((double)p->unshared_bytes),
               human_bytes((double)(p->work_bytes - p->gemm_ws_offset)));
    }
    printf("loss: %s", op_text[g->loss->op]);
    for (int i = 1; i < g->nresults; i++) printf("   metric: %s", g->results[i].name);
    printf("\nok\n");
    return 0;
}

/* ---- train ---------------------------------------------------------------------------------- */
static const OptSpec train_opts[] = {
    {"epochs", "N", "passes over the training data (overrides the train section)"},
    {"steps", "N", "stop after N optimizer steps"},
    {"batch", "N", "batch size"},
    {"lr", "X", "learning rate"},
    {"seed", "N", "seed for initialization and shuffling"},
    {"threads", "N", "threads for the matrix products (default: $DLC_THREADS, else one per core)"},
    {"save", "FILE", "write the trained parameters as safetensors (atomically, every epoch)"},
    {"log", "FILE", "append JSON lines: epoch, step, split, loss, accuracy, seconds"},
    {"weights", "FILE", "start from these parameters instead of a fresh initialization"},
    {"quiet", NULL, "no progress bar"},
    {"help", NULL, "show this help"},
    {0},
};

/* --threads N (0 or absent: $DLC_THREADS, else one per core) */
static void threads_opt(void) {
    int64_t threads = opt_int("threads", 0, 1);
    if (threads > 256 || dlrt_set_threads((int)threads)) fatal("--threads %lld: at most 256", (long long)threads);
}

static void train_overrides(TrainCfg *t) {
    t->epochs = opt_int("epochs", t->epochs, 0);
    t->steps = opt_int("steps", t->steps, 0);
    t->batch = opt_int("batch", t->batch, 1);
    t->lr = opt_num("lr", t->lr);
    t->seed = opt_int("seed", t->seed, 0);
    threads_opt();
}

static int cmd_train(void) {
    CompileOpts co = {.fns = 1u << FN_TRAIN | 1u << FN_EVAL, .adjust_train = train_overrides};
    Compiled *c = compile_model(model_path, &co);
    TrainCfg t = c->m->train;
    dlrt_dataset train, test;
    load_data(c->m, &train, &test, true);
    check_data(c, &train, "training data");
    check_data(c, &test, "test data");
    dlrt_session s = new_session(c, (uint64_t)t.seed);
    FILE *log = NULL;
    const char *logp = opt("log");
    if (logp && !(log = fopen(logp, "a"))) fatal("cannot open log '%s': %s", logp, strerror(errno));
    dlrt_train_opts to = {.epochs = t.epochs, .steps = t.steps, .batch = t.batch, .lr = t.lr,
                          .seed = (uint64_t)t.seed, .log = log, .progress = !opt("quiet"),
                          .report = stdout, .save_path = opt("save"), .schedule = (dlrt_schedule)t.schedule,
                          .sched_a = t.sched_a, .sched_b = t.sched_b};
    const char *meta[2];
    to.n_meta = checkpoint_meta(c->m, meta);
    to.meta_kv = meta;
    printf("training %s: %lld samples, %lld held out, batch %lld, %s lr %g\n", c->rt.name, (long long)train.n,
           (long long)test.n, (long long)t.batch,
           t.opt == OPT_ADAM ? "Adam" : t.opt == OPT_MOMENTUM ? "SGD+momentum" : "SGD", t.lr);
    fflush(stdout);
    int rc = dlrt_train(&s, &train, &test, &to);
    if (log) fclose(log);
    if (rc) fatal("%s", dlrt_error());
    return 0;
}

/* ---- eval ----------------------------------------------------------------------------------- */
static const OptSpec eval_opts[] = {
    {"weights", "FILE", "parameters to evaluate (safetensors)"},
    {"batch", "N", "batch size"},
    {"max-len", "T", "largest sequence length (symbolic dims other than the batch) to plan for"},
    {"help", NULL, "show this help"},
    {0},
};

static int cmd_eval(void) {
    if (!opt("weights")) fatal("eval needs --weights FILE");
    int64_t batch = opt_int("batch", 256, 1);
    Compiled *c = compile_for(batch, false, 1u << FN_EVAL);
    dlrt_dataset train, test;
    load_data(c->m, &train, &test, false);
    check_data(c, &test, "test data");
    dlrt_session s = new_session(c, 0);
    dlrt_eval_result r;
    if (dlrt_evaluate(&s, &test, batch, &r)) fatal("%s", dlrt_error());
    printf("test: %lld samples, loss %.4f", (long long)r.samples, r.loss);
    for (int i = 1; i < c->rt.n_results; i++) printf(", %s %.4f", c->rt.result_names[i], r.metric[i - 1]);
    printf("\n");
    return 0;
}

/* ---- run ------------------------------------------------------------------------------------- */
static const OptSpec run_opts[] = {
    {"weights", "FILE", "parameters (safetensors)"},
    {"input", "FILE", "input samples as NPY, batch first"},
    {"output", "FILE", "where to write the model's output as NPY"},
    {"batch", "N", "batch size"},
    {"max-len", "T", "largest sequence length (symbolic dims other than the batch) to plan for"},
    {"help", NULL, "show this help"},
    {0},
};

static int cmd_run(void) {
    if (!opt("weights") || !opt("input") || !opt("output")) fatal("run needs --weights, --input and --output");
    int64_t batch = opt_int("batch", 256, 1);
    Compiled *c = compile_for(batch, false, 1u << FN_INFER);
    dlrt_array x, y;
    if (dlrt_npy_read(opt("input"), &x)) fatal("%s", dlrt_error());
    dlrt_session s = new_session(c, 0);
    if (dlrt_predict(&s, &x, &y)) fatal("%s", dlrt_error());
    if (dlrt_npy_write(opt("output"), &y)) fatal("%s", dlrt_error());
    printf("wrote %s: %lld outputs\n", opt("output"), (long long)y.shape[0]);
    return 0;
}

/* ---- generate --------------------------------------------------------------------------------- */
static const OptSpec generate_opts[] = {
    {"weights", "FILE", "a trained language model's checkpoint (with its vocabulary)"},
    {"prompt", "TEXT", "text to continue (default: a newline)"},
    {"length", "N", "tokens to generate (default 300)"},
    {"temperature", "X", "sampling temperature; 0 picks the most likely token (default 1)"},
    {"top-k", "K", "sample only among the K most likely tokens (default: all)"},
    {"seed", "N", "sampling seed (default 0)"},
    {"context", "T", "the longest context fed back (default: the training window)"},
    {"input", "SRC.npy", "encoder-decoder models: decode each row of source ids greedily instead"},
    {"target", "NEXT.npy", "... and print the exact-match accuracy against these tokens"},
    {"output", "OUT.npy", "... and write the decoded tokens [rows, T] (int32)"},
    {"bos", "ID", "... the token that starts the decoder's input (default 1)"},
    {"eos", "ID", "... the token that ends a sequence (default 2)"},
    {"help", NULL, "show this help"},
    {0},
};

/* One token from logits[V]: argmax at temperature 0, else softmax(logits / temperature) over
 * the top k, drawn with the uniform u. */
static int64_t sample_token(const float *logits, int64_t V, double temp, int64_t k, double u) {
    int64_t best = 0;
    for (int64_t i = 1; i < V; i++)
        if (logits[i] > logits[best]) best = i;
    if (temp <= 0) return best;
    /* the k-th largest logit is the cut */
    double cut = -INFINITY;
    if (k > 0 && k < V) {
        float *sorted = xcalloc((size_t)V, sizeof *sorted);
        memcpy(sorted, logits, sizeof *sorted * (size_t)V);
        for (int64_t i = 0; i < k; i++)   /* partial selection: k passes */
            for (int64_t j = i + 1; j < V; j++)
                if (sorted[j] > sorted[i]) { float t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t; }
        cut = sorted[k - 1];
        free(sorted);
    }
    double total = 0;
    for (int64_t i = 0; i < V; i++)
        if (logits[i] >= cut) total += exp((logits[i] - logits[best]) / temp);
    double acc = 0, target = u * total;
    for (int64_t i = 0; i < V; i++)
        if (logits[i] >= cut && (acc += exp((logits[i] - logits[best]) / temp)) > target) return i;
    return best;
}

/* Token ids read from NPY: whole, non-negative, within i32 (a float file may hold anything). */
static void check_ids(const dlrt_array *a, const char *path) {
    int64_t n = dlrt_array_numel(a);
    for (int64_t i = 0; i < n; i++) {
        double v = dlrt_get(a->data, a->dtype, i);
        if (!(v >= 0 && v <= INT32_MAX && v == floor(v)))
            fatal("%s: token ids are whole numbers >= 0; element %lld is %g", path, (long long)i, v);
    }
}

/* Encoder–decoder greedy decoding (generate --input SRC.npy): the model's first input is the
 * source, its second the decoder's tokens [N, T] (fixed T), its first output the logits
 * [N, T, V].  Each row's decoder input starts as <bos> and grows by the argmax at its last
 * position until <eos> or T tokens; the causal mask makes the padding after that position
 * irrelevant.  Rows run together, a batch at a time.  With --target, a row is an exact match
 * when its tokens through <eos> equal the target's; --output writes the decoded tokens, 0 after
 * <eos>. */
static int generate_seq2seq(const char *wpath) {
    int64_t bos = opt_int("bos", 1, 0), eos = opt_int("eos", 2, 0), B = 256;
    dlrt_array src, want = {0};
    if (dlrt_npy_read(opt("input"), &src)) fatal("%s", dlrt_error());
    if (opt("target") && dlrt_npy_read(opt("target"), &want)) fatal("%s", dlrt_error());
    check_ids(&src, opt("input"));
    if (want.data) check_ids(&want, opt("target"));
    CompileOpts co = {.max_batch = B, .fns = 1u << FN_INFER, .max_len = max_len_opt()};
    Compiled *c = compile_model(model_path, &co);
    const dlrt_model *m = &c->rt;
    int in[2], nin = 0;
    for (int k = 0; k < m->n_inputs; k++)
        if (!m->io[k].is_target && nin < 2) in[nin++] = k;
    const dlrt_io *sio = &m->io[in[0]], *dio = &m->io[in[1]], *out = &m->io[m->n_inputs];
    if (nin != 2 || dio->rank != 1 || dio->sym[0] || is_float(dio->dtype) || is_float(sio->dtype))
        fatal("generate --input wants an encoder-decoder: integer source ids, then the decoder's ids [N, T] with a fixed T");
    int64_t T = dio->shape[0], V = out->rank == 2 ? out->shape[1] : 0, per = 1;
    if (out->rank != 2 || out->shape[0] != T || out->dtype != DLRT_F32)
        fatal("generate --input wants the first output to be f32 logits [N, %lld, vocabulary]", (long long)T);
    for (int j = 0; j < sio->rank; j++) {
        if (sio->sym[j]) fatal("generate --input wants a source of fixed length, '%s' has a symbolic one", sio->name);
        per *= sio->shape[j];
    }
    int64_t N = src.rank ? src.shape[0] : 0;
    if (!N || dlrt_array_numel(&src) != N * per)
        fatal("%s: want %lld source ids per row for '%s'", opt("input"), (long long)per, sio->name);
    if (want.data && (want.rank < 1 || want.shape[0] != N || dlrt_array_numel(&want) != N * T))
        fatal("%s: want [%lld, %lld] target tokens", opt("target"), (long long)N, (long long)T);
    dlrt_session s;
    if (dlrt_session_init(&s, m, 0) || dlrt_load_params_file(&s, wpath)) fatal("%s", dlrt_error());
    void *io[16] = {0};
    for (int k = 0; k < m->n_io; k++) {
        int64_t n = B;
        for (int j = 0; j < m->io[k].rank; j++) n *= m->io[k].shape[j];
        io[k] = xcalloc((size_t)n, 8);
    }
    int32_t *dec = xcalloc((size_t)(N * T), sizeof *dec);   /* the decoded tokens */
    int64_t *ids = xcalloc((size_t)(B * T), sizeof *ids);
    bool *done = xcalloc((size_t)B, 1);
    for (int64_t r0 = 0; r0 < N; r0 += B) {
        int64_t nb = N - r0 < B ? N - r0 : B;
        dlrt_convert(io[in[0]], sio->dtype, (char *)src.data + (size_t)(r0 * per) * dlrt_dtype_size(src.dtype), src.dtype, nb * per);
        memset(ids, 0, sizeof *ids * (size_t)(B * T));
        memset(done, 0, (size_t)B);
        for (int64_t i = 0; i < nb; i++) ids[i * T] = bos;
        for (int64_t t = 0; t < T; t++) {
            dlrt_convert(io[in[1]], dio->dtype, ids, DLRT_I64, nb * T);
            int64_t sym[4];
            dlrt_syms(m, nb, sym);
            double hp[4] = {0, 1, 0, 0}, res[8];
            m->fn[DLRT_FN_INFER](s.P, s.G, s.S, s.W, io, sym, hp, res);
            bool all = true;
            for (int64_t i = 0; i < nb; i++) {
                if (done[i]) continue;
                const float *l = (const float *)io[m->n_inputs] + (i * T + t) * V;
                int64_t best = 0;
                for (int64_t v = 1; v < V; v++)
                    if (l[v] > l[best]) best = v;
                dec[(r0 + i) * T + t] = (int32_t)best;
                if (best == eos) done[i] = true;
                else if (t + 1 < T) ids[i * T + t + 1] = best;
                all = all && done[i];
            }
            if (all) break;
        }
    }
    if (want.data) {   /* exact match: equal through the target's <eos> (or all T) */
        int64_t hits = 0;
        for (int64_t i = 0; i < N; i++) {
            bool same = true;
            for (int64_t t = 0; t < T && same; t++) {
                int64_t w = (int64_t)dlrt_get(want.data, want.dtype, i * T + t);
                same = dec[i * T + t] == w;
                if (w == eos) break;
            }
            hits += same;
        }
        printf("decoded %lld rows greedily: exact match %.2f%% (%lld/%lld)\n", (long long)N, 100.0 * (double)hits / (double)N,
               (long long)hits, (long long)N);
    } else printf("decoded %lld rows greedily\n", (long long)N);
    if (opt("output")) {
        dlrt_array o = {.dtype = DLRT_I32, .rank = 2, .shape = {N, T}, .data = dec};
        if (dlrt_npy_write(opt("output"), &o)) fatal("%s", dlrt_error());
    }
    return 0;
}

/* generate: with --input, greedy decoding of an encoder-decoder; otherwise autoregressive
 * sampling, where the model sees the last `context` tokens as one sequence [1, T] and the
 * logits at its last position pick the next token. */
static int cmd_generate(void) {
    const char *wpath = opt("weights");
    if (!wpath) fatal("generate needs --weights FILE (a checkpoint written by dlc train --save)");
    if (opt("input")) return generate_seq2seq(wpath);
    dlrt_tensor_set ws;
    if (dlrt_safetensors_read(wpath, &ws)) fatal("%s", dlrt_error());
    const char *vs = dlrt_tensor_set_meta(&ws, "dlc.vocab");
    if (!vs) fatal("%s has no vocabulary (dlc.vocab): was it trained on text data?", wpath);
    dlrt_text voc;
    if (dlrt_text_from_vocab_string(vs, &voc)) fatal("%s: %s", wpath, dlrt_error());
    int64_t length = opt_int("length", 300, 0), topk = opt_int("top-k", 0, 0), seed = opt_int("seed", 0, 0);
    double temp = opt_num("temperature", 1.0);
    CompileOpts co = {.max_batch = 1, .fns = 1u << FN_INFER, .vocab = voc.nvocab, .max_len = opt_int("context", 0, 1)};
    Compiled *c = compile_model(model_path, &co);
    const dlrt_model *m = &c->rt;
    const dlrt_io *in = &m->io[0], *out = &m->io[m->n_inputs];   /* the first output */
    int ninputs = 0;
    for (int k = 0; k < m->n_inputs; k++) ninputs += !m->io[k].is_target;
    if (ninputs != 1 || in->is_target || in->rank != 1 || !in->sym[0] || (in->dtype != DLRT_I32 && in->dtype != DLRT_I64))
        fatal("generate wants a model whose one input is token ids [N, T] with a symbolic T");
    if (out->rank != 2 || out->sym[0] != in->sym[0] || out->shape[1] != voc.nvocab || out->dtype != DLRT_F32)
        fatal("generate wants the model's output to be f32 logits [N, T, %lld] over the vocabulary", (long long)voc.nvocab);
    int64_t ctx = m->sym_max[in->sym[0]];
    dlrt_session s;
    if (dlrt_session_init(&s, m, 0) || dlrt_load_params(&s, &ws)) fatal("%s", dlrt_error());
    dlrt_tensor_set_free(&ws);
    const char *prompt = opt("prompt") ? opt("prompt") : "\n";
    int32_t *ids;
    int64_t n;
    if (dlrt_text_encode(&voc, prompt, &ids, &n)) fatal("%s", dlrt_error());
    if (n == 0) fatal("the prompt is empty");
    /* only the last ctx tokens are read: a buffer of twice that slides, whatever the length */
    int64_t cap = 2 * (n > ctx ? n : ctx);
    ids = xrealloc(ids, sizeof *ids * (size_t)cap);
    void *io[16] = {0};
    io[0] = xcalloc((size_t)ctx, 8);
    for (int k = m->n_inputs; k < m->n_io; k++) {   /* outputs at the longest context */
        int64_t per = 1;
        for (int j = 0; j < m->io[k].rank; j++) per *= m->io[k].sym[j] ? ctx : m->io[k].shape[j];
        io[k] = xcalloc((size_t)per, dlrt_dtype_size(m->io[k].dtype));
    }
    fputs(prompt, stdout);
    int64_t least = m->sym_min[in->sym[0]];
    if (n < least) fatal("the model reads at least %lld tokens (an index along T); the prompt has %lld", (long long)least, (long long)n);
    for (int64_t k = 0; k < length; k++) {
        int64_t T = n < ctx ? n : ctx;
        dlrt_convert(io[0], in->dtype, ids + n - T, DLRT_I32, T);
        int64_t sym[4];
        dlrt_syms(m, 1, sym);
        sym[in->sym[0]] = T;
        double hp[4] = {0, 1, 0, 0}, res[8];
        m->fn[DLRT_FN_INFER](s.P, s.G, s.S, s.W, io, sym, hp, res);
        const float *logits = (const float *)io[m->n_inputs] + (T - 1) * voc.nvocab;
        int64_t next = sample_token(logits, voc.nvocab, temp, topk, dlrt_rand_uniform((uint64_t)seed, 0x6e6e, (uint64_t)k));
        if (n == cap) {
            memmove(ids, ids + n - ctx, sizeof *ids * (size_t)ctx);
            n = ctx;
        }
        ids[n++] = (int32_t)next;
        dlrt_text_put(&voc, next, stdout);
    }
    fputc('\n', stdout);
    return 0;
}

/* ---- gradcheck ------------------------------------------------------------------------------ */
static const OptSpec gradcheck_opts[] = {
    {"batch", "N", "samples in the random batch (default 3)"},
    {"seed", "N", "seed for parameters and the batch"},
    {"per-tensor", "K", "elements checked per parameter tensor (default 24; 0 = all)"},
    {"tol", "X", "largest relative error accepted (default 1e-6)"},
    {"max-len", "T", "largest sequence length (symbolic dims other than the batch) to plan for"},
    {"help", NULL, "show this help"},
    {0},
};

/* Standard normal from the counter RNG (Box-Muller). */
static double rand_normal(uint64_t seed, uint64_t stream, uint64_t i) {
    double u1 = dlrt_rand_uniform(seed, stream, 2 * i), u2 = dlrt_rand_uniform(seed, stream, 2 * i + 1);
    return sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
}

static int cmd_gradcheck(void) {
    int64_t batch = opt_int("batch", 3, 1), per = opt_int("per-tensor", 24, 0);
    uint64_t seed = (uint64_t)opt_int("seed", 1, 0);
    double tol = opt_num("tol", 1e-6);
    Compiled *c = compile_for(batch, true, 1u << FN_GRAD);
    const dlrt_model *m = &c->rt;
    dlrt_session s;
    if (dlrt_session_init(&s, m, seed)) fatal("%s", dlrt_error());
    /* a random batch: normal inputs, labels uniform over the classes */
    void *io[16] = {0};
    for (int k = 0; k < m->n_io; k++) {
        const dlrt_io *d = &m->io[k];
        int64_t n = batch;
        for (int j = 0; j < d->rank; j++) n *= d->shape[j];
        io[k] = xcalloc((size_t)n, 8);
        for (int64_t i = 0; i < n && k < m->n_inputs; i++) {
            if (d->classes) dlrt_set(io[k], d->dtype, i, (double)(dlrt_rand_u64(seed, 100 + (uint64_t)k, (uint64_t)i) % (uint64_t)d->classes));
            else if (!is_float(d->dtype))   /* ids: small non-negative integers */
                dlrt_set(io[k], d->dtype, i, (double)(dlrt_rand_u64(seed, 100 + (uint64_t)k, (uint64_t)i) % 5));
            else dlrt_set(io[k], d->dtype, i, rand_normal(seed, 100 + (uint64_t)k, (uint64_t)i));
        }
    }
    int64_t sym[MAX_SYMS];
    dlrt_syms(m, batch, sym);
    double hp[4] = {0, 1, 0, 0}, out[8];
    m->fn[DLRT_FN_GRAD](s.P, s.G, s.S, s.W, io, sym, hp, out);
    double loss0 = out[0];
    /* the losses of the differences come from the grad function too, so they see the same
     * training-mode behaviour (dropout masks) as the analytic gradient; keep that first */
    char *analytic = xcalloc(m->param_bytes + 1, 1);
    memcpy(analytic, s.G, m->param_bytes);
    const double eps = 1e-5;   /* balances f64 round-off (~1e-16/eps) and truncation (~eps^2) */
    double worst = 0;
    const char *worst_name = "";
    printf("gradcheck %s: batch %lld, f64, central differences with eps %g, loss %.6f\n", m->name,
           (long long)batch, eps, loss0);
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        if (!p->trainable) continue;
        int64_t n = 1;
        for (int j = 0; j < p->rank; j++) n *= p->shape[j];
        double *w = (double *)(s.P + p->offset), *gr = (double *)(analytic + p->offset);
        int64_t count = per == 0 || per >= n ? n : per;
        double tensor_worst = 0;
        for (int64_t t = 0; t < count; t++) {
            int64_t e = count == n ? t : (int64_t)(dlrt_rand_u64(seed, 7 + (uint64_t)i, (uint64_t)t) % (uint64_t)n);
            double keep = w[e];
            w[e] = keep + eps;
            m->fn[DLRT_FN_GRAD](s.P, s.G, s.S, s.W, io, sym, hp, out);
            double lp = out[0];
            w[e] = keep - eps;
            m->fn[DLRT_FN_GRAD](s.P, s.G, s.S, s.W, io, sym, hp, out);
            double lm = out[0];
            w[e] = keep;
            double num = (lp - lm) / (2 * eps), ana = gr[e];
            /* relative error, with an absolute floor for near-zero gradients */
            double den = fmax(fmax(fabs(num), fabs(ana)), 1e-3);
            double rel = fabs(num - ana) / den;
            if (!(rel <= tensor_worst)) tensor_worst = rel;   /* NaN propagates as worst */
        }
        printf("  %-28s %8lld checked  worst rel. error %.3g\n", p->name, (long long)count, tensor_worst);
        if (!(tensor_worst <= worst)) { worst = tensor_worst; worst_name = p->name; }
    }
    bool ok = worst <= tol;
    printf("worst relative error %.3g (%s): %s (tolerance %g)\n", worst, worst_name, ok ? "ok" : "FAILED", tol);
    return ok ? 0 : 1;
}

/* ---- bench ----------------------------------------------------------------------------------- */
static const OptSpec bench_opts[] = {
    {"batch", "N", "batch size (default: the train section's)"},
    {"threads", "N", "threads for the matrix products (default: $DLC_THREADS, else one per core)"},
    {"max-len", "T", "sequence length (symbolic dims other than the batch) to time at"},
    {"weights", "FILE", "start from these parameters instead of a fresh initialization"},
    {"help", NULL, "show this help"},
    {0},
};

typedef struct {
    const dlrt_model *m;
    dlrt_session *s;
    void **io;
    int64_t sym[4];
    double hp[4], out[8];
    int fn;
} TimedCall;

static void timed_call(void *p) {
    TimedCall *t = p;
    t->hp[1] += t->fn == DLRT_FN_TRAIN;   /* Adam's 1-based step */
    t->m->fn[t->fn](t->s->P, t->s->G, t->s->S, t->s->W, t->io, t->sym, t->hp, t->out);
}

/* The compile time, then the median training step and inference call on random data (the
 * rule of `make bench`: compiler/timing.h), with the samples per second they make. */
static int cmd_bench(void) {
    threads_opt();
    double t0 = bench_now();
    Compiled *c = compile_for(opt_int("batch", 0, 1), false, 1u << FN_TRAIN | 1u << FN_INFER);
    double compile_s = bench_now() - t0;
    const dlrt_model *m = &c->rt;
    int64_t batch = m->max_batch;
    dlrt_session s = new_session(c, 1);
    TimedCall t = {m, &s, random_io(m, batch, 1), {0}, {c->m->train.lr, (double)s.step, 1, 0}, {0}, DLRT_FN_TRAIN};
    dlrt_syms(m, batch, t.sym);
    printf("%s: batch %lld, %d thread%s; compiled in %.2f s\n", m->name, (long long)batch, dlrt_threads(),
           dlrt_threads() > 1 ? "s" : "", compile_s);
    double train_s = bench_time_calls(timed_call, &t, BENCH_TRAIN_CALLS);
    printf("train step  %9.3f ms  %12.0f samples/s  (median of %d steps after %d)\n", train_s * 1e3,
           (double)batch / train_s, BENCH_TRAIN_CALLS, BENCH_WARMUP);
    t.fn = DLRT_FN_INFER;
    double infer_s = bench_time(timed_call, &t);
    printf("inference   %9.3f ms  %12.0f samples/s\n", infer_s * 1e3, (double)batch / infer_s);
    free_io(m, t.io);
    return 0;
}

/* ---- build ----------------------------------------------------------------------------------- */
static const OptSpec build_opts[] = {
    {"o", "FILE", "output (default <model>.o, .c, .ll or .s); the header goes beside it as .h"},
    {"emit", "KIND", "obj (default), c, llvm or asm"},
    {"target", "TRIPLE", "target triple, e.g. x86_64-linux-gnu or aarch64-linux-gnu (default: this machine)"},
    {"cpu", "NAME", "CPU to tune for (default: this machine's; 'generic' when --target is given)"},
    {"weights", "FILE", "embed these trained parameters (safetensors) as <name>_weights"},
    {"name", "PREFIX", "prefix of the public names (default: the model's name)"},
    {"batch", "N", "largest batch the workspace is sized for (default: the train section's)"},
    {"max-len", "T", "largest sequence length (symbolic dims other than the batch) to plan for"},
    {"help", NULL, "show this help"},
    {0},
};

/* Outputs are written to temporaries and renamed at the end; on any error exit the
 * temporaries are removed, so a failed build leaves nothing behind. */
static char *pending[2];
static void remove_pending(void) {
    for (int i = 0; i < 2; i++)
        if (pending[i]) remove(pending[i]);
}

static char *temp_for(int slot, const char *path) {
    char *t = fmt("%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(t, "w");
    if (!f) fatal("cannot write '%s': %s", path, strerror(errno));
    fclose(f);
    pending[slot] = t;
    return t;
}

static bool valid_identifier(const char *s) {
    if (!*s || (*s >= '0' && *s <= '9')) return false;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))) return false;
    return true;
}

static int cmd_build(void) {
    const char *emit = opt("emit") ? opt("emit") : "obj";
    static const char *const kinds[] = {"obj", "c", "llvm", "asm"}, *const exts[] = {".o", ".c", ".ll", ".s"};
    int kind = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(emit, kinds[i]) == 0) kind = i;
    if (kind < 0) fatal("--emit wants obj, c, llvm or asm; got '%s'", emit);
    if (kind == 1 && (opt("target") || opt("cpu"))) fatal("--target and --cpu apply to obj, llvm and asm, not to C source");
    const char *prefix = opt("name");
    if (prefix && !valid_identifier(prefix)) fatal("--name must be a C identifier, got '%s'", prefix);
    CompileOpts co = {.max_batch = opt_int("batch", 0, 1), .no_jit = true, .prefix = prefix, .max_len = max_len_opt()};
    Compiled *c = compile_model(model_path, &co);
    Export e = {c->prefix, model_path, c, NULL};
    dlrt_session s;
    if (opt("weights")) {
        if (dlrt_session_init(&s, &c->rt, 0) || dlrt_load_params_file(&s, opt("weights"))) fatal("%s", dlrt_error());
        e.weights = s.P;
    }
    const char *out = opt("o") ? opt("o") : fmt("%s%s", c->prefix, exts[kind]);
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    char *header = dot && (!slash || dot > slash) ? fmt("%.*s.h", (int)(dot - out), out) : fmt("%s.h", out);
    if (strcmp(header, out) == 0) fatal("the output '%s' would be overwritten by its header", out);
    atexit(remove_pending);
    char *tmp_out = temp_for(0, out), *tmp_h = temp_for(1, header);
    FILE *hf = fopen(tmp_h, "w");
    if (!hf) fatal("cannot write '%s': %s", header, strerror(errno));
    print_header(hf, &e);
    if (fclose(hf)) fatal("cannot write '%s': %s", header, strerror(errno));
    if (kind == 1) {
        FILE *cf = fopen(tmp_out, "w");
        if (!cf) fatal("cannot write '%s': %s", out, strerror(errno));
        emit_c(cf, &e, slash && strrchr(header, '/') ? strrchr(header, '/') + 1 : header);
        if (fclose(cf)) fatal("cannot write '%s': %s", out, strerror(errno));
    } else {
        emit_object(&e, kind == 0 ? OUT_OBJ : kind == 2 ? OUT_LLVM : OUT_ASM, tmp_out, opt("target"), opt("cpu"), 2);
    }
    if (rename(tmp_out, out) || rename(tmp_h, header)) fatal("cannot write '%s': %s", out, strerror(errno));
    pending[0] = pending[1] = NULL;
    printf("wrote %s and %s\n", out, header);
    return 0;
}

static const Command commands[] = {
    {"check", "Parse and check a model; print a summary of layers, shapes, parameters and memory.", check_opts, cmd_check},
    {"train", "Train a model on the data its train section names; print per-epoch loss and accuracy.", train_opts, cmd_train},
    {"eval", "Evaluate trained parameters on the model's held-out data.", eval_opts, cmd_eval},
    {"run", "Run the model's forward pass on NPY input and write its output as NPY.", run_opts, cmd_run},
    {"build", "Compile a model to an object file (or C, LLVM IR, assembly) and a header for C programs.", build_opts, cmd_build},
    {"bench", "Time a training step and an inference call on random data; print ms and samples/s.", bench_opts, cmd_bench},
    {"generate", "Sample text from a trained language model, or decode an encoder-decoder greedily (--input).", generate_opts, cmd_generate},
    {"gradcheck", "Compare every parameter gradient with central finite differences, in f64.", gradcheck_opts, cmd_gradcheck},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *out) {
    fprintf(out, "usage: dlc COMMAND model.dlm [options]\n\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`dlc COMMAND --help` shows a command's options.\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0) cmd = &commands[i];
    if (!cmd) {
        const char *names[NCOMMANDS];
        for (int i = 0; i < NCOMMANDS; i++) names[i] = commands[i].name;
        const char *near = nearest_name(argv[1], names, NCOMMANDS);
        fatal("unknown command '%s'%s (try dlc --help)", argv[1], near ? fmt("; did you mean '%s'?", near) : "");
    }
    int nopts = 0;
    while (cmd->opts[nopts].name) nopts++;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] && a[1] != '-') a = fmt("-%s", a);   /* -o FILE is --o FILE */
        if (strncmp(a, "--", 2) != 0) {
            if (model_path) fatal("%s: more than one model file ('%s' and '%s')", cmd->name, model_path, a);
            model_path = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int k;
        for (k = 0; k < nopts; k++)
            if (strlen(cmd->opts[k].name) == nlen && strncmp(cmd->opts[k].name, name, nlen) == 0) break;
        if (k == nopts) {
            const char *names[32];
            for (int j = 0; j < nopts; j++) names[j] = cmd->opts[j].name;
            char *bare = fmt("%.*s", (int)nlen, name);
            const char *near = nearest_name(bare, names, nopts);
            fatal("%s: unknown option '--%s'%s", cmd->name, bare, near ? fmt("; did you mean '--%s'?", near) : "");
        }
        if (!cmd->opts[k].arg) { opt_val[k] = "1"; continue; }
        if (eq) opt_val[k] = eq + 1;
        else if (i + 1 < argc) opt_val[k] = argv[++i];
        else fatal("option --%s needs a value", cmd->opts[k].name);
    }
    if (opt("help")) {
        usage_of(cmd, stdout);
        return 0;
    }
    if (!model_path) fatal("%s needs a model file (dlc %s model.dlm)", cmd->name, cmd->name);
    return cmd->run();
}
