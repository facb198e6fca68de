/* test_gemm.c — the generated GEMM (emit_gemm.c) against the arithmetic KGemm defines: every
 * element one fma chain over k in order, compared bit for bit.  Sizes cover the edges of the
 * register tile, the k/m/n blocks, every transpose, f32 and f64, one thread and the pool, B with
 * padded rows (KGemm.ldb; the padding holds NaN, so a read of it shows), B read in place
 * without a workspace, a bias over the columns (KGemm.bias), and the dot form (KGemm.dot) against
 * its own definition. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

static int failures, checks;

/* The definition: C[i, j] = fma chain over p of op(A)[i, p] op(B)[p, j]; B's rows ldb apart. */
static double ref(int f64, int ta, int tb, int64_t m, int64_t n, int64_t k, int64_t ldb, const void *a, const void *b,
                  int64_t i, int64_t j) {
    if (f64) {
        const double *A = a, *B = b;
        double acc = 0;
        for (int64_t p = 0; p < k; p++) acc = fma(ta ? A[p * m + i] : A[i * k + p], tb ? B[j * ldb + p] : B[p * ldb + j], acc);
        return acc;
    }
    const float *A = a, *B = b;
    float acc = 0;
    for (int64_t p = 0; p < k; p++) acc = fmaf(ta ? A[p * m + i] : A[i * k + p], tb ? B[j * ldb + p] : B[p * ldb + j], acc);
    return acc;
}

/* The dot form (KGemm.dot, A . B^T): per chunk of GEMM_DOT_KC, GEMM_DOT_LANES fma chains (lane
 * p mod lanes) summed as a tree; the chunks' sums in order. */
static double ref_dot(int f64, int64_t m, int64_t k, int64_t ldb, const void *a, const void *b, int64_t i, int64_t j) {
    double sum = 0, lane[GEMM_DOT_LANES];
    float sumf = 0, lanef[GEMM_DOT_LANES];
    (void)m;
    for (int64_t lo = 0; lo < k; lo += GEMM_DOT_KC) {
        for (int l = 0; l < GEMM_DOT_LANES; l++) lane[l] = lanef[l] = 0;
        for (int64_t p = lo; p < k && p < lo + GEMM_DOT_KC; p++) {
            int l = (int)(p % GEMM_DOT_LANES);
            if (f64) lane[l] = fma(((const double *)a)[i * k + p], ((const double *)b)[j * ldb + p], lane[l]);
            else lanef[l] = fmaf(((const float *)a)[i * k + p], ((const float *)b)[j * ldb + p], lanef[l]);
        }
        for (int h = GEMM_DOT_LANES / 2; h >= 1; h /= 2)
            for (int l = 0; l < h; l++) {
                lane[l] += lane[l + h];
                lanef[l] += lanef[l + h];
            }
        sum = lo ? sum + lane[0] : lane[0];
        sumf = lo ? sumf + lanef[0] : lanef[0];
    }
    return f64 ? sum : sumf;
}

/* A kernel function computing one product of sizes sym[0..2] from io[0], io[1] into io[2]; B's
 * row stride is sym[3] when `padded`; `ws` false: no workspace. */
static KFunc *gemm_kernel(const char *name, KType t, int ta, int tb, bool padded, bool ws, bool dot, bool bias) {
    KFunc *f = new_kfunc(name);
    KGemm g = {ta, tb, kbuf(f, B_IO + 0, 0, t, "a"), kbuf(f, B_IO + 1, 0, t, "b"), kbuf(f, B_IO + 2, 0, t, "c"),
               ws ? kbuf(f, B_W, 0, t, "ws") : -1, ki(0), ki(0), ki(0), ksym(0), ksym(1), ksym(2), padded ? ksym(3) : NULL, dot, NULL,
               bias ? kbuf(f, B_IO + 3, 0, t, "bias") : -1, bias ? ki(0) : NULL};
    kgemm(&f->body, &g);
    return f;
}

static void fill(void *p, int f64, int64_t n, unsigned seed) {
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double v = ((seed >> 8) & 0xffff) / 32768.0 - 1.0;
        if (f64) ((double *)p)[i] = v * 1.000001;
        else ((float *)p)[i] = (float)v * 1.000001f;
    }
}

/* pad > 0: B's rows are `pad` elements longer than dense, the extra ones NaN */
static void check_bias(StepFn fn, const char *what, int f64, int ta, int tb, int dot, int bias, int64_t m, int64_t n,
                       int64_t k, int64_t pad, void *ws);
static void check(StepFn fn, const char *what, int f64, int ta, int tb, int dot, int64_t m, int64_t n, int64_t k,
                  int64_t pad, void *ws) {
    check_bias(fn, what, f64, ta, tb, dot, 0, m, n, k, pad, ws);
}
/* bias: C[i, j] = the chain + bias[j] */
static void check_bias(StepFn fn, const char *what, int f64, int ta, int tb, int dot, int bias, int64_t m, int64_t n,
                       int64_t k, int64_t pad, void *ws) {
    size_t es = f64 ? 8 : 4;
    int64_t brows = tb ? n : k, bcols = tb ? k : n, ldb = bcols + pad;
    void *a = malloc((size_t)(m * k) * es + 8), *b = malloc((size_t)(brows * ldb) * es + 8), *c = malloc((size_t)(m * n) * es + 8);
    fill(a, f64, m * k, (unsigned)(m * 31 + k));
    fill(b, f64, brows * ldb, (unsigned)(n * 17 + k + 5));
    for (int64_t r = 0; r < brows; r++)
        for (int64_t q = bcols; q < ldb; q++) {
            if (f64) ((double *)b)[r * ldb + q] = NAN;
            else ((float *)b)[r * ldb + q] = NAN;
        }
    memset(c, 0x7f, (size_t)(m * n) * es);
    void *bv = malloc((size_t)n * es + 8);
    fill(bv, f64, n, (unsigned)(n + 99));
    void *io[4] = {a, b, c, bv};
    int64_t sym[4] = {m, n, k, ldb};
    double hp[4] = {0}, out[8];
    /* the workspace plan.c would reserve, then a canary that must survive */
    size_t ws_elems = dot ? (size_t)(((k + GEMM_DOT_KC - 1) / GEMM_DOT_KC - 1) * m * n)
                          : (size_t)((k < GEMM_KC ? k : GEMM_KC) * ((n < GEMM_NC ? n : GEMM_NC) + 32));
    if (ws) {
        memset(ws, 0, ws_elems * es);
        memset((char *)ws + ws_elems * es, 0x5a, 4096);
    }
    fn(NULL, NULL, NULL, ws, io, sym, hp, out);
    for (size_t i = 0; ws && i < 4096; i++)
        if (((unsigned char *)ws)[ws_elems * es + i] != 0x5a) {
            printf("not ok - gemm/%s m=%lld n=%lld k=%lld: wrote past its workspace\n", what, (long long)m,
                   (long long)n, (long long)k);
            failures++;
            break;
        }
    int64_t bad = 0, bi = 0, bj = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double want = dot ? ref_dot(f64, m, k, ldb, a, b, i, j) : ref(f64, ta, tb, m, n, k, ldb, a, b, i, j);
            if (bias) want = f64 ? want + ((double *)bv)[j] : (double)((float)want + ((float *)bv)[j]);
            double got = f64 ? ((double *)c)[i * n + j] : ((float *)c)[i * n + j];
            if (memcmp(&want, &got, sizeof want) != 0 && !bad++) bi = i, bj = j;
        }
    checks++;
    if (bad) {
        failures++;
        printf("not ok - gemm/%s %s%s m=%lld n=%lld k=%lld ldb=%lld: %lld elements differ, first (%lld, %lld): %.9g vs %.9g\n",
               what, ta ? "T" : "N", tb ? "T" : "N", (long long)m, (long long)n, (long long)k, (long long)ldb, (long long)bad,
               (long long)bi, (long long)bj, dot ? ref_dot(f64, m, k, ldb, a, b, bi, bj) : ref(f64, ta, tb, m, n, k, ldb, a, b, bi, bj) + (bias ? (f64 ? ((double *)bv)[bj] : ((float *)bv)[bj]) : 0),
               f64 ? ((double *)c)[bi * n + bj] : ((float *)c)[bi * n + bj]);
    } else {
        printf("ok - gemm/%s %s%s m=%lld n=%lld k=%lld ldb=%lld\n", what, ta ? "T" : "N", tb ? "T" : "N", (long long)m,
               (long long)n, (long long)k, (long long)ldb);
    }
    free(a);
    free(b);
    free(c);
    free(bv);
}

int main(void) {
    diag_set_source("test_gemm", "");
    /* g0..g7: (f64, ta, tb) dense; p0..p7 the same with padded B rows; w0, w1: f32 and f64, B
     * untransposed, padded and read in place without a workspace */
    KFunc *fns[28];
    for (int v = 0; v < 16; v++)
        fns[v] = gemm_kernel(fmt("%c%d", v & 8 ? 'p' : 'g', v & 7), v & 4 ? KT_F64 : KT_F32, v >> 1 & 1, v & 1, v & 8, true, false, false);
    for (int v = 0; v < 2; v++) fns[16 + v] = gemm_kernel(fmt("w%d", v), v ? KT_F64 : KT_F32, 0, 0, true, false, false, false);
    for (int v = 0; v < 2; v++) fns[18 + v] = gemm_kernel(fmt("d%d", v), v ? KT_F64 : KT_F32, 0, 1, false, true, true, false);
    /* b0..b7: (f64, ta, tb) with a bias over the columns */
    for (int v = 0; v < 8; v++) fns[20 + v] = gemm_kernel(fmt("b%d", v), v & 4 ? KT_F64 : KT_F32, v >> 1 & 1, v & 1, false, true, false, true);
    EmitOpts eo = {2, getenv("DUMP") != NULL, NULL, "test"};
    setvbuf(stdout, NULL, _IOLBF, 0);
    Jit *jit = jit_compile(fns, 28, &eo);
    dlrt_parallel_fn **hook = jit_address(jit, "test_parallel_for");
    void *ws = aligned_alloc(64, (size_t)GEMM_WS_ELEMS * 8 + 4096);

    /* edges of the tiles (8/6 rows, 16..32 columns), the blocks (MC 128, KC 1024 packed and 128
     * in place; 260 rows pack an untransposed B), tiny sizes */
    static const int64_t sizes[][3] = {{1, 1, 1},    {1, 7, 3},     {8, 32, 16},   {9, 33, 17},   {7, 31, 1},
                                       {16, 64, 64}, {13, 100, 37}, {129, 65, 257}, {64, 10, 784}, {200, 300, 300},
                                       {3, 5, 600},  {260, 40, 20}, {300, 256, 64}, {260, 70, 1100}};
    for (int threads = 1; threads <= 2; threads++) {
        *hook = threads > 1 ? dlrt_parallel_for : NULL;
        dlrt_set_threads(threads);
        const char *what = threads > 1 ? "2-threads" : "1-thread";
        for (int v = 0; v < 8; v++) {
            StepFn fn = jit_lookup(jit, fmt("g%d", v));
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                check(fn, fmt("%s %s", what, v & 4 ? "f64" : "f32"), v & 4, v >> 1 & 1, v & 1, 0, sizes[s][0], sizes[s][1], sizes[s][2], 0, ws);
        }
        /* padded rows: every variant on a few edge sizes, then in place without a workspace */
        static const int64_t psizes[][4] = {{9, 33, 17, 3}, {16, 64, 64, 16}, {129, 65, 257, 7}, {300, 256, 64, 16}};
        for (int v = 0; v < 8; v++)
            for (size_t s = 0; s < sizeof psizes / sizeof *psizes; s++)
                check(jit_lookup(jit, fmt("p%d", v)), fmt("%s %s padded", what, v & 4 ? "f64" : "f32"), v & 4, v >> 1 & 1,
                      v & 1, 0, psizes[s][0], psizes[s][1], psizes[s][2], psizes[s][3], ws);
        for (int v = 0; v < 2; v++)
            for (size_t s = 0; s < sizeof psizes / sizeof *psizes; s++)
                check(jit_lookup(jit, fmt("w%d", v)), fmt("%s %s in place", what, v ? "f64" : "f32"), v, 0, 0, 0,
                      psizes[s][0], psizes[s][1], psizes[s][2], psizes[s][3], NULL);
        /* more columns than one B panel (GEMM_NC) */
        check(jit_lookup(jit, "g1"), fmt("%s f32", what), 0, 0, 1, 0, 5, GEMM_NC + 70, 9, 0, ws);
        /* a bias over the columns, added as the last k block is stored; k = 0 gives the bias */
        static const int64_t bsizes[][3] = {{1, 1, 1}, {9, 33, 17}, {129, 65, 257}, {300, 256, 64}, {5, 7, 0}};
        for (int v = 0; v < 8; v++)
            for (size_t s = 0; s < sizeof bsizes / sizeof *bsizes; s++)
                check_bias(jit_lookup(jit, fmt("b%d", v)), fmt("%s %s bias", what, v & 4 ? "f64" : "f32"), v & 4, v >> 1 & 1,
                           v & 1, 0, 1, bsizes[s][0], bsizes[s][1], bsizes[s][2], 0, ws);
        /* the dot form: within one lane step, one chunk, several chunks with a tail; edges of its tiles */
        static const int64_t dsizes[][3] = {{1, 1, 1},   {1, 1, 15},   {6, 25, 16},   {6, 25, 513},   {16, 150, 6400},
                                            {5, 7, 4097}, {9, 13, 1000}, {3, 2, 50176}, {40, 40, 2049}};
        for (int v = 0; v < 2; v++)
            for (size_t s = 0; s < sizeof dsizes / sizeof *dsizes; s++)
                check(jit_lookup(jit, fmt("d%d", v)), fmt("%s %s dot", what, v ? "f64" : "f32"), v, 0, 1, 1, dsizes[s][0],
                      dsizes[s][1], dsizes[s][2], 0, ws);
    }
    printf("# %d gemm checks, %d failed\n", checks, failures);
    return failures != 0;
}
