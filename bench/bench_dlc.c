/* bench_dlc.c — dlc's side of `make bench` (bench/run.sh drives it; bench/report.py turns the
 * JSON it prints into the table).  Nothing here asserts anything about time.
 *
 *   bench_dlc peak     single-core and all-core fp32 FMA peak: many independent AVX-512 FMA
 *                      chains per thread (AVX2 when the CPU has no AVX-512)
 *   bench_dlc models   per model of bench.h: compile_model's wall time, then the median train
 *                      step and inference call at 1 and 2 threads
 *   bench_dlc gemm     dlc's generated GEMM (a bare KGemm kernel, as tests/unit/test_gemm.c
 *                      builds it) on bench.h's sgemm cases at 1 and 2 threads
 *
 * Each prints one JSON object on stdout; progress goes to stderr.  Each model is compiled and
 * timed in a child process (a fork), so a model that does not compile, or crashes, becomes an
 * "error" entry and the others are still measured. */
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "dlc.h"

static const int thread_counts[] = {1, 2};
#define NTHREADS ((int)(sizeof thread_counts / sizeof *thread_counts))

/* ---- peak ------------------------------------------------------------------------------------ */
/* Independent chains acc = acc * a + b, enough to cover FMA latency x FMA ports on current
 * cores (4-5 cycles x 2 ports); the values converge to b / (1 - a) and never overflow.  Chains
 * and the two constants must all fit in registers: 16 of AVX-512's 32, 12 of AVX2's 16 (with 16
 * on AVX2, three chains spill and run through store-to-load forwarding: a third too slow). */
#define CHAINS12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define CHAINS(X) CHAINS12(X) X(12) X(13) X(14) X(15)
enum { PEAK_CHAINS_AVX512 = 16, PEAK_CHAINS_AVX2 = 12 };

__attribute__((target("avx512f,fma"))) static float fma_avx512(int64_t iters) {
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
#define DECL(i) __m512 c##i = _mm512_set1_ps((float)(i) * 0.01f);
    CHAINS(DECL)
#undef DECL
    for (int64_t it = 0; it < iters; it++) {
#define STEP(i) c##i = _mm512_fmadd_ps(c##i, a, b);
        CHAINS(STEP)
#undef STEP
        __asm__ volatile("" ::: "memory");   /* keep the loop a loop */
    }
    __m512 s = _mm512_setzero_ps();
#define SUM(i) s = _mm512_add_ps(s, c##i);
    CHAINS(SUM)
#undef SUM
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float fma_avx2(int64_t iters) {
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
#define DECL(i) __m256 c##i = _mm256_set1_ps((float)(i) * 0.01f);
    CHAINS12(DECL)
#undef DECL
    for (int64_t it = 0; it < iters; it++) {
#define STEP(i) c##i = _mm256_fmadd_ps(c##i, a, b);
        CHAINS12(STEP)
#undef STEP
        __asm__ volatile("" ::: "memory");
    }
    __m256 s = _mm256_setzero_ps();
#define SUM(i) s = _mm256_add_ps(s, c##i);
    CHAINS12(SUM)
#undef SUM
    float v[8];
    _mm256_storeu_ps(v, s);
    return v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
}

static int have_avx512;

typedef struct { int64_t iters; float result; pthread_barrier_t *start; } PeakJob;

static void *peak_thread(void *arg) {
    PeakJob *j = arg;
    if (j->start) pthread_barrier_wait(j->start);
    j->result = have_avx512 ? fma_avx512(j->iters) : fma_avx2(j->iters);
    return NULL;
}

/* FLOP/s of `threads` threads each running the FMA loop: the best of a few runs. */
static double peak_flops(int threads, int64_t iters) {
    double best = 0;
    int lanes = have_avx512 ? 16 : 8, chains = have_avx512 ? PEAK_CHAINS_AVX512 : PEAK_CHAINS_AVX2;
    for (int rep = 0; rep < 8; rep++) {
        pthread_t tid[8];
        PeakJob jobs[8];
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, (unsigned)threads + 1);
        for (int t = 0; t < threads; t++) {
            jobs[t] = (PeakJob){iters, 0, &bar};
            pthread_create(&tid[t], NULL, peak_thread, &jobs[t]);
        }
        pthread_barrier_wait(&bar);
        double t0 = bench_now();
        for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
        double dt = bench_now() - t0;
        pthread_barrier_destroy(&bar);
        float sink = 0;
        for (int t = 0; t < threads; t++) sink += jobs[t].result;
        if (!isfinite(sink)) fprintf(stderr, "bench_dlc: peak loop produced %g\n", sink);
        double flops = (double)threads * (double)iters * chains * lanes * 2;
        if (flops / dt > best) best = flops / dt;
    }
    return best;
}

static int cmd_peak(void) {
    __builtin_cpu_init();
    have_avx512 = __builtin_cpu_supports("avx512f");
    if (!have_avx512 && !__builtin_cpu_supports("fma")) {
        printf("{\"error\": \"no FMA on this CPU\"}\n");
        return 0;
    }
    /* about 0.1 s per run at 3-4 GHz */
    int64_t iters = 30 * 1000 * 1000;
    PeakJob warm = {iters / 4, 0, NULL};
    peak_thread(&warm);
    double p1 = peak_flops(1, iters), p2 = peak_flops(2, iters);
    printf("{\"isa\": \"%s\", \"chains\": %d, \"threads\": {\"1\": %.6g, \"2\": %.6g}}\n",
           have_avx512 ? "avx512f" : "avx2",
           have_avx512 ? PEAK_CHAINS_AVX512 : PEAK_CHAINS_AVX2, p1 / 1e9, p2 / 1e9);
    return 0;
}

/* ---- models ---------------------------------------------------------------------------------- */
typedef struct {
    const dlrt_model *m;
    dlrt_session *s;
    void **io;
    int64_t sym[4];
    double hp[4], out[8];
} Call;

static void call_train(void *p) {
    Call *c = p;
    c->hp[1] += 1;   /* Adam's 1-based step */
    c->m->fn[DLRT_FN_TRAIN](c->s->P, c->s->G, c->s->S, c->s->W, c->io, c->sym, c->hp, c->out);
}

static void call_infer(void *p) {
    Call *c = p;
    c->m->fn[DLRT_FN_INFER](c->s->P, c->s->G, c->s->S, c->s->W, c->io, c->sym, c->hp, c->out);
}

/* Deterministic pseudo-random numbers for inputs: uniform [0, 1) from a 64-bit LCG. */

/* Compile and time one model; its JSON object goes to `out`. */
static void bench_model(const BenchModel *bm, FILE *out) {
    CompileOpts co = {.max_batch = bm->batch, .fns = 1u << FN_TRAIN | 1u << FN_INFER};
    double t0 = bench_now();
    Compiled *c = compile_model(bm->path, &co);
    double compile_s = bench_now() - t0;
    const dlrt_model *m = &c->rt;
    fprintf(stderr, "  %s: compiled in %.3f s\n", bm->name, compile_s);

    dlrt_session s;
    if (dlrt_session_init(&s, m, 1)) {
        fprintf(out, "{\"name\": \"%s\", \"error\": \"session: %s\"}", bm->name, dlrt_error());
        return;
    }
    Call call = {m, &s, random_io(m, bm->batch, 1), {0}, {c->m->train.lr, 0, 1, 0}, {0}};
    dlrt_syms(m, bm->batch, call.sym);   /* sequences at their planned length (the text window) */

    /* compile_model installs the pool; set the hook anyway, and clear it for one thread, so that
     * one thread is the plain serial code (as in the gemm part) */
    dlrt_parallel_fn **hook = jit_address(c->jit, fmt("%s_parallel_for", c->prefix));
    double train_s[NTHREADS], infer_s[NTHREADS], first_loss = 0, last_loss = 0;
    for (int t = 0; t < NTHREADS; t++) {
        *hook = thread_counts[t] > 1 ? dlrt_parallel_for : NULL;
        dlrt_set_threads(thread_counts[t]);
        dlrt_init_params(&s, 1);   /* fresh parameters, zero optimizer state, step 1 next */
        call.hp[1] = 0;
        call_train(&call);
        first_loss = call.out[0];
        train_s[t] = bench_time_calls(call_train, &call, BENCH_TRAIN_CALLS);
        last_loss = call.out[0];
        infer_s[t] = bench_time(call_infer, &call);
        fprintf(stderr, "  %s: %d thread%s: train step %.3f ms, inference %.3f ms\n", bm->name, thread_counts[t],
                thread_counts[t] > 1 ? "s" : "", train_s[t] * 1e3, infer_s[t] * 1e3);
    }

    fprintf(out, "{\"name\": \"%s\", \"path\": \"%s\", \"batch\": %lld, \"compile_s\": %.6g, ", bm->name, bm->path,
            (long long)bm->batch, compile_s);
    fprintf(out, "\"flops_forward\": %.6g, \"flops_train\": %.6g, \"products\": [", bench_flops_forward(bm),
            bench_flops_train(bm));
    for (int i = 0; i < bench_nproducts(bm); i++) {
        const BenchProduct *p = &bm->products[i];
        fprintf(out, "%s{\"what\": \"%s\", \"m\": %lld, \"n\": %lld, \"k\": %lld, \"input_grad\": %s}", i ? ", " : "",
                p->what, (long long)p->m, (long long)p->n, (long long)p->k, p->input_grad ? "true" : "false");
    }
    fprintf(out, "], \"param_bytes\": %zu, \"work_bytes_train\": %zu, \"work_bytes_infer\": %zu, ", m->param_bytes,
            m->work_bytes[DLRT_FN_TRAIN], m->work_bytes[DLRT_FN_INFER]);
    char b1[32], b2[32];
    fprintf(out, "\"loss_first_step\": %s, \"loss_last_step\": %s, \"steps_per_run\": %lld, ",
            bench_json_num(b1, sizeof b1, first_loss), bench_json_num(b2, sizeof b2, last_loss),
            (long long)call.hp[1]);   /* the same in every run */
    fprintf(out, "\"train_ms\": {");
    for (int t = 0; t < NTHREADS; t++) fprintf(out, "%s\"%d\": %.6g", t ? ", " : "", thread_counts[t], train_s[t] * 1e3);
    fprintf(out, "}, \"infer_ms\": {");
    for (int t = 0; t < NTHREADS; t++) fprintf(out, "%s\"%d\": %.6g", t ? ", " : "", thread_counts[t], infer_s[t] * 1e3);
    fprintf(out, "}}");
    free_io(m, call.io);
    dlrt_session_free(&s);
}

static char *read_all(int fd) {
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    for (ssize_t r; (r = read(fd, buf + len, cap - len - 1)) > 0;) {
        len += (size_t)r;
        if (cap - len < 2) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    return buf;
}

static int cmd_models(void) {
    printf("{\"models\": [");
    for (int i = 0; i < BENCH_NMODELS; i++) {
        const BenchModel *bm = &bench_models[i];
        int fd[2];
        fflush(stdout);
        fflush(stderr);
        if (pipe(fd) != 0) {
            perror("pipe");
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(fd[0]);
            FILE *out = fdopen(fd[1], "w");
            bench_model(bm, out);
            fclose(out);
            _exit(0);
        }
        close(fd[1]);
        char *json = read_all(fd[0]);
        close(fd[0]);
        int st = 0;
        waitpid(pid, &st, 0);
        printf("%s", i ? ", " : "");
        if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && json[0] == '{') {
            printf("%s", json);
        } else {
            const char *why = pid < 0 ? "fork failed"
                              : WIFSIGNALED(st) ? strsignal(WTERMSIG(st))
                                                : fmt("exit status %d (see the error above)", WEXITSTATUS(st));
            fprintf(stderr, "  %s: failed: %s\n", bm->name, why);
            printf("{\"name\": \"%s\", \"path\": \"%s\", \"error\": \"%s\"}", bm->name, bm->path, why);
        }
        free(json);
    }
    printf("]}\n");
    return 0;
}

/* ---- gemm ------------------------------------------------------------------------------------ */
/* A kernel computing one f32 product of sizes sym[0..2] (m, n, k) from io[0], io[1] into io[2]. */
static KFunc *gemm_kernel(const char *name, int ta, int tb) {
    KFunc *f = new_kfunc(name);
    KGemm g = {ta, tb, kbuf(f, B_IO + 0, 0, KT_F32, "a"), kbuf(f, B_IO + 1, 0, KT_F32, "b"),
               kbuf(f, B_IO + 2, 0, KT_F32, "c"), kbuf(f, B_W, 0, KT_F32, "ws"), ki(0), ki(0), ki(0), ksym(0), ksym(1),
               ksym(2), NULL, false, NULL, -1, NULL};
    kgemm(&f->body, &g);
    return f;
}

typedef struct {
    StepFn fn;
    void *io[3], *ws;
    int64_t sym[4];
} GemmCall;

static void call_gemm(void *p) {
    GemmCall *g = p;
    double hp[4] = {0}, out[8];
    g->fn(NULL, NULL, NULL, g->ws, g->io, g->sym, hp, out);
}



static int cmd_gemm(void) {
    diag_set_source("bench_dlc", "");
    KFunc *fns[4];
    for (int v = 0; v < 4; v++) fns[v] = gemm_kernel(fmt("bench_gemm_%c%c", v & 2 ? 't' : 'n', v & 1 ? 't' : 'n'), v >> 1, v & 1);
    EmitOpts eo = {2, false, NULL, "bench"};
    Jit *jit = jit_compile(fns, 4, &eo);
    dlrt_parallel_fn **hook = jit_address(jit, "bench_parallel_for");
    void *ws = aligned_alloc(64, (size_t)GEMM_WS_ELEMS * sizeof(float));

    BenchGemm cases[64];
    int ncases = bench_gemm_cases(cases, 64);
    printf("{\"gemm\": [");
    for (int i = 0; i < ncases; i++) {
        const BenchGemm *g = &cases[i];
        float *a = random_matrix(g->m * g->k), *b = random_matrix(g->k * g->n), *c = random_matrix(g->m * g->n);
        GemmCall call = {jit_lookup(jit, fns[g->ta * 2 + g->tb]->name), {a, b, c}, ws, {g->m, g->n, g->k, 1}};
        double sec[NTHREADS], err = 0;
        for (int t = 0; t < NTHREADS; t++) {
            *hook = thread_counts[t] > 1 ? dlrt_parallel_for : NULL;
            dlrt_set_threads(thread_counts[t]);
            sec[t] = bench_time(call_gemm, &call);
            double e = sample_error(g, a, b, c);
            if (!(e <= err)) err = e;
        }
        bench_report_gemm("dlc gemm", i, g, sec, thread_counts, NTHREADS, err);
        free(a);
        free(b);
        free(c);
    }
    printf("]}\n");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stderr, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "peak") == 0) return cmd_peak();
    if (argc == 2 && strcmp(argv[1], "models") == 0) return cmd_models();
    if (argc == 2 && strcmp(argv[1], "gemm") == 0) return cmd_gemm();
    fprintf(stderr, "usage: %s peak|models|gemm   (run from the repository root; prints JSON)\n", argv[0]);
    return 2;
}
