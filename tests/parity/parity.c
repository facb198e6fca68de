/* parity.c — checks dlc against PyTorch tensor by tensor (after llm.c's test_gpt2.c).
 *
 * For every model MODELS_DIR/NAME.dlm it reads FIXTURES_DIR/NAME.data.safetensors (one batch and
 * what PyTorch computed on it, see make_fixtures.py), compiles the model, loads the PyTorch
 * state_dict FIXTURES_DIR/NAME.weights.safetensors, and calls the generated functions directly:
 * INFER (the output), EVAL (loss and metrics), GRAD (loss and every trainable parameter's
 * gradient), then TRAIN three times on the same batch (each step's loss and the parameters after
 * it, buffers included: BatchNorm's running statistics, and num_batches_tracked, which must
 * count the steps).  Models with BatchNorm compute INFER and EVAL with the running statistics,
 * GRAD and TRAIN with the batch's (torch's eval() and train() modes); their fixtures hold EVAL's
 * results from eval() mode as "eval.loss", "eval.<metric>", which are then checked instead of
 * "loss" and "<metric>".  A model with a symbolic sequence length (x: f32[N, T, 3]) is compiled
 * with max_len = the fixtures' T and run at it (fixture_max_len, dlrt_syms).
 *
 * One line per tensor: "ok - parity/NAME/TENSOR max abs err X rel err Y" or "not ok - ...: why",
 * with the norm-wise relative error max|dlc - torch| / max(max|torch|, 1e-12).  Each model runs
 * in a child process, so a compile error (which exits) or a crash becomes a "not ok" line and the
 * other models still run.  The exit status is 0 whatever the checks say (the runner counts lines).
 *
 * usage: parity FIXTURES_DIR [MODELS_DIR]        (MODELS_DIR defaults to tests/parity/models) */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dlc.h"

#define TOL 1e-5     /* largest norm-wise relative error accepted */
#define STEPS 3      /* optimizer steps checked (make_fixtures.py writes as many) */

/* The parameters after Adam steps get a looser tolerance.  Adam's step lr * m / (sqrt(v) + eps)
 * is ill-conditioned where |g| is near eps: its derivative in g is up to lr / (4 eps) = 2.5e4
 * for lr 1e-3, eps 1e-8.  Such gradients are float32 cancellation noise in the batch sum (in
 * mlp_adam a -6.1e-9 fc1 gradient comes out as -5.8e-9 while the whole tensor matches torch to
 * 3e-7), so single weights may differ by a good fraction of lr: 1.6e-5 seen, 3e-4 relative.
 * In lenet an f1 gradient of 9.05e-9 in torch, 8.99e-9 in dlc, moves its weight 1.7e-6
 * differently after one step, 3.4e-5 relative, while f1's gradient matches to 5e-7 and every
 * updated weight is torch's formula on dlc's gradient to within one f32 ulp.
 * dlc's update itself equals torch's formula applied to dlc's gradient to 2e-9.  2e-3 still
 * catches any update error above ~0.2 lr on the largest weights (bias correction, moment
 * order, eps placement all give O(lr) errors). */
#define ADAM_STEP_TOL 2e-3

static const char *model;   /* the model being checked: the prefix of every line */

static int64_t numel(int rank, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= shape[i];
    return n;
}

static char *shape_text(int rank, const int64_t *shape) {
    char *s = "[";
    for (int i = 0; i < rank; i++) s = fmt("%s%s%lld", s, i ? ", " : "", (long long)shape[i]);
    return fmt("%s]", s);
}

/* Compare dlc's values `got` (dtype gt, shape [rank]shape) with the fixture tensor `ref`;
 * print one line labelled `label`. */
static void check(const dlrt_tensor_set *fx, const char *ref, const char *label, const void *got,
                  dlrt_dtype gt, int rank, const int64_t *shape, double tol) {
    const dlrt_array *want = dlrt_tensor_set_find(fx, ref);
    if (!want) {
        printf("not ok - parity/%s/%s: no tensor '%s' in the fixtures (run make fixtures)\n", model, label, ref);
        return;
    }
    if (want->rank != rank || numel(rank, shape) != dlrt_array_numel(want) ||
        (rank && memcmp(want->shape, shape, sizeof *shape * (size_t)rank) != 0)) {
        printf("not ok - parity/%s/%s: dlc's shape is %s, torch's %s\n", model, label, shape_text(rank, shape),
               shape_text(want->rank, want->shape));
        return;
    }
    double err = 0, scale = 0;
    for (int64_t i = 0; i < dlrt_array_numel(want); i++) {
        double a = dlrt_get(got, gt, i), b = dlrt_get(want->data, want->dtype, i);
        double e = fabs(a - b);
        if (isnan(e) || e > err) err = e;   /* a NaN stays the worst error */
        if (fabs(b) > scale) scale = fabs(b);
    }
    double rel = err / fmax(scale, 1e-12);
    const char *note = tol != TOL ? fmt(" (tolerance %g)", tol) : "";
    if (rel <= tol) printf("ok - parity/%s/%s max abs err %.3g rel err %.3g%s\n", model, label, err, rel, note);
    else printf("not ok - parity/%s/%s: max abs err %.3g rel err %.3g (tolerance %g)\n", model, label, err, rel, tol);
}

/* A scalar result out[i] against a fixture scalar. */
static void check_scalar(const dlrt_tensor_set *fx, const char *ref, const char *label, double v) {
    check(fx, ref, label, &v, DLRT_F64, 0, NULL, TOL);
}

/* Every parameter (prefix "grad." and block G, or "stepK." and block P) against the fixtures;
 * buffers (not trainable) have no gradient and are only checked with `buffers`. */
static void check_params(const dlrt_tensor_set *fx, const dlrt_model *m, const char *block, const char *prefix,
                         bool buffers, double tol) {
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        if (!p->trainable && !buffers) continue;
        char *name = fmt("%s%s", prefix, p->name);
        check(fx, name, name, block + p->offset, p->dtype, p->rank, p->shape, tol);
    }
}

/* The batch and the sizes of the symbolic dims other than the batch (x: f32[N, T, 3]), from
 * the fixtures: a first compile without the JIT (batch 1) names the model's inputs, targets and
 * outputs and says which of their axes are symbolic; the sizes are read from the fixture
 * tensors of those names into symval[sym].  *max_len is the largest (what the plan is compiled
 * for), 0 when there are none (compile_model then wants none).  Returns the batch, or 0 when
 * no fixture tensor has the model's io names. */
static int64_t fixture_sizes(const char *path, const dlrt_tensor_set *fx, int64_t *max_len, int64_t *symval) {
    CompileOpts probe = {.max_batch = 1, .max_len = -1, .no_jit = true};   /* any length the model can take */
    const dlrt_model *m = &compile_model(path, &probe)->rt;
    int64_t batch = 0;
    *max_len = 0;
    for (int k = 0; k < m->n_io; k++) {
        const dlrt_io *d = &m->io[k];
        const dlrt_array *a = dlrt_tensor_set_find(fx, d->name);
        if (!a || a->rank != d->rank + 1) continue;
        if (!batch) batch = a->shape[0];   /* the train section's batch, when the fixtures are current */
        for (int j = 0; j < d->rank; j++)
            if (d->sym[j]) {
                symval[d->sym[j]] = a->shape[j + 1];
                if (a->shape[j + 1] > *max_len) *max_len = a->shape[j + 1];
            }
    }
    return batch;
}

/* [batch, ...] of io d with its symbolic dims at the fixtures' sizes */
static void io_shape(const dlrt_io *d, int64_t batch, const int64_t *symval, int64_t *shape) {
    shape[0] = batch;
    for (int j = 0; j < d->rank; j++) shape[j + 1] = d->sym[j] && symval[d->sym[j]] ? symval[d->sym[j]] : d->shape[j];
}

/* Check one model; every problem is a "not ok" line (compile errors exit, see main). */
static void run_model(const char *mdir, const char *fdir, const char *name) {
    model = name;
    dlrt_tensor_set fx;
    if (dlrt_safetensors_read(fmt("%s/%s.data.safetensors", fdir, name), &fx)) {
        printf("not ok - parity/%s/data: %s\n", name, dlrt_error());
        return;
    }
    const char *path = fmt("%s/%s.dlm", mdir, name);
    int64_t max_len, symval[MAX_SYMS] = {0}, batch = fixture_sizes(path, &fx, &max_len, symval);
    if (!batch) {
        printf("not ok - parity/%s/data: no batched tensor named as the model's inputs and outputs in the fixtures\n", name);
        return;
    }
    CompileOpts co = {.max_batch = batch, .max_len = max_len};
    Compiled *c = compile_model(path, &co);
    const dlrt_model *m = &c->rt;
    const TrainCfg *t = &c->m->train;
    int n_buffers = 0;
    for (int i = 0; i < m->n_params; i++) n_buffers += !m->params[i].trainable;
    printf("# %s: batch %lld, %d parameter tensors (%d buffers), %s lr %g\n", name, (long long)batch, m->n_params,
           n_buffers, t->opt == OPT_ADAM ? "Adam" : t->opt == OPT_MOMENTUM ? "SGD+momentum" : "SGD", t->lr);
    if (t->batch != batch) {
        printf("not ok - parity/%s/batch: the fixtures have batch %lld, the train section %lld (run make fixtures)\n",
               name, (long long)batch, (long long)t->batch);
        return;
    }

    dlrt_session s;
    if (dlrt_session_init(&s, m, 1)) {
        printf("not ok - parity/%s/session: %s\n", name, dlrt_error());
        return;
    }
    if (dlrt_load_params_file(&s, fmt("%s/%s.weights.safetensors", fdir, name))) {
        printf("not ok - parity/%s/weights: %s\n", name, dlrt_error());
        return;
    }
    printf("ok - parity/%s/weights: %d tensors loaded from a torch state_dict\n", name, m->n_params);

    /* io[k]: inputs and targets [batch, ...] from the fixtures in the model's dtypes, then the
     * output slot (zeroed) */
    void *io[16] = {0};
    int64_t shape[DLRT_MAX_RANK + 1] = {batch};
    for (int k = 0; k < m->n_io; k++) {
        const dlrt_io *d = &m->io[k];
        io_shape(d, batch, symval, shape);
        int64_t n = numel(d->rank + 1, shape);
        io[k] = xcalloc((size_t)n, dlrt_dtype_size(d->dtype));
        if (k >= m->n_inputs) continue;
        const dlrt_array *a = dlrt_tensor_set_find(&fx, d->name);
        if (!a || a->rank != d->rank + 1 || memcmp(a->shape, shape, sizeof *shape * (size_t)(d->rank + 1)) != 0) {
            printf("not ok - parity/%s/%s: the fixtures need a tensor '%s' of shape %s\n", name, d->name, d->name,
                   shape_text(d->rank + 1, shape));
            return;
        }
        dlrt_convert(io[k], d->dtype, a->data, a->dtype, n);
    }
    int64_t sym[MAX_SYMS];
    dlrt_syms(m, batch, sym);
    for (int k = 1; k < MAX_SYMS; k++)   /* the symbolic sequence lengths: the fixtures' */
        if (symval[k]) sym[k] = symval[k];
    double hp[4] = {t->lr, 1, 0, 0}, out[8] = {0};

    /* INFER: the predictions, written to the io slots after the inputs and targets; the fixture
     * of each has its name ("output" when there is one) */
    m->fn[DLRT_FN_INFER](s.P, s.G, s.S, s.W, io, sym, hp, out);
    for (int k = m->n_inputs; k < m->n_io; k++) {
        const dlrt_io *o = &m->io[k];
        io_shape(o, batch, symval, shape);
        check(&fx, o->name, o->name, io[k], o->dtype, o->rank + 1, shape, TOL);
    }

    /* EVAL: out[0] the mean loss, then the metrics (accuracy is a count); eval() mode's values
     * when the fixtures have them */
    m->fn[DLRT_FN_EVAL](s.P, s.G, s.S, s.W, io, sym, hp, out);
    for (int i = 0; i < m->n_results; i++) {
        const char *r = i == 0 ? "loss" : m->result_names[i], *label = fmt("eval.%s", r);
        check_scalar(&fx, dlrt_tensor_set_find(&fx, label) ? label : r, label, out[i]);
    }

    /* GRAD: the loss and every trainable parameter's gradient, in G at the parameter's offset */
    m->fn[DLRT_FN_GRAD](s.P, s.G, s.S, s.W, io, sym, hp, out);
    check_scalar(&fx, "loss", "loss", out[0]);
    check_params(&fx, m, s.G, "grad.", false, TOL);

    /* TRAIN: forward, backward and the optimizer update; hp[1] is the 1-based step */
    for (int k = 1; k <= STEPS; k++) {
        hp[1] = k;
        m->fn[DLRT_FN_TRAIN](s.P, s.G, s.S, s.W, io, sym, hp, out);
        char *step = fmt("step%d.", k);
        check_scalar(&fx, fmt("%sloss", step), fmt("%sloss", step), out[0]);
        check_params(&fx, m, s.P, step, true, t->opt == OPT_ADAM ? ADAM_STEP_TOL : TOL);
    }

    for (int k = 0; k < m->n_io; k++) free(io[k]);
    dlrt_session_free(&s);
    dlrt_tensor_set_free(&fx);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);   /* lines reach the runner even if a child crashes */
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FIXTURES_DIR [MODELS_DIR]\n", argv[0]);
        return 2;
    }
    const char *fdir = argv[1], *mdir = argc > 2 ? argv[2] : "tests/parity/models";

    /* the models: every MODELS_DIR/NAME.dlm, in name order */
    DIR *dir = opendir(mdir);
    if (!dir) {
        printf("not ok - parity: cannot open the models directory %s\n", mdir);
        return 0;
    }
    Vec names = {0};
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".dlm") == 0) vec_push(&names, fmt("%.*s", (int)len - 4, e->d_name));
    }
    closedir(dir);
    if (names.n == 0) printf("not ok - parity: no .dlm models in %s\n", mdir);
    qsort(names.v, (size_t)names.n, sizeof *names.v, by_name);

    /* one child per model, two at a time (the machine has two cores; each line a child prints
     * names its model): compile errors exit(1) and bugs may crash; both are reported here */
    enum { JOBS = 2 };
    pid_t pids[JOBS] = {0};
    const char *running[JOBS] = {0};
    for (int i = 0, active = 0; i < names.n || active > 0;) {
        if (i < names.n && active < JOBS) {
            const char *name = names.v[i++];
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid < 0) {
                printf("not ok - parity/%s: fork failed\n", name);
                continue;
            }
            if (pid == 0) {
                run_model(mdir, fdir, name);
                exit(0);
            }
            for (int k = 0; k < JOBS; k++)
                if (!pids[k]) {
                    pids[k] = pid;
                    running[k] = name;
                    break;
                }
            active++;
            continue;
        }
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            printf("not ok - parity: waitpid failed\n");
            break;
        }
        for (int k = 0; k < JOBS; k++) {
            if (pids[k] != pid) continue;
            const char *name = running[k];
            if (WIFSIGNALED(st)) printf("not ok - parity/%s: crashed (%s)\n", name, strsignal(WTERMSIG(st)));
            else if (WEXITSTATUS(st) != 0)
                printf("not ok - parity/%s: stopped with exit status %d (see the error above)\n", name, WEXITSTATUS(st));
            pids[k] = 0;
            active--;
        }
    }
    return 0;
}
