/* sgemm_blas.c — OpenBLAS's side of `make bench`: cblas_sgemm (row-major) on bench.h's sgemm
 * cases at 1 and 2 threads (openblas_set_num_threads), timed as bench_dlc times dlc's GEMM.
 * Prints one JSON object on stdout: OpenBLAS's configuration, the kernel core it chose, and per
 * case the median milliseconds.  Nothing here asserts anything about time.
 *
 * usage: sgemm_blas */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

static const int thread_counts[] = {1, 2};
#define NTHREADS ((int)(sizeof thread_counts / sizeof *thread_counts))

typedef struct {
    const BenchGemm *g;
    const float *a, *b;
    float *c;
} Call;

static void call_sgemm(void *p) {
    Call *c = p;
    const BenchGemm *g = c->g;
    /* row-major: A is [m, k] (lda k), or [k, m] transposed (lda m); B is [k, n] (ldb n), or [n, k] (ldb k) */
    cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans, g->tb ? CblasTrans : CblasNoTrans, (int)g->m,
                (int)g->n, (int)g->k, 1.0f, c->a, g->ta ? (int)g->m : (int)g->k, c->b, g->tb ? (int)g->k : (int)g->n,
                0.0f, c->c, (int)g->n);
}




int main(void) {
    setvbuf(stderr, NULL, _IOLBF, 0);
    const char *env = getenv("OPENBLAS_CORETYPE");
    printf("{\"library\": \"%s\", \"core\": \"%s\", \"max_threads\": %d, \"OPENBLAS_CORETYPE\": %s%s%s, \"gemm\": [",
           openblas_get_config(), openblas_get_corename(), openblas_get_num_threads(), env ? "\"" : "",
           env ? env : "null", env ? "\"" : "");
    BenchGemm cases[64];
    int ncases = bench_gemm_cases(cases, 64);
    for (int i = 0; i < ncases; i++) {
        const BenchGemm *g = &cases[i];
        Call call = {g, random_matrix(g->m * g->k), random_matrix(g->k * g->n), random_matrix(g->m * g->n)};
        double sec[NTHREADS], err = 0;
        for (int t = 0; t < NTHREADS; t++) {
            openblas_set_num_threads(thread_counts[t]);
            sec[t] = bench_time(call_sgemm, &call);
            double e = sample_error(g, call.a, call.b, call.c);
            if (!(e <= err)) err = e;
        }
        bench_report_gemm("openblas sgemm", i, g, sec, thread_counts, NTHREADS, err);
        free((void *)call.a);
        free((void *)call.b);
        free(call.c);
    }
    printf("]}\n");
    return 0;
}
