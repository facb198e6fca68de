/* timing.h — how dlc times a function: the median of repeated calls after a warm-up.  Shared
 * by `dlc bench` (main.c) and `make bench` (bench/bench_dlc.c, bench/sgemm_blas.c), so that a
 * user's measurement and the benchmark report follow the same rule. */
#ifndef TIMING_H
#define TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* How many timed calls: at least BENCH_MIN_CALLS, more while under BENCH_MIN_SECONDS, at most
 * BENCH_MAX_CALLS; always after BENCH_WARMUP untimed calls.  Training steps change the
 * parameters, so they are timed a fixed number of times instead, BENCH_TRAIN_CALLS after the
 * warm-up, from freshly initialized parameters: every run (each thread count, dlc and PyTorch)
 * times the same stretch of training.  bench/torch_bench.py uses the same numbers. */
enum { BENCH_WARMUP = 5, BENCH_MIN_CALLS = 20, BENCH_MAX_CALLS = 400, BENCH_TRAIN_CALLS = 50 };
#define BENCH_MIN_SECONDS 0.4

/* Median seconds of fn(ctx): `calls` timed calls, or by the rule above when calls is 0. */
static inline double bench_time_calls(void (*fn)(void *), void *ctx, int calls) {
    for (int i = 0; i < BENCH_WARMUP; i++) fn(ctx);
    double t[BENCH_MAX_CALLS], start = bench_now();
    int n = 0;
    while (n < BENCH_MAX_CALLS &&
           (calls ? n < calls : n < BENCH_MIN_CALLS || bench_now() - start < BENCH_MIN_SECONDS)) {
        double t0 = bench_now();
        fn(ctx);
        t[n++] = bench_now() - t0;
    }
    return bench_median(t, n);
}

static inline double bench_time(void (*fn)(void *), void *ctx) { return bench_time_calls(fn, ctx, 0); }

#endif
