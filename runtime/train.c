/* train.c — the training loop that drives a compiled model's generated functions: shuffled
 * mini-batches (the last one partial), one fused train step per batch, running loss and
 * metrics, a progress bar, per-epoch evaluation on held-out data, JSON-lines logs and atomic
 * checkpoints.  Also batched evaluation and prediction. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dlrt.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double dlrt_result_value(int kind, double mean) {
    return kind == DLRT_RESULT_EXP ? exp(mean) : kind == DLRT_RESULT_BITS ? mean / M_LN2 : mean;
}

void dlrt_syms(const dlrt_model *m, int64_t batch, int64_t sym[4]) {
    sym[0] = batch;
    for (int k = 1; k < 4; k++) sym[k] = m->sym_max[k] > 0 ? m->sym_max[k] : 1;
}

static int64_t io_numel(const dlrt_io *io) {
    int64_t n = 1;
    for (int i = 0; i < io->rank; i++) n *= io->shape[i];
    return n;
}

/* Batch buffers for every io slot, sized for the model's largest batch. */
typedef struct {
    void *buf[16];
    int64_t cap;
} Batch;

static int batch_init(Batch *b, const dlrt_model *m, int64_t cap) {
    memset(b, 0, sizeof *b);
    if (cap > m->max_batch) return dlrt_fail("batch %lld is larger than the %lld the model was compiled for",
                                             (long long)cap, (long long)m->max_batch);
    b->cap = cap;
    for (int k = 0; k < m->n_io; k++) {
        b->buf[k] = calloc((size_t)(cap * io_numel(&m->io[k])), dlrt_dtype_size(m->io[k].dtype));
        if (!b->buf[k]) return dlrt_fail("out of memory for a batch");
    }
    return 0;
}

static void batch_free(Batch *b) {
    for (int k = 0; k < 16; k++) free(b->buf[k]);
}

/* Text windows: sample idx[i] is the window at idx[i] * T, or with a salt (training: the epoch)
 * at a random position; the first column gets the ids, the second the next ids. */
static void gather_text(Batch *b, const dlrt_model *m, const dlrt_dataset *d, const int64_t *idx, int64_t n, int ncols,
                        uint64_t seed, uint64_t salt) {
    const int32_t *ids = d->cols[0].data;
    int64_t T = d->window, positions = d->cols[0].shape[0] - T;
    for (int64_t i = 0; i < n; i++) {
        int64_t at = salt ? (int64_t)(dlrt_rand_u64(seed, 0x7e47 + salt, (uint64_t)idx[i]) % (uint64_t)positions) : idx[i] * T;
        for (int k = 0; k < ncols && k < 2; k++)
            dlrt_convert((char *)b->buf[k] + (size_t)(i * T) * dlrt_dtype_size(m->io[k].dtype), m->io[k].dtype,
                         ids + at + k, DLRT_I32, T);
    }
}

/* Copy samples idx[0..n) of every data column into the batch, converting dtypes. */
static void gather(Batch *b, const dlrt_model *m, const dlrt_dataset *d, const int64_t *idx, int64_t n, int ncols) {
    if (d->window) {
        gather_text(b, m, d, idx, n, ncols, 0, 0);
        return;
    }
    for (int k = 0; k < ncols; k++) {
        const dlrt_array *a = &d->cols[k];
        int64_t per = io_numel(&m->io[k]);
        size_t src_row = (size_t)per * dlrt_dtype_size(a->dtype), dst_row = (size_t)per * dlrt_dtype_size(m->io[k].dtype);
        for (int64_t i = 0; i < n; i++)
            dlrt_convert((char *)b->buf[k] + (size_t)i * dst_row, m->io[k].dtype,
                         (const char *)a->data + (size_t)idx[i] * src_row, a->dtype, per);
        float div = d->divisor[k];
        if (div != 0 && m->io[k].dtype == DLRT_F32)
            for (int64_t e = 0; e < n * per; e++) ((float *)b->buf[k])[e] /= div;
        else if (div != 0 && m->io[k].dtype == DLRT_F64)   /* the f32 value, widened */
            for (int64_t e = 0; e < n * per; e++) ((double *)b->buf[k])[e] = (double)((float)((double *)b->buf[k])[e] / div);
    }
}

static void progress(int64_t done, int64_t total, int64_t epoch, int64_t epochs, double loss, double acc, int has_acc) {
    int width = 30, fill = total ? (int)(width * done / total) : width;
    fprintf(stderr, "\repoch %lld/%lld [", (long long)epoch, (long long)epochs);
    for (int i = 0; i < width; i++) fputc(i < fill ? '=' : i == fill ? '>' : ' ', stderr);
    fprintf(stderr, "] %lld/%lld loss %.4f", (long long)done, (long long)total, loss);
    if (has_acc) fprintf(stderr, " acc %.4f", acc);
    fflush(stderr);
}

static void log_line(FILE *log, const dlrt_model *m, int64_t epoch, int64_t step, const char *split,
                     const dlrt_eval_result *r, double lr, double seconds) {
    if (!log) return;
    fprintf(log, "{\"epoch\": %lld, \"step\": %lld, \"split\": \"%s\", \"loss\": %.6g", (long long)epoch,
            (long long)step, split, r->loss);
    for (int i = 1; i < m->n_results; i++) fprintf(log, ", \"%s\": %.6g", m->result_names[i], r->metric[i - 1]);
    fprintf(log, ", \"samples\": %lld, \"lr\": %g, \"seconds\": %.3f}\n", (long long)r->samples, lr, seconds);
    fflush(log);
}

int dlrt_evaluate(dlrt_session *s, const dlrt_dataset *d, int64_t batch, dlrt_eval_result *r) {
    const dlrt_model *m = s->m;
    memset(r, 0, sizeof *r);
    if (batch > m->max_batch) batch = m->max_batch;
    Batch b;
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)batch);
    if (!idx || batch_init(&b, m, batch)) {
        free(idx);
        return idx ? -1 : dlrt_fail("out of memory");
    }
    double sums[8] = {0};
    for (int64_t start = 0; start < d->n; start += batch) {
        int64_t n = d->n - start < batch ? d->n - start : batch;
        for (int64_t i = 0; i < n; i++) idx[i] = start + i;
        gather(&b, m, d, idx, n, m->n_inputs);
        int64_t sym[4];
        dlrt_syms(m, n, sym);
        double hp[4] = {0, 1, 0, 0}, out[8] = {0};
        m->fn[DLRT_FN_EVAL](s->P, s->G, s->S, s->W, b.buf, sym, hp, out);
        sums[0] += out[0] * (double)n;
        for (int i = 1; i < m->n_results; i++) sums[i] += m->result_kind[i] == DLRT_RESULT_COUNT ? out[i] : out[i] * (double)n;
    }
    r->samples = d->n;
    double den = d->n ? (double)d->n : 1;
    r->loss = sums[0] / den;
    for (int i = 1; i < m->n_results; i++) r->metric[i - 1] = dlrt_result_value(m->result_kind[i], sums[i] / den);
    batch_free(&b);
    free(idx);
    return 0;
}

double dlrt_lr_at(dlrt_schedule s, double lr, double a, double b, int64_t step, int64_t total, int64_t epoch) {
    switch (s) {
    case DLRT_SCHED_COSINE:
        if (total <= 0) return lr;
        return a + (lr - a) * (1 + cos(M_PI * (double)step / (double)total)) / 2;
    case DLRT_SCHED_STEP: return lr * pow(b, (double)((epoch - 1) / (int64_t)(a > 0 ? a : 1)));
    default: return lr;
    }
}

int dlrt_train(dlrt_session *s, const dlrt_dataset *train, const dlrt_dataset *test, const dlrt_train_opts *o) {
    const dlrt_model *m = s->m;
    if (train->n == 0) return dlrt_fail("no training samples");
    Batch b;
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)train->n);
    if (!idx) return dlrt_fail("out of memory");
    if (batch_init(&b, m, o->batch)) {
        free(idx);
        return -1;
    }
    int tty = o->progress && isatty(2);
    int has_acc = m->n_results > 1 && m->result_kind[1] == DLRT_RESULT_COUNT;
    int64_t nbatches = (train->n + o->batch - 1) / o->batch;
    int64_t epochs = o->epochs > 0 ? o->epochs : o->steps > 0 ? o->steps / nbatches + (o->steps % nbatches != 0) : 0;
    /* the run's steps, for the cosine schedule (no overflow for absurd --steps or --epochs) */
    int64_t total = epochs > INT64_MAX / nbatches ? INT64_MAX : epochs * nbatches;
    if (o->steps > 0 && o->steps - s->step < total) total = o->steps - s->step;
    int64_t first = s->step;
    double lr = o->lr, t0 = now();
    int rc = 0, stop = 0;
    for (int64_t ep = 1; ep <= epochs && !stop; ep++) {
        for (int64_t i = 0; i < train->n; i++) idx[i] = i;
        dlrt_shuffle(idx, train->n, o->seed, (uint64_t)ep);
        double sums[8] = {0};
        int64_t seen = 0;
        double te = now(), last_draw = 0;
        for (int64_t bi = 0; bi < nbatches; bi++) {
            int64_t start = bi * o->batch;
            int64_t n = train->n - start < o->batch ? train->n - start : o->batch;
            if (train->window) gather_text(&b, m, train, idx + start, n, m->n_inputs, o->seed, (uint64_t)ep);
            else gather(&b, m, train, idx + start, n, m->n_inputs);
            int64_t sym[4];
            dlrt_syms(m, n, sym);
            lr = dlrt_lr_at(o->schedule, o->lr, o->sched_a, o->sched_b, s->step - first, total, ep);
            double hp[4] = {lr, (double)(s->step + 1), (double)(o->seed % 1000000007u), 0}, out[8] = {0};
            m->fn[DLRT_FN_TRAIN](s->P, s->G, s->S, s->W, b.buf, sym, hp, out);
            s->step++;
            if (!isfinite(out[0])) {
                if (tty) fputc('\n', stderr);
                rc = dlrt_fail("the loss became %s at epoch %lld, step %lld; training stopped%s",
                               isnan(out[0]) ? "NaN" : out[0] > 0 ? "+infinity" : "-infinity", (long long)ep,
                               (long long)s->step, o->save_path ? " (the last checkpoint on disk is intact)" : "");
                stop = 1;
                break;
            }
            seen += n;
            sums[0] += out[0] * (double)n;
            for (int i = 1; i < m->n_results; i++) sums[i] += m->result_kind[i] == DLRT_RESULT_COUNT ? out[i] : out[i] * (double)n;
            if (tty && (now() - last_draw > 0.1 || bi + 1 == nbatches)) {
                last_draw = now();
                progress(bi + 1, nbatches, ep, epochs, sums[0] / (double)seen, has_acc ? sums[1] / (double)seen : 0, has_acc);
            }
            if (o->steps > 0 && s->step >= o->steps) {
                stop = 1;
                break;
            }
        }
        if (rc) break;
        if (tty) fputc('\n', stderr);
        dlrt_eval_result tr = {0}, ev = {0};
        tr.samples = seen;
        tr.loss = seen ? sums[0] / (double)seen : 0;
        for (int i = 1; i < m->n_results; i++) tr.metric[i - 1] = seen ? dlrt_result_value(m->result_kind[i], sums[i] / (double)seen) : 0;
        double t_train = now() - te;
        log_line(o->log, m, ep, s->step, "train", &tr, lr, now() - t0);
        if (test && test->n) {
            if ((rc = dlrt_evaluate(s, test, o->batch, &ev))) break;
            log_line(o->log, m, ep, s->step, "test", &ev, lr, now() - t0);
        }
        if (o->report) {
            fprintf(o->report, "epoch %lld/%lld  step %lld  train loss %.4f", (long long)ep, (long long)epochs,
                    (long long)s->step, tr.loss);
            for (int i = 1; i < m->n_results; i++) fprintf(o->report, "  train %s %.4f", m->result_names[i], tr.metric[i - 1]);
            if (test && test->n) {
                fprintf(o->report, "  |  test loss %.4f", ev.loss);
                for (int i = 1; i < m->n_results; i++) fprintf(o->report, "  test %s %.4f", m->result_names[i], ev.metric[i - 1]);
            }
            fprintf(o->report, "  (%.1f s)\n", t_train);
            fflush(o->report);
        }
        if (o->save_path && (rc = dlrt_save_params_meta(s, o->save_path, o->meta_kv, o->n_meta))) break;
    }
    batch_free(&b);
    free(idx);
    return rc;
}

int dlrt_predict(dlrt_session *s, const dlrt_array *x, dlrt_array *y) {
    const dlrt_model *m = s->m;
    memset(y, 0, sizeof *y);
    int ninputs = 0;
    for (int k = 0; k < m->n_inputs; k++) ninputs += !m->io[k].is_target;
    if (ninputs != 1) return dlrt_fail("run takes models with one input; '%s' has %d", m->name, ninputs);
    const dlrt_io *in = &m->io[0], *out = &m->io[m->n_inputs];   /* the first output */
    int64_t per = 1;
    for (int i = 1; i < x->rank; i++) per *= x->shape[i];
    if (x->rank < 1 || per != io_numel(in))
        return dlrt_fail("the input has %lld values per sample, '%s' wants %lld", (long long)per, in->name,
                         (long long)io_numel(in));
    if (x->dtype != DLRT_F32 && x->dtype != DLRT_F64 && (in->dtype == DLRT_F32 || in->dtype == DLRT_F64)) {
        /* integer images are fine: converted */
    }
    int64_t shape[DLRT_MAX_RANK + 1] = {x->shape[0]};
    for (int i = 0; i < out->rank; i++) shape[i + 1] = out->shape[i];
    if (dlrt_array_alloc(y, out->dtype, out->rank + 1, shape)) return -1;
    dlrt_dataset d = {.n = x->shape[0], .ncols = 1, .cols = {*x}};
    int64_t batch = m->max_batch;
    Batch b;
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)batch);
    if (!idx || batch_init(&b, m, batch)) {
        free(idx);
        dlrt_array_free(y);
        return -1;
    }
    size_t out_row = (size_t)io_numel(out) * dlrt_dtype_size(out->dtype);
    for (int64_t start = 0; start < d.n; start += batch) {
        int64_t n = d.n - start < batch ? d.n - start : batch;
        for (int64_t i = 0; i < n; i++) idx[i] = start + i;
        gather(&b, m, &d, idx, n, 1);
        int64_t sym[4];
        dlrt_syms(m, n, sym);
        double hp[4] = {0, 1, 0, 0}, res[8];
        m->fn[DLRT_FN_INFER](s->P, s->G, s->S, s->W, b.buf, sym, hp, res);
        memcpy((char *)y->data + (size_t)start * out_row, b.buf[m->n_inputs], (size_t)n * out_row);
    }
    batch_free(&b);
    free(idx);
    return 0;
}
