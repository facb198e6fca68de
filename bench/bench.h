/* bench.h — what `make bench` measures, shared by bench_dlc.c and sgemm_blas.c: the reference
 * models (one table row each) with their matrix products, the square sgemm sizes, and the
 * timing helpers.  bench/torch_bench.py holds the PyTorch twin of each model under the same name.
 *
 * FLOPs are counted analytically from the products a model's layers perform (a multiply-add is
 * 2 FLOPs; elementwise work, pooling, im2col, the loss and the optimizer are not counted):
 *   forward     sum over products of 2 M N K
 *   train step  forward + sum 2 M N K (the weight gradient of every product)
 *                       + sum 2 M N K over products whose input needs a gradient
 *               (all but the first layer's: nothing needs the gradient of the image), i.e. just
 *               under 3 x forward.
 * A Dense layer on a batch of B rows is C[B, out] = X[B, in] . W[out, in]^T (M = B, N = out,
 * K = in, B transposed); a Conv2D with F filters over C channels and a KH x KW kernel is the
 * im2col product W[F, C*KH*KW] . cols[C*KH*KW, B*OH*OW] (M = F, N = B*OH*OW, K = C*KH*KW). */
#ifndef BENCH_H
#define BENCH_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "timing.h"   /* compiler/: the timing rule, shared with `dlc bench` */

typedef struct {
    const char *what;       /* "fc1", "c1 (im2col)" */
    int64_t m, n, k;
    int ta, tb;             /* op(A) = A^T when ta (A stored [k, m]); op(B) = B^T when tb (B stored [n, k]) */
    int input_grad;         /* the backward pass computes the gradient of this product's input */
} BenchProduct;

enum { BENCH_MAX_PRODUCTS = 16 };

typedef struct {
    const char *name;       /* also the key of the model in bench/torch_bench.py */
    const char *path;       /* relative to the repository root */
    int64_t batch;
    BenchProduct products[BENCH_MAX_PRODUCTS];   /* ends at the first with m == 0 */
} BenchModel;

#define DENSE(name, b, in, out, dx) {name, b, out, in, 0, 1, dx}
#define CONV(name, b, c, f, kh, kw, oh, ow, dx) {name, f, (int64_t)(b) * (oh) * (ow), (int64_t)(c) * (kh) * (kw), 0, 0, dx}

/* The reference models: one row each here and one entry in torch_bench.py's MODELS.  The
 * LSTM's per-step products (batch x 4H x H at each of T steps) are counted as one product over
 * the T batches of rows; the GPT's products are those of one of its two layers (the batched
 * attention products, 64 x 64 x 32 per head and sample, are not listed). */
static const BenchModel bench_models[] = {
    {"mlp", "models/mlp.dlm", 64,
     {DENSE("fc1", 64, 784, 256, 0), DENSE("fc2", 64, 256, 128, 1), DENSE("out", 64, 128, 10, 1)}},
    {"lenet", "models/lenet.dlm", 64,
     {CONV("c1", 64, 1, 6, 5, 5, 28, 28, 0), CONV("c2", 64, 6, 16, 5, 5, 10, 10, 1), DENSE("f1", 64, 400, 120, 1),
      DENSE("f2", 64, 120, 84, 1), DENSE("out", 64, 84, 10, 1)}},
    {"lstm", "models/char_lstm.dlm", 32,   /* T 64, embedding 64, hidden 256, the corpus's 114 bytes */
     {DENSE("ih_l0", 32 * 64, 64, 1024, 0), DENSE("hh_l0 (per step)", 32 * 64, 256, 1024, 1),
      DENSE("ih_l1", 32 * 64, 256, 1024, 1), DENSE("hh_l1 (per step)", 32 * 64, 256, 1024, 1),
      DENSE("head", 32 * 64, 256, 114, 1)}},
    {"gpt", "models/char_gpt.dlm", 32,     /* T 64, d 128, 4 heads, feed-forward 512, 2 layers */
     {DENSE("in_proj (q, k, v)", 32 * 64, 128, 128, 1), DENSE("out_proj", 32 * 64, 128, 128, 1),
      DENSE("fc1", 32 * 64, 128, 512, 1), DENSE("fc2", 32 * 64, 512, 128, 1), DENSE("head", 32 * 64, 128, 114, 1)}},
};
#define BENCH_NMODELS ((int)(sizeof bench_models / sizeof *bench_models))

/* Square sgemm sizes; the models' own products (each model's forward ones) follow them. */
static const int64_t bench_squares[] = {256, 512, 1024};
#define BENCH_NSQUARES ((int)(sizeof bench_squares / sizeof *bench_squares))

static inline int bench_nproducts(const BenchModel *m) {
    int n = 0;
    while (n < BENCH_MAX_PRODUCTS && m->products[n].m) n++;
    return n;
}

static inline double bench_flops_forward(const BenchModel *m) {
    double f = 0;
    for (int i = 0; i < bench_nproducts(m); i++) f += 2.0 * m->products[i].m * m->products[i].n * m->products[i].k;
    return f;
}

static inline double bench_flops_train(const BenchModel *m) {
    double f = 0;
    for (int i = 0; i < bench_nproducts(m); i++) {
        const BenchProduct *p = &m->products[i];
        f += 2.0 * p->m * p->n * p->k * (2 + (p->input_grad != 0));
    }
    return f;
}

/* The sgemm cases: squares first, then every model's products (a shape seen before is skipped).
 * Returns the count; fills at most max entries of out (names in label, "" for squares). */
typedef struct {
    char label[48];
    int64_t m, n, k;
    int ta, tb;
} BenchGemm;

static inline int bench_gemm_cases(BenchGemm *out, int max) {
    int n = 0;
    for (int i = 0; i < BENCH_NSQUARES && n < max; i++)
        out[n++] = (BenchGemm){"square", bench_squares[i], bench_squares[i], bench_squares[i], 0, 0};
    for (int i = 0; i < BENCH_NMODELS; i++)
        for (int j = 0; j < bench_nproducts(&bench_models[i]) && n < max; j++) {
            const BenchProduct *p = &bench_models[i].products[j];
            int seen = 0;
            for (int q = 0; q < n; q++)
                seen |= out[q].m == p->m && out[q].n == p->n && out[q].k == p->k && out[q].ta == p->ta && out[q].tb == p->tb;
            if (seen) continue;
            BenchGemm g = {"", p->m, p->n, p->k, p->ta, p->tb};
            int len = 0;
            for (const char *s = bench_models[i].name; *s && len < 20; s++) g.label[len++] = *s;
            g.label[len++] = ' ';
            for (const char *s = p->what; *s && len < 40; s++) g.label[len++] = *s;
            g.label[len] = 0;
            out[n++] = g;
        }
    return n;
}

/* A number for JSON, in buf: a non-finite one (a NaN loss), which JSON cannot hold, is null. */
static inline const char *bench_json_num(char *buf, size_t size, double v) {
    if (!isfinite(v)) return "null";
    snprintf(buf, size, "%.6g", v);
    return buf;
}

/* Random inputs (a fixed LCG: every run times the same numbers). */
static uint64_t bench_lcg = 0x9e3779b97f4a7c15ull;
static inline double urand(void) {
    bench_lcg = bench_lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(bench_lcg >> 11) * 0x1p-53;
}

static inline float *random_matrix(int64_t n) {
    float *p = aligned_alloc(64, ((size_t)n * sizeof(float) + 63) / 64 * 64);
    for (int64_t i = 0; i < n; i++) p[i] = (float)(2 * urand() - 1);
    return p;
}

/* Largest relative error of a few sampled elements against a double-precision dot product. */
static inline double sample_error(const BenchGemm *g, const float *a, const float *b, const float *c) {
    double worst = 0;
    for (int s = 0; s < 64; s++) {
        int64_t i = (int64_t)(urand() * (double)g->m), j = (int64_t)(urand() * (double)g->n);
        double want = 0, mag = 0;
        for (int64_t p = 0; p < g->k; p++) {
            double x = g->ta ? a[p * g->m + i] : a[i * g->k + p], y = g->tb ? b[j * g->k + p] : b[p * g->n + j];
            want += x * y;
            mag += fabs(x * y);
        }
        double e = fabs(c[i * g->n + j] - want) / fmax(mag, 1e-30);
        if (!(e <= worst)) worst = e;
    }
    return worst;
}


/* One GEMM case: a progress line on stderr, its JSON object (the i-th of a list) on stdout. */
static inline void bench_report_gemm(const char *who, int i, const BenchGemm *g, const double *sec,
                                     const int *threads, int nthreads, double err) {
    fprintf(stderr, "  %s %lldx%lldx%lld %s%s:", who, (long long)g->m, (long long)g->n, (long long)g->k,
            g->ta ? "T" : "N", g->tb ? "T" : "N");
    for (int t = 0; t < nthreads; t++) fprintf(stderr, " %.3f ms (%d threads)", sec[t] * 1e3, threads[t]);
    fprintf(stderr, ", rel err %.2g\n", err);
    char eb[32];
    printf("%s{\"label\": \"%s\", \"m\": %lld, \"n\": %lld, \"k\": %lld, \"ta\": %d, \"tb\": %d, \"rel_err\": %s, \"ms\": {",
           i ? ", " : "", g->label, (long long)g->m, (long long)g->n, (long long)g->k, g->ta, g->tb,
           bench_json_num(eb, sizeof eb, err));
    for (int t = 0; t < nthreads; t++) printf("%s\"%d\": %.6g", t ? ", " : "", threads[t], sec[t] * 1e3);
    printf("}}");
}

#endif
