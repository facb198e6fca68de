/* compare.c — the three back ends must agree: for one model, the JIT (compiled here through
 * libdlc), the object file from `dlc build` and the C source from `dlc build --emit=c` give the
 * same forward outputs and the same loss and parameters over five training steps.
 *
 * Built by tests/build/run.sh with -DOBJ=<prefix of the object build> -DCSRC=<prefix of the C
 * build>; both artifacts are linked in.  Usage: compare MODEL.dlm BATCH.  Prints one
 * `ok - build/...` / `not ok - build/...` line per check.  Inputs are the model's own data
 * (the first BATCH test samples) when it reads IDX files, else seeded normal values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define ABI(name) void name(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym, \
                            const double *hp, double *out)
ABI(CAT(OBJ, _infer));
ABI(CAT(OBJ, _train));
ABI(CAT(CSRC, _infer));
ABI(CAT(CSRC, _train));

typedef struct {
    const char *name;
    StepFn infer, train;
    char *P, *S, *W, *G;
    double losses[5];
    void *output;
} Backend;

static int failures;

/* Norm-wise relative error of n values of dtype t: max|a - b| / max|b|. */
static double rel_err(const void *a, const void *b, dlrt_dtype t, int64_t n) {
    double num = 0, den = 1e-30;
    for (int64_t i = 0; i < n; i++) {
        double x = dlrt_get(a, t, i), y = dlrt_get(b, t, i);
        if (!(fabs(x - y) <= num)) num = fabs(x - y);   /* NaN counts as the worst */
        if (fabs(y) > den) den = fabs(y);
    }
    return num / den;
}

static void report(const char *what, const char *backend, double err, double tol) {
    bool ok = err <= tol;
    failures += !ok;
    printf("%s - build/%s/%s rel. error %.3g (tolerance %g)\n", ok ? "ok" : "not ok", backend, what, err, tol);
}

static double rand_normal(uint64_t i) {
    double u1 = dlrt_rand_uniform(7, 1, 2 * i), u2 = dlrt_rand_uniform(7, 1, 2 * i + 1);
    return sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: compare MODEL.dlm BATCH\n");
        return 2;
    }
    int64_t batch = atoll(argv[2]);
    CompileOpts co = {0};
    Compiled *c = compile_model(argv[1], &co);
    const dlrt_model *m = &c->rt;
    if (batch < 1 || batch > m->max_batch) {
        printf("not ok - build/batch: %lld is not in [1, %lld]\n", (long long)batch, (long long)m->max_batch);
        return 0;
    }

    /* one batch of inputs and targets */
    void *io[16] = {0};
    dlrt_dataset data = {0};
    bool real = c->m->train.data == DATA_IDX && dlrt_dataset_idx(c->m->train.data_paths[0], "t10k", &data) == 0;
    for (int k = 0; k < m->n_io; k++) {
        const dlrt_io *d = &m->io[k];
        int64_t n = batch * io_numel(d);
        io[k] = xcalloc((size_t)n, dlrt_dtype_size(d->dtype));
        if (k >= m->n_inputs) continue;
        if (real) dlrt_convert(io[k], d->dtype, data.cols[k].data, data.cols[k].dtype, n);
        else
            for (int64_t i = 0; i < n; i++)
                dlrt_set(io[k], d->dtype, i, d->classes ? (double)(i % d->classes) : rand_normal((uint64_t)i));
    }
    printf("# %s: batch %lld of %s\n", m->name, (long long)batch, real ? "its test data" : "seeded normal inputs");

    dlrt_session s0;   /* the initial parameters every back end starts from */
    if (dlrt_session_init(&s0, m, 11)) {
        printf("not ok - build/session: %s\n", dlrt_error());
        return 0;
    }
    Backend b[3] = {{"jit", c->fns[FN_INFER], c->fns[FN_TRAIN]},
                    {"obj", CAT(OBJ, _infer), CAT(OBJ, _train)},
                    {"c", CAT(CSRC, _infer), CAT(CSRC, _train)}};
    const dlrt_io *outp = &m->io[m->n_inputs];
    size_t out_bytes = (size_t)(batch * io_numel(outp)) * dlrt_dtype_size(outp->dtype);
    size_t work = 0;
    for (int k = 0; k < DLRT_FN_COUNT; k++)
        if (m->work_bytes[k] > work) work = m->work_bytes[k];
    for (int i = 0; i < 3; i++) {
        b[i].P = xcalloc(m->param_bytes + 1, 1);
        b[i].G = xcalloc(m->param_bytes + 1, 1);
        b[i].S = xcalloc(m->state_bytes + 1, 1);
        b[i].W = xcalloc(work + 1, 1);
        b[i].output = xcalloc(out_bytes, 1);
        memcpy(b[i].P, s0.P, m->param_bytes);
        int64_t sym[4] = {batch, 1, 1, 1};
        double hp[4] = {0, 1, 0, 0}, out[8];
        io[m->n_inputs] = b[i].output;
        b[i].infer(b[i].P, NULL, NULL, b[i].W, io, sym, hp, out);
        io[m->n_inputs] = NULL;
        for (int t = 1; t <= 5; t++) {
            double hpt[4] = {c->m->train.lr, t, 0, 0};
            b[i].train(b[i].P, b[i].G, b[i].S, b[i].W, io, sym, hpt, out);
            b[i].losses[t - 1] = out[0];
        }
    }
    /* the JIT is the reference */
    for (int i = 1; i < 3; i++) {
        report("forward-output", b[i].name, rel_err(b[i].output, b[0].output, outp->dtype, batch * io_numel(outp)), 1e-5);
        report("losses-5-steps", b[i].name, rel_err(b[i].losses, b[0].losses, DLRT_F64, 5), 1e-5);
        for (int p = 0; p < m->n_params; p++) {
            const dlrt_param *pp = &m->params[p];
            int64_t n = 1;
            for (int k = 0; k < pp->rank; k++) n *= pp->shape[k];
            report(fmt("after-5-steps/%s", pp->name), b[i].name,
                   rel_err(b[i].P + pp->offset, b[0].P + pp->offset, pp->dtype, n), 1e-5);
        }
    }
    printf("# losses:");
    for (int t = 0; t < 5; t++) printf(" %.6f", b[0].losses[t]);
    printf("\n");
    return 0;
}
