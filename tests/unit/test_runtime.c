/* test_runtime.c — unit tests for the dlc runtime's arrays, RNG and file formats.
 *
 * Build and run from the repository root:
 *   cc -std=c11 -O1 -Wall -Wextra -Iruntime tests/unit/test_runtime.c runtime/array.c \
 *      runtime/rng.c runtime/safetensors.c runtime/npy.c runtime/idx.c -lz -lm -o test_runtime
 *   ./test_runtime [-v] [DATA_DIR]
 *
 * DATA_DIR (default tests/unit/data) holds fixtures made by make_runtime_fixtures.py with
 * torch/numpy; Fashion-MNIST is read from $DLRT_FASHION_MNIST or
 * /usr/share/datasets/fashion-mnist (skipped if absent).  Scratch files go to a fresh
 * directory under $TMPDIR (or /tmp) that is removed at the end.  Prints one line per check,
 * "ok - <name>" or "not ok - <name>: <reason>", and exits 1 if any check failed; -v also
 * prints the error message of each expected failure. */
#define _POSIX_C_SOURCE 200809L

#include "dlrt.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- reporting --------------------------------------------------------------------------- */

static int n_failed, verbose, quiet; /* quiet: no -v output inside loops */
static char why[2048];
static char tmpdir[256];
static const char *datadir = "tests/unit/data";

/* Format a failure reason (returned so tests can `return fail(...)`). */
static const char *fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return why;
}

static void report(const char *name, const char *err) {
    if (err) {
        printf("not ok - %s: %s\n", name, err);
        n_failed++;
    } else {
        printf("ok - %s\n", name);
    }
}

static void skip(const char *name, const char *reason) { printf("ok - %s # SKIP %s\n", name, reason); }

/* An expected failure: rc must be -1 and the message must name `path` and contain `want`. */
static const char *expect_error(int rc, const char *path, const char *want) {
    const char *msg = dlrt_error();
    if (rc == 0) return fail("unexpectedly succeeded");
    if (rc != -1) return fail("returned %d, not -1", rc);
    if (verbose && !quiet) printf("#   error: %s\n", msg);
    if (path && !strstr(msg, path)) return fail("message does not name the file: \"%s\"", msg);
    if (want && !strstr(msg, want)) return fail("message lacks \"%s\": \"%s\"", want, msg);
    return NULL;
}

/* ---- file helpers ------------------------------------------------------------------------------ */

static const char *tmp_path(const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static const char *data_path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", datadir, name);
    return buf[k];
}

static int write_bytes(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t put = len ? fwrite(data, 1, len, f) : 0;
    return (fclose(f) == 0 && put == len) ? 0 : -1;
}

static unsigned char *read_bytes(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (n == cap) buf = realloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Names in the scratch directory containing `part` (to detect leftover temp files). */
static int count_files_containing(const char *part) {
    DIR *d = opendir(tmpdir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, part)) n++;
    closedir(d);
    return n;
}

static void remove_tmpdir(void) {
    DIR *d = opendir(tmpdir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        const char *p = tmp_path(e->d_name);
        if (remove(p) != 0) rmdir(p);
    }
    closedir(d);
    rmdir(tmpdir);
}

/* ---- array helpers ------------------------------------------------------------------------------ */

static const char *same_array(const dlrt_array *a, const dlrt_array *b) {
    if (a->dtype != b->dtype)
        return fail("dtype %s != %s", dlrt_dtype_name(a->dtype), dlrt_dtype_name(b->dtype));
    if (a->rank != b->rank) return fail("rank %d != %d", a->rank, b->rank);
    for (int d = 0; d < a->rank; d++)
        if (a->shape[d] != b->shape[d])
            return fail("dim %d: %lld != %lld", d, (long long)a->shape[d], (long long)b->shape[d]);
    if (memcmp(a->data, b->data, dlrt_array_nbytes(a)) != 0) return fail("data differs");
    return NULL;
}

/* Compare an array with the expected dtype, shape and values (as doubles). */
static const char *check_array(const dlrt_array *a, dlrt_dtype t, int rank, const int64_t *shape,
                               const double *vals) {
    if (!a) return fail("missing");
    if (a->dtype != t) return fail("dtype %s, want %s", dlrt_dtype_name(a->dtype), dlrt_dtype_name(t));
    if (a->rank != rank) return fail("rank %d, want %d", a->rank, rank);
    for (int d = 0; d < rank; d++)
        if (a->shape[d] != shape[d])
            return fail("dim %d is %lld, want %lld", d, (long long)a->shape[d], (long long)shape[d]);
    for (int64_t i = 0; i < dlrt_array_numel(a); i++)
        if (dlrt_get(a->data, t, i) != vals[i])
            return fail("element %lld is %.17g, want %.17g", (long long)i,
                        dlrt_get(a->data, t, i), vals[i]);
    return NULL;
}

static int make_array(dlrt_array *a, dlrt_dtype t, int rank, const int64_t *shape, double base) {
    if (dlrt_array_alloc(a, t, rank, shape)) return -1;
    for (int64_t i = 0; i < dlrt_array_numel(a); i++)
        dlrt_set(a->data, t, i, t == DLRT_U8 ? (double)((i * 37 + 11) % 256) : base + i * 1.25 - 3);
    return 0;
}

/* ---- errors, dtypes, arrays ------------------------------------------------------------------------ */

static const char *t_dtypes(void) {
    static const size_t sizes[] = {4, 8, 4, 8, 1};
    static const char *names[] = {"f32", "f64", "i32", "i64", "u8"};
    for (int k = 0; k < DLRT_DTYPE_COUNT; k++) {
        if (dlrt_dtype_size((dlrt_dtype)k) != sizes[k]) return fail("size of dtype %d", k);
        if (strcmp(dlrt_dtype_name((dlrt_dtype)k), names[k])) return fail("name of dtype %d", k);
    }
    if (dlrt_dtype_size(DLRT_DTYPE_COUNT) != 0) return fail("invalid dtype has a size");
    return NULL;
}

static const char *t_errors(void) {
    if (dlrt_fail("code %d in %s", 7, "x") != -1) return fail("dlrt_fail did not return -1");
    if (strcmp(dlrt_error(), "code 7 in x")) return fail("message \"%s\"", dlrt_error());
    dlrt_fail("outer: %s", dlrt_error()); /* may reference the current message */
    if (strcmp(dlrt_error(), "outer: code 7 in x")) return fail("nested \"%s\"", dlrt_error());
    return NULL;
}

static const char *t_array_alloc(void) {
    dlrt_array a;
    int64_t s23[] = {2, 3}, s0[] = {0, 5}, neg[] = {2, -1}, big[] = {INT64_MAX / 2, 4};
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    if (dlrt_array_alloc(&a, DLRT_F64, 2, s23)) return fail("alloc: %s", dlrt_error());
    if (dlrt_array_numel(&a) != 6 || dlrt_array_nbytes(&a) != 48) return fail("numel/nbytes");
    for (int i = 0; i < 6; i++)
        if (((double *)a.data)[i] != 0.0) return fail("not zero-filled");
    dlrt_array_free(&a);
    if (a.data || a.rank) return fail("free did not clear the struct");
    if (dlrt_array_alloc(&a, DLRT_F32, 0, NULL)) return fail("scalar: %s", dlrt_error());
    if (dlrt_array_numel(&a) != 1 || dlrt_array_nbytes(&a) != 4) return fail("scalar numel");
    dlrt_array_free(&a);
    if (dlrt_array_alloc(&a, DLRT_U8, 2, s0)) return fail("empty: %s", dlrt_error());
    if (dlrt_array_numel(&a) != 0 || !a.data) return fail("empty array numel/data");
    dlrt_array_free(&a);
    const char *e;
    if ((e = expect_error(dlrt_array_alloc(&a, DLRT_F32, 2, neg), NULL, "negative"))) return e;
    if ((e = expect_error(dlrt_array_alloc(&a, DLRT_F32, 9, nine), NULL, "rank"))) return e;
    if ((e = expect_error(dlrt_array_alloc(&a, DLRT_F32, 2, big), NULL, "too large"))) return e;
    if ((e = expect_error(dlrt_array_alloc(&a, DLRT_DTYPE_COUNT, 0, NULL), NULL, "dtype")))
        return e;
    if (a.data) return fail("failed alloc left data");
    return NULL;
}

static const char *t_get_set(void) {
    unsigned char buf[64];
    for (int t = 0; t < DLRT_DTYPE_COUNT; t++) {
        dlrt_set(buf, (dlrt_dtype)t, 3, 42.0);
        if (dlrt_get(buf, (dlrt_dtype)t, 3) != 42.0) return fail("dtype %d round trip", t);
    }
    dlrt_set(buf, DLRT_U8, 0, -5.0);
    dlrt_set(buf, DLRT_U8, 1, 300.0);
    if (buf[0] != 0 || buf[1] != 255) return fail("u8 saturation");
    return NULL;
}

static const char *t_convert(void) {
    float f32[] = {1.9f, -1.9f, 1e10f, -1e10f, NAN, 0.5f};
    int32_t i32[6], want_i32[] = {1, -1, INT32_MAX, INT32_MIN, 0, 0};
    dlrt_convert(i32, DLRT_I32, f32, DLRT_F32, 6);
    for (int k = 0; k < 6; k++)
        if (i32[k] != want_i32[k]) return fail("f32->i32 [%d] = %d", k, (int)i32[k]);

    double f64[] = {-3, 0, 254.99, 255, 1e9, NAN};
    uint8_t u8[6], want_u8[] = {0, 0, 254, 255, 255, 0};
    dlrt_convert(u8, DLRT_U8, f64, DLRT_F64, 6);
    for (int k = 0; k < 6; k++)
        if (u8[k] != want_u8[k]) return fail("f64->u8 [%d] = %d", k, u8[k]);

    int64_t i64[] = {(INT64_C(1) << 53) + 1, -5, INT64_C(1) << 62, INT64_MIN};
    int32_t j32[4], want_j32[] = {INT32_MAX, -5, INT32_MAX, INT32_MIN};
    dlrt_convert(j32, DLRT_I32, i64, DLRT_I64, 4);
    for (int k = 0; k < 4; k++)
        if (j32[k] != want_j32[k]) return fail("i64->i32 [%d] = %d", k, (int)j32[k]);
    uint8_t v8[4], want_v8[] = {255, 0, 255, 0};
    dlrt_convert(v8, DLRT_U8, i64, DLRT_I64, 4);
    for (int k = 0; k < 4; k++)
        if (v8[k] != want_v8[k]) return fail("i64->u8 [%d] = %d", k, v8[k]);

    /* i64 -> f32 must round once: 2^60 + 2^36 + 1 is just above a float halfway point. */
    int64_t tricky = (INT64_C(1) << 60) + (INT64_C(1) << 36) + 1;
    float tf;
    dlrt_convert(&tf, DLRT_F32, &tricky, DLRT_I64, 1);
    if (tf != 0x1p60f + 0x1p37f) return fail("i64->f32 double rounding: %a", (double)tf);

    int32_t src32[] = {-2147483647 - 1, 7};
    int64_t dst64[2];
    dlrt_convert(dst64, DLRT_I64, src32, DLRT_I32, 2);
    if (dst64[0] != INT32_MIN || dst64[1] != 7) return fail("i32->i64");

    uint8_t b[] = {0, 255};
    float bf[2];
    dlrt_convert(bf, DLRT_F32, b, DLRT_U8, 2);
    if (bf[0] != 0.0f || bf[1] != 255.0f) return fail("u8->f32");

    double d[] = {0.1, 1e300};
    float df[2];
    dlrt_convert(df, DLRT_F32, d, DLRT_F64, 2);
    if (df[0] != 0.1f || !isinf(df[1])) return fail("f64->f32");
    double back[2];
    dlrt_convert(back, DLRT_F64, df, DLRT_F32, 1);
    if (back[0] != (double)0.1f) return fail("f32->f64");

    int64_t same[3] = {0}, orig[3] = {INT64_MAX, -1, (INT64_C(1) << 53) + 1};
    dlrt_convert(same, DLRT_I64, orig, DLRT_I64, 3);
    if (memcmp(same, orig, sizeof orig)) return fail("same-dtype copy");
    return NULL;
}

/* ---- RNG ---------------------------------------------------------------------------------------- */

static const char *t_rng_kat(void) {
    /* Random123 kat_vectors, philox4x32 10: seed = key, counter = ctr[0..1], stream = ctr[2..3]. */
    if (dlrt_rand_u64(0, 0, 0) != UINT64_C(0xe169c58d6627e8d5)) return fail("zero vector");
    if (dlrt_rand_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX) != UINT64_C(0x41c83b0e408f276d))
        return fail("all-ones vector");
    if (dlrt_rand_u64(UINT64_C(0x299f31d0a4093822), UINT64_C(0x0370734413198a2e),
                      UINT64_C(0x85a308d3243f6a88)) != UINT64_C(0x94fdccebd16cfe09))
        return fail("pi vector");
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static const char *t_rng_determinism(void) {
    enum { N = 1000 };
    static uint64_t v[3 * N];
    for (int i = 0; i < N; i++) {
        v[i] = dlrt_rand_u64(1, 0, (uint64_t)i);
        v[N + i] = dlrt_rand_u64(1, 1, (uint64_t)i);
        v[2 * N + i] = dlrt_rand_u64(2, 0, (uint64_t)i);
        if (v[i] != dlrt_rand_u64(1, 0, (uint64_t)i)) return fail("not reproducible");
    }
    qsort(v, 3 * N, sizeof v[0], cmp_u64);
    for (int i = 1; i < 3 * N; i++)
        if (v[i] == v[i - 1]) return fail("repeated value across seeds/streams/counters");
    return NULL;
}

static const char *t_rng_uniform(void) {
    enum { N = 100000 };
    double sum = 0, lo = 1, hi = 0;
    for (int i = 0; i < N; i++) {
        double u = dlrt_rand_uniform(42, 3, (uint64_t)i);
        if (!(u >= 0.0 && u < 1.0)) return fail("value %.17g outside [0, 1)", u);
        if (u != ldexp((double)(dlrt_rand_u64(42, 3, (uint64_t)i) >> 11), -53))
            return fail("not the top 53 bits");
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    if (fabs(sum / N - 0.5) > 0.005) return fail("mean %.5f", sum / N);
    if (lo > 0.001 || hi < 0.999) return fail("range [%g, %g]", lo, hi);
    return NULL;
}

/* The learning-rate schedules against values printed by torch.optim.lr_scheduler:
 * CosineAnnealingLR(T_max = 10, eta_min = 0.01) stepped per batch and StepLR(step_size = 3,
 * gamma = 0.5) stepped per epoch, from lr 0.1 (torch computes cosine recursively, hence 1e-12). */
static const char *t_lr_schedules(void) {
    static const double cosine[10] = {0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129,
                                      0.06890576474687264, 0.05500000000000001, 0.04109423525312737,
                                      0.028549663646838717, 0.01859423525312737, 0.012202456766718092};
    static const double step[7] = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025};
    for (int t = 0; t < 10; t++) {
        double v = dlrt_lr_at(DLRT_SCHED_COSINE, 0.1, 0.01, 0, t, 10, 1);
        if (fabs(v - cosine[t]) > 1e-12) return fail("cosine at step %d: %.17g, torch %.17g", t, v, cosine[t]);
    }
    for (int e = 1; e <= 7; e++) {
        double v = dlrt_lr_at(DLRT_SCHED_STEP, 0.1, 3, 0.5, 100 * e, 1000, e);
        if (fabs(v - step[e - 1]) > 1e-15) return fail("step at epoch %d: %.17g, torch %.17g", e, v, step[e - 1]);
    }
    if (dlrt_lr_at(DLRT_SCHED_CONSTANT, 0.1, 0, 0, 5, 10, 3) != 0.1) return fail("constant changed the lr");
    return NULL;
}

static const char *t_shuffle(void) {
    enum { N = 1000 };
    static int64_t a[N], b[N], c[N];
    static unsigned char seen[N];
    for (int i = 0; i < N; i++) a[i] = b[i] = c[i] = i;
    dlrt_shuffle(a, N, 7, 0);
    dlrt_shuffle(b, N, 7, 0);
    dlrt_shuffle(c, N, 7, 1);
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < N; i++) {
        if (a[i] < 0 || a[i] >= N || seen[a[i]]) return fail("not a permutation");
        seen[a[i]] = 1;
    }
    if (memcmp(a, b, sizeof a)) return fail("same seed and epoch gave different orders");
    if (!memcmp(a, c, sizeof a)) return fail("epochs 0 and 1 gave the same order");
    int fixed = 0;
    for (int i = 0; i < N; i++) fixed += a[i] == i;
    if (fixed > 10) return fail("%d fixed points: barely shuffled", fixed);
    int64_t one = 5;
    dlrt_shuffle(&one, 1, 7, 0);
    dlrt_shuffle(NULL, 0, 7, 0);
    if (one != 5) return fail("n = 1 changed the element");
    return NULL;
}

static const char *t_shuffle_uniform(void) {
    /* All 6 orders of 3 elements over 60000 epochs: each ~10000 (sd ~91). */
    int count[3][3][3] = {{{0}}};
    for (uint64_t e = 0; e < 60000; e++) {
        int64_t v[3] = {0, 1, 2};
        dlrt_shuffle(v, 3, 99, e);
        count[v[0]][v[1]][v[2]]++;
    }
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int k = 0; k < 6; k++) {
        int n = count[perms[k][0]][perms[k][1]][perms[k][2]];
        if (n < 9500 || n > 10500) return fail("order %d%d%d seen %d times", perms[k][0],
                                               perms[k][1], perms[k][2], n);
    }
    return NULL;
}

/* ---- safetensors --------------------------------------------------------------------------------- */

enum { RT_N = 7 };
static const char *rt_names[RT_N] = {"w", "bias.f64", "idx", "step", "mask", "empty", "weird \"n\xc3\xa9\"\n"};

/* Build the round-trip set: several dtypes and ranks, a scalar, an empty tensor, an odd name. */
static int make_rt_set(dlrt_tensor_set *s) {
    static const dlrt_dtype types[RT_N] = {DLRT_F32, DLRT_F64, DLRT_I32, DLRT_I64, DLRT_U8, DLRT_F32, DLRT_U8};
    static const int ranks[RT_N] = {2, 1, 3, 0, 1, 2, 1};
    static const int64_t shapes[RT_N][3] = {{3, 4}, {5}, {2, 2, 2}, {0}, {7}, {0, 4}, {3}};
    s->count = RT_N;
    s->items = calloc(RT_N, sizeof *s->items);
    for (int k = 0; k < RT_N; k++) {
        s->items[k].name = strdup(rt_names[k]);
        if (make_array(&s->items[k].array, types[k], ranks[k], shapes[k], k * 10.0)) return -1;
    }
    ((int64_t *)s->items[3].array.data)[0] = INT64_MIN + 1; /* exercise full i64 range */
    return 0;
}

static const char *t_st_roundtrip(void) {
    dlrt_tensor_set s = {0}, r = {0};
    const char *meta[] = {"format", "pt", "note", "tab\there \"q\" caf\xc3\xa9"};
    const char *path = tmp_path("rt.safetensors");
    if (make_rt_set(&s)) return fail("setup: %s", dlrt_error());
    const char *err = NULL;
    if (dlrt_safetensors_write(path, &s, meta, 2)) {
        err = fail("write: %s", dlrt_error());
        goto out;
    }
    /* Write twice: replacing an existing file must work too. */
    if (dlrt_safetensors_write(path, &s, meta, 2)) {
        err = fail("rewrite: %s", dlrt_error());
        goto out;
    }
    if (dlrt_safetensors_read(path, &r)) {
        err = fail("read: %s", dlrt_error());
        goto out;
    }
    if (r.count != RT_N) err = fail("read %d tensors, want %d", r.count, RT_N);
    for (int k = 0; k < RT_N && !err; k++) {
        if (strcmp(r.items[k].name, rt_names[k])) err = fail("tensor %d name or order", k);
        else if (dlrt_tensor_set_find(&r, rt_names[k]) != &r.items[k].array) err = fail("find");
        else if ((err = same_array(&r.items[k].array, &s.items[k].array)))
            err = fail("tensor '%s': %s", rt_names[k], err);
    }
    if (!err && dlrt_tensor_set_find(&r, "nope")) err = fail("found a missing tensor");
    dlrt_tensor_set_free(&r);
    if (r.count || r.items) err = fail("tensor_set_free did not clear the set");
out:
    dlrt_tensor_set_free(&s);
    return err;
}

static const char *t_st_layout(void) {
    size_t len;
    unsigned char *b = read_bytes(tmp_path("rt.safetensors"), &len);
    if (!b) return fail("round-trip file missing");
    const char *err = NULL;
    uint64_t hl = 0;
    for (int k = 7; k >= 0; k--) hl = hl << 8 | b[k];
    char *h = NULL;
    if (len < 8 || hl > len - 8) err = fail("bad header length");
    else if (hl % 8 != 0) err = fail("header length %llu not a multiple of 8", (unsigned long long)hl);
    else if (b[8] != '{' || (b[8 + hl - 1] != ' ' && b[8 + hl - 1] != '}'))
        err = fail("header not '{' ... padded with spaces");
    else {
        h = malloc(hl + 1);
        memcpy(h, b + 8, hl);
        h[hl] = 0;
        /* metadata first, then tensors in the order given, data contiguous from 0 */
        const char *m = strstr(h, "{\"__metadata__\":{\"format\":\"pt\"");
        const char *w = strstr(h, "\"w\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}");
        const char *s = strstr(h, "\"step\":{\"dtype\":\"I64\",\"shape\":[]");
        const char *o = strstr(h, "\"weird \\\"n\xc3\xa9\\\"\\n\"");
        if (!m || !w || !s || !o || !(m < w && w < s && s < o))
            err = fail("unexpected header: %s", h);
    }
    free(h);
    free(b);
    if (!err && count_files_containing(".tmp.") != 0) err = fail("temp file left behind");
    return err;
}

static const char *t_st_empty_set(void) {
    dlrt_tensor_set s = {0}, r;
    const char *path = tmp_path("empty.safetensors");
    if (dlrt_safetensors_write(path, &s, NULL, 0)) return fail("write: %s", dlrt_error());
    if (dlrt_safetensors_read(path, &r)) return fail("read: %s", dlrt_error());
    int n = r.count;
    dlrt_tensor_set_free(&r);
    return n ? fail("%d tensors", n) : NULL;
}

static const char *t_st_torch_fixture(void) {
    dlrt_tensor_set s;
    const char *path = data_path("torch_written.safetensors");
    if (dlrt_safetensors_read(path, &s)) return fail("%s", dlrt_error());
    const char *err = NULL;
    static const int64_t s34[] = {3, 4}, s3[] = {3}, s23[] = {2, 3}, s22[] = {2, 2}, s03[] = {0, 3};
    double w[12], bias[] = {0.5, -0.25, (double)1e-3f}, step[] = {42}, counts[] = {-7, 0, 2147483647};
    double mask[] = {1, 0, 255, 3, 4, 5}, dbl[] = {3.141592653589793, -2.0, 1e300, 0.0};
    for (int k = 0; k < 12; k++) w[k] = k / 4.0 - 1.5;
    if (s.count != 7) err = fail("%d tensors, want 7", s.count);
    else if ((err = check_array(dlrt_tensor_set_find(&s, "linear.weight"), DLRT_F32, 2, s34, w)) ||
             (err = check_array(dlrt_tensor_set_find(&s, "linear.bias"), DLRT_F32, 1, s3, bias)) ||
             (err = check_array(dlrt_tensor_set_find(&s, "step"), DLRT_I64, 0, NULL, step)) ||
             (err = check_array(dlrt_tensor_set_find(&s, "counts"), DLRT_I32, 1, s3, counts)) ||
             (err = check_array(dlrt_tensor_set_find(&s, "mask"), DLRT_U8, 2, s23, mask)) ||
             (err = check_array(dlrt_tensor_set_find(&s, "double"), DLRT_F64, 2, s22, dbl)) ||
             (err = check_array(dlrt_tensor_set_find(&s, "empty"), DLRT_F32, 2, s03, NULL)))
        err = fail("%s", err);
    dlrt_tensor_set_free(&s);
    return err;
}

/* Write a safetensors file with the given declared header length, header text and data. */
static void write_st(const char *path, uint64_t hlen, const char *json, size_t dlen) {
    size_t jl = strlen(json);
    unsigned char *b = calloc(1, 8 + jl + dlen + 1);
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)(hlen >> (8 * k));
    memcpy(b + 8, json, jl);
    for (size_t i = 0; i < dlen; i++) b[8 + jl + i] = (unsigned char)i;
    write_bytes(path, b, 8 + jl + dlen);
    free(b);
}

static const char *st_expect_fail(const char *json, size_t dlen, const char *want) {
    const char *path = tmp_path("bad.safetensors");
    dlrt_tensor_set s;
    write_st(path, strlen(json), json, dlen);
    const char *err = expect_error(dlrt_safetensors_read(path, &s), path, want);
    if (!err && (s.count || s.items)) err = fail("failed read left tensors in the set");
    return err;
}

static void t_st_corrupt(void) {
    static const struct {
        const char *name, *json;
        size_t dlen;
        const char *want;
    } cases[] = {
        {"offsets out of range", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "'a'"},
        {"offsets reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "reversed"},
        {"size does not match shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "does not match"},
        {"shape product overflows", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, "'a'"},
        {"unknown dtype BF16", "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "BF16"},
        {"unknown dtype Q7", "{\"x.y\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "'x.y'"},
        {"JSON missing brace", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, "JSON"},
        {"JSON trailing comma", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", 4, "JSON"},
        {"JSON trailing garbage", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}x", 4, "after the header"},
        {"JSON unterminated string", "{\"a:{\"dtype\":\"F32\"}", 4, "JSON"},
        {"JSON fraction in shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "integer"},
        {"JSON negative shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "negative"},
        {"JSON leading zero", "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4, "leading zero"},
        {"JSON huge integer", "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", 4, "too large"},
        {"three data offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, "JSON"},
        {"missing data_offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "data_offsets"},
        {"shape not an array", "{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4, "'a'"},
        {"bad escape", "{\"a\\x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "escape"},
        {"lone surrogate", "{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "surrogate"},
        {"invalid UTF-8", "{\"a\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "UTF-8"},
        {"control char in string", "{\"a\nb\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "control"},
        {"duplicate tensor", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2, "twice"},
        {"duplicate key", "{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "duplicate"},
        {"rank 9", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1, "rank"},
        {"top level not an object", "[1,2]     ", 0, "JSON"},
        {"metadata not an object", "{\"__metadata__\":[1]}", 0, "__metadata__"},
    };
    char name[160];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        snprintf(name, sizeof name, "safetensors rejects: %s", cases[k].name);
        report(name, st_expect_fail(cases[k].json, cases[k].dlen, cases[k].want));
    }
    /* A header padded with NULs instead of spaces is not JSON. */
    const char *path = tmp_path("bad.safetensors");
    dlrt_tensor_set s;
    FILE *f = fopen(path, "wb");
    fwrite("\x08\0\0\0\0\0\0\0{}\0\0\0\0\0\0", 1, 16, f);
    fclose(f);
    report("safetensors rejects: NUL-padded header",
           expect_error(dlrt_safetensors_read(path, &s), path, "JSON"));

    /* Deeply nested metadata must hit the depth limit, not the stack. */
    char deep[1200];
    size_t n = 0;
    n += (size_t)sprintf(deep + n, "{\"__metadata__\":{\"x\":");
    for (int i = 0; i < 500; i++) deep[n++] = '[';
    for (int i = 0; i < 500; i++) deep[n++] = ']';
    sprintf(deep + n, "}}");
    report("safetensors rejects: deep nesting", st_expect_fail(deep, 0, "nesting"));

    /* Header lengths that do not fit the file. */
    static const uint64_t lens[] = {UINT64_MAX, UINT64_C(1) << 63, 200000000, 1000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        write_st(path, lens[k], "{}      ", 0);
        snprintf(name, sizeof name, "safetensors rejects: header length %llu", (unsigned long long)lens[k]);
        report(name, expect_error(dlrt_safetensors_read(path, &s), path, "exceeds the file size"));
    }
    write_st(path, 0, "", 0);
    report("safetensors rejects: header length 0", expect_error(dlrt_safetensors_read(path, &s), path, "header length"));
    write_bytes(path, "\x02\0\0", 3);
    report("safetensors rejects: 3-byte file", expect_error(dlrt_safetensors_read(path, &s), path, "too short"));
    report("safetensors rejects: missing file",
           expect_error(dlrt_safetensors_read(tmp_path("nope.safetensors"), &s), "nope.safetensors", "cannot open"));
    report("safetensors rejects: directory", expect_error(dlrt_safetensors_read(tmpdir, &s), tmpdir, "regular file"));
}

static const char *t_st_accepts_odd_json(void) {
    /* Legal JSON the strict parser must still accept: whitespace, unknown keys with nested
     * values, escapes in names, null metadata, numbers/literals inside skipped values. */
    const char *json =
        " \t\r\n{ \"__metadata__\" : null , \"a\\\"b\\u00e9\\ud83d\\ude00\\/\" : { \"extra\" : "
        "{\"k\":[1,-2.5e-3,true,false,null,\"s\"]}, \"data_offsets\" : [ 0 , 4 ] , \"shape\" : "
        "[ 2 , 2 ] , \"dtype\" : \"U8\" } }   ";
    const char *path = tmp_path("odd.safetensors");
    dlrt_tensor_set s;
    write_st(path, strlen(json), json, 4);
    if (dlrt_safetensors_read(path, &s)) return fail("%s", dlrt_error());
    const char *err = NULL;
    static const int64_t s22[] = {2, 2};
    static const double v[] = {0, 1, 2, 3};
    if (s.count != 1 || strcmp(s.items[0].name, "a\"b\xc3\xa9\xf0\x9f\x98\x80/"))
        err = fail("name decoded as \"%s\"", s.count ? s.items[0].name : "");
    else if ((err = check_array(&s.items[0].array, DLRT_U8, 2, s22, v))) err = fail("%s", err);
    dlrt_tensor_set_free(&s);
    return err;
}

static const char *t_st_truncations(void) {
    size_t len;
    const char *src = tmp_path("rt.safetensors"), *path = tmp_path("trunc.safetensors");
    unsigned char *b = read_bytes(src, &len);
    if (!b) return fail("round-trip file missing");
    const char *err = NULL;
    quiet = 1;
    for (size_t cut = 0; cut < len && !err; cut++) {
        dlrt_tensor_set s;
        write_bytes(path, b, cut);
        if ((err = expect_error(dlrt_safetensors_read(path, &s), path, NULL)))
            err = fail("cut at %zu of %zu: %s", cut, len, err);
    }
    quiet = 0;
    free(b);
    return err;
}

static const char *t_st_fuzz(void) {
    /* Random byte corruption (deterministic): must never crash; a successful read must be sane. */
    size_t len;
    const char *src = tmp_path("rt.safetensors"), *path = tmp_path("fuzz.safetensors");
    unsigned char *orig = read_bytes(src, &len);
    if (!orig) return fail("round-trip file missing");
    unsigned char *b = malloc(len);
    int accepted = 0;
    for (uint64_t it = 0; it < 3000; it++) {
        memcpy(b, orig, len);
        int flips = 1 + (int)(dlrt_rand_u64(5, it, 0) % 3);
        for (int k = 0; k < flips; k++) {
            uint64_t r = dlrt_rand_u64(5, it, (uint64_t)k + 1);
            size_t pos = (size_t)(r % (it % 2 ? len : 8 + 400)); /* favour the header */
            b[pos % len] = (unsigned char)(r >> 32);
        }
        write_bytes(path, b, len);
        dlrt_tensor_set s;
        if (dlrt_safetensors_read(path, &s) == 0) {
            accepted++;
            for (int k = 0; k < s.count; k++)
                if (!s.items[k].name || !s.items[k].array.data) return fail("accepted a broken set");
            dlrt_tensor_set_free(&s);
        } else if (!strstr(dlrt_error(), path)) {
            return fail("message lacks the path: %s", dlrt_error());
        }
    }
    free(b);
    free(orig);
    if (verbose) printf("#   fuzz: %d of 3000 corrupted files still parsed\n", accepted);
    return NULL;
}

static void t_st_write_errors(void) {
    dlrt_tensor_set s;
    make_rt_set(&s);
    const char *p = tmp_path("no/such/dir/x.safetensors");
    report("safetensors write: missing directory fails",
           expect_error(dlrt_safetensors_write(p, &s, NULL, 0), p, "cannot create"));

    /* The destination is a directory: rename fails, and the temp file must be cleaned up. */
    const char *dir = tmp_path("isdir");
    mkdir(dir, 0700);
    const char *err = expect_error(dlrt_safetensors_write(dir, &s, NULL, 0), dir, "write failed");
    if (!err && count_files_containing(".tmp.") != 0) err = fail("temp file left behind");
    report("safetensors write: failed rename removes temp file", err);

    free(s.items[1].name);
    s.items[1].name = strdup("w");
    report("safetensors write: duplicate names rejected",
           expect_error(dlrt_safetensors_write(tmp_path("dup.safetensors"), &s, NULL, 0), "dup", "duplicate tensor name 'w'"));
    free(s.items[1].name);
    s.items[1].name = strdup("__metadata__");
    report("safetensors write: __metadata__ name rejected",
           expect_error(dlrt_safetensors_write(tmp_path("dup.safetensors"), &s, NULL, 0), "dup", "__metadata__"));
    const char *meta[] = {"k", "v", "k", "w"};
    free(s.items[1].name);
    s.items[1].name = strdup("ok");
    report("safetensors write: duplicate metadata keys rejected",
           expect_error(dlrt_safetensors_write(tmp_path("dup.safetensors"), &s, meta, 2), "dup", "duplicate metadata key 'k'"));
    dlrt_tensor_set_free(&s);
    report("safetensors write: nothing left behind after failures",
           count_files_containing("dup") || count_files_containing(".tmp.") ? fail("files left") : NULL);
}

/* ---- NPY ------------------------------------------------------------------------------------------ */

static const char *t_npy_roundtrip(void) {
    static const dlrt_dtype types[] = {DLRT_F32, DLRT_F64, DLRT_I32, DLRT_I64, DLRT_U8, DLRT_U8, DLRT_F32};
    static const int ranks[] = {2, 0, 1, 3, 1, 1, 8};
    static const int64_t shapes[][8] = {{2, 3}, {0}, {5}, {2, 1, 2}, {0}, {4}, {1, 2, 1, 2, 1, 2, 1, 2}};
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        dlrt_array a, b;
        char name[64];
        snprintf(name, sizeof name, "rt%zu.npy", k);
        const char *path = tmp_path(name);
        if (make_array(&a, types[k], ranks[k], shapes[k], 100.0 * k)) return fail("alloc");
        if (dlrt_npy_write(path, &a)) return fail("write %s: %s", name, dlrt_error());
        if (dlrt_npy_read(path, &b)) return fail("read %s: %s", name, dlrt_error());
        const char *err = same_array(&a, &b);
        dlrt_array_free(&a);
        dlrt_array_free(&b);
        if (err) return fail("%s: %s", name, err);
        size_t len;
        unsigned char *raw = read_bytes(path, &len);
        size_t start = 10 + (size_t)(raw[8] | raw[9] << 8);
        int aligned = start % 64 == 0 && raw[start - 1] == '\n' && raw[6] == 1 && raw[7] == 0;
        free(raw);
        if (!aligned) return fail("%s: header not v1.0 / 64-byte aligned / newline-terminated", name);
    }
    if (count_files_containing(".tmp.") != 0) return fail("temp file left behind");
    return NULL;
}

static const char *t_npy_numpy_fixtures(void) {
    dlrt_array a;
    const char *err;
    static const int64_t s23[] = {2, 3}, s3[] = {3}, s222[] = {2, 2, 2}, s12[] = {1, 2};
    static const double f32[] = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5}, i64[] = {-1, 0, 1099511627776.0};
    static const double u8[] = {200}, i32[] = {5, -6};
    double lin[8];
    for (int k = 0; k < 8; k++) lin[k] = -1.0 + 2.0 * k / 7.0;
    struct {
        const char *file;
        dlrt_dtype t;
        int rank;
        const int64_t *shape;
        const double *vals;
        double tol;
    } cases[] = {
        {"numpy_f32.npy", DLRT_F32, 2, s23, f32, 0},
        {"numpy_i64.npy", DLRT_I64, 1, s3, i64, 0},
        {"numpy_u8_scalar.npy", DLRT_U8, 0, NULL, u8, 0},
        {"numpy_v2_f64.npy", DLRT_F64, 3, s222, lin, 1e-15},
        {"numpy_v3_i32.npy", DLRT_I32, 2, s12, i32, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (dlrt_npy_read(data_path(cases[k].file), &a)) return fail("%s", dlrt_error());
        if (cases[k].tol > 0) { /* compare approximately, then check layout exactly */
            for (int i = 0; i < 8; i++)
                if (fabs(((double *)a.data)[i] - cases[k].vals[i]) > cases[k].tol)
                    return fail("%s: element %d", cases[k].file, i);
            memcpy(a.data, cases[k].vals, 8 * sizeof(double));
        }
        err = check_array(&a, cases[k].t, cases[k].rank, cases[k].shape, cases[k].vals);
        dlrt_array_free(&a);
        if (err) return fail("%s: %s", cases[k].file, err);
    }
    return NULL;
}

static void t_npy_rejects(void) {
    dlrt_array a;
    const char *p = data_path("numpy_fortran.npy");
    report("npy rejects: fortran_order=True", expect_error(dlrt_npy_read(p, &a), p, "fortran_order"));
    p = data_path("numpy_bigendian.npy");
    report("npy rejects: big-endian dtype", expect_error(dlrt_npy_read(p, &a), p, "big-endian"));

    /* Every truncation of a valid file, and one trailing byte. */
    size_t len;
    unsigned char *b = read_bytes(data_path("numpy_f32.npy"), &len);
    const char *err = b ? NULL : fail("fixture missing");
    p = tmp_path("trunc.npy");
    quiet = 1;
    for (size_t cut = 0; b && cut < len && !err; cut++) {
        write_bytes(p, b, cut);
        if ((err = expect_error(dlrt_npy_read(p, &a), p, NULL))) err = fail("cut at %zu: %s", cut, err);
    }
    quiet = 0;
    report("npy rejects: every truncation", err);
    if (b) {
        write_bytes(p, b, len - 3);
        report("npy rejects: truncated data names sizes", expect_error(dlrt_npy_read(p, &a), p, "truncated"));
        b = realloc(b, len + 1);
        b[len] = 0;
        write_bytes(p, b, len + 1);
        report("npy rejects: trailing bytes", expect_error(dlrt_npy_read(p, &a), p, "unexpected bytes"));
        b[0] = 'X';
        write_bytes(p, b, len);
        report("npy rejects: bad magic", expect_error(dlrt_npy_read(p, &a), p, "magic"));
        b[0] = 0x93;
        b[6] = 4;
        write_bytes(p, b, len);
        report("npy rejects: unknown version", expect_error(dlrt_npy_read(p, &a), p, "version"));
        free(b);
    }

    /* Hand-made headers: (preamble, dict) pairs that must fail with a given message. */
    static const struct {
        const char *name, *dict, *want;
    } cases[] = {
        {"unsupported dtype", "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", "'<f2'"},
        {"structured dtype", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "structured"},
        {"shape (n) without comma", "{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", "tuple"},
        {"negative shape", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "shape"},
        {"missing shape", "{'descr': '<f4', 'fortran_order': False, }", "shape"},
        {"duplicate key", "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "duplicate"},
        {"unknown key", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "'x'"},
        {"unterminated string", "{'descr': '<f4", "unterminated"},
        {"garbage after dict", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", "after"},
        {"rank 9", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", "rank"},
    };
    char name[128];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        unsigned char buf[256] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        size_t dl = strlen(cases[k].dict);
        buf[8] = (unsigned char)(dl + 1);
        memcpy(buf + 10, cases[k].dict, dl);
        buf[10 + dl] = '\n';
        memset(buf + 11 + dl, 0, 4); /* one float of data */
        write_bytes(p, buf, 15 + dl);
        snprintf(name, sizeof name, "npy rejects: %s", cases[k].name);
        report(name, expect_error(dlrt_npy_read(p, &a), p, cases[k].want));
    }
    report("npy rejects: missing file", expect_error(dlrt_npy_read(tmp_path("nope.npy"), &a), "nope.npy", "cannot open"));
}

/* ---- IDX ------------------------------------------------------------------------------------------- */

static const char *fmnist_path(const char *name) {
    static char buf[512];
    const char *dir = getenv("DLRT_FASHION_MNIST");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "/usr/share/datasets/fashion-mnist", name);
    return buf;
}

static void t_idx_fashion_mnist(void) {
    dlrt_array a;
    const char *p = fmnist_path("t10k-labels-idx1-ubyte.gz");
    if (access(p, R_OK) != 0) {
        skip("idx: fashion-mnist t10k labels", "dataset not found");
        skip("idx: fashion-mnist t10k images", "dataset not found");
        return;
    }
    const char *err = NULL;
    if (dlrt_idx_read(p, &a)) err = fail("%s", dlrt_error());
    else {
        if (a.dtype != DLRT_U8 || a.rank != 1 || a.shape[0] != 10000) err = fail("wrong dtype/shape");
        else if (((uint8_t *)a.data)[0] != 9) err = fail("first label %d, want 9", ((uint8_t *)a.data)[0]);
        else {
            int hist[10] = {0};
            for (int i = 0; i < 10000 && !err; i++) {
                uint8_t v = ((uint8_t *)a.data)[i];
                if (v > 9) err = fail("label %d at %d", v, i);
                else hist[v]++;
            }
            for (int c = 0; c < 10 && !err; c++)
                if (hist[c] != 1000) err = fail("class %d has %d labels, want 1000", c, hist[c]);
        }
        dlrt_array_free(&a);
    }
    report("idx: fashion-mnist t10k labels (10000, first 9)", err);

    err = NULL;
    p = fmnist_path("t10k-images-idx3-ubyte.gz");
    if (dlrt_idx_read(p, &a)) err = fail("%s", dlrt_error());
    else {
        if (a.dtype != DLRT_U8 || a.rank != 3 || a.shape[0] != 10000 || a.shape[1] != 28 || a.shape[2] != 28)
            err = fail("wrong dtype/shape");
        else {
            uint64_t sum = 0;
            uint8_t mx = 0;
            for (int64_t i = 0; i < dlrt_array_numel(&a); i++) {
                uint8_t v = ((uint8_t *)a.data)[i];
                sum += v;
                mx = v > mx ? v : mx;
            }
            if (mx != 255 || sum == 0) err = fail("implausible pixels (max %d)", mx);
        }
        dlrt_array_free(&a);
    }
    report("idx: fashion-mnist t10k images (10000x28x28)", err);
}

/* dlrt_dataset_idx_bytes keeps the images as bytes with divisor 255, and byte / 255.0f is the
 * f32 image dlrt_dataset_idx makes, bit for bit; a split keeps the divisor. */
static void t_idx_bytes(void) {
    const char *dir = getenv("DLRT_FASHION_MNIST") ? getenv("DLRT_FASHION_MNIST") : "/usr/share/datasets/fashion-mnist";
    if (access(fmnist_path("t10k-labels-idx1-ubyte.gz"), R_OK) != 0) {
        skip("idx: bytes kept, divided per batch", "dataset not found");
        return;
    }
    dlrt_dataset f, b, held;
    const char *err = NULL;
    if (dlrt_dataset_idx(dir, "t10k", &f)) err = fail("%s", dlrt_error());
    else if (dlrt_dataset_idx_bytes(dir, "t10k", &b)) err = fail("%s", dlrt_error());
    else {
        if (b.cols[0].dtype != DLRT_U8 || b.divisor[0] != 255.0f || f.divisor[0] != 0 || b.n != f.n)
            err = fail("bytes: dtype %d divisor %g, f32 divisor %g", b.cols[0].dtype, b.divisor[0], f.divisor[0]);
        const uint8_t *u = b.cols[0].data;
        const float *x = f.cols[0].data;
        for (int64_t i = 0; !err && i < dlrt_array_numel(&f.cols[0]); i++) {
            float v = (float)u[i] / b.divisor[0];
            if (memcmp(&v, &x[i], sizeof v)) err = fail("element %lld: %.9g vs %.9g", (long long)i, v, x[i]);
        }
        if (!err && memcmp(b.cols[1].data, f.cols[1].data, dlrt_array_nbytes(&f.cols[1]))) err = fail("labels differ");
        if (!err && dlrt_dataset_split(&b, 0.1, &held)) err = fail("%s", dlrt_error());
        else if (!err && (held.divisor[0] != 255.0f || held.divisor[1] != 0)) err = fail("split lost the divisor");
        if (!err) dlrt_dataset_free(&held);
        dlrt_dataset_free(&b);
        dlrt_dataset_free(&f);
    }
    report("idx: bytes kept, divided per batch", err);
}

/* Write an IDX file (gzip-compressed if gz) with the given header fields and payload. */
static void write_idx(const char *path, int gz, int type, int rank, const uint32_t *dims,
                      const void *payload, size_t plen) {
    unsigned char hdr[4 + 4 * 8] = {0, 0, (unsigned char)type, (unsigned char)rank};
    for (int d = 0; d < rank; d++)
        for (int k = 0; k < 4; k++) hdr[4 + 4 * d + k] = (unsigned char)(dims[d] >> (24 - 8 * k));
    if (gz) {
        gzFile g = gzopen(path, "wb");
        gzwrite(g, hdr, 4 + 4 * (unsigned)rank);
        if (plen) gzwrite(g, payload, (unsigned)plen);
        gzclose(g);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(hdr, 1, 4 + 4 * (size_t)rank, f);
        fwrite(payload, 1, plen, f);
        fclose(f);
    }
}

static const char *t_idx_synthetic(void) {
    static const uint32_t d23[] = {2, 3}, d3[] = {3};
    static const int64_t s23[] = {2, 3}, s3[] = {3};
    static const unsigned char u8[] = {0, 1, 2, 253, 254, 255};
    static const double vu8[] = {0, 1, 2, 253, 254, 255};
    /* Big-endian encodings of 1.5f, -2.0f, 0.0f and of -1, 7, 0x01020304. */
    static const unsigned char f32be[] = {0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char i32be[] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 7, 1, 2, 3, 4};
    static const unsigned char f64be[] = {0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0xBF, 0xF0, 0, 0, 0, 0, 0, 0};
    static const double vf32[] = {1.5, -2.0, 0.0}, vi32[] = {-1, 7, 0x01020304};
    static const double vf64[] = {3.141592653589793, 0.0, -1.0};
    struct {
        const char *name;
        int gz, type, rank;
        const uint32_t *dims;
        const void *payload;
        size_t plen;
        dlrt_dtype t;
        const int64_t *shape;
        const double *vals;
    } cases[] = {
        {"u8.idx.gz", 1, 0x08, 2, d23, u8, 6, DLRT_U8, s23, vu8},
        {"u8-raw.idx", 0, 0x08, 2, d23, u8, 6, DLRT_U8, s23, vu8},
        {"f32.idx.gz", 1, 0x0D, 1, d3, f32be, 12, DLRT_F32, s3, vf32},
        {"i32-raw.idx", 0, 0x0C, 1, d3, i32be, 12, DLRT_I32, s3, vi32},
        {"f64.idx.gz", 1, 0x0E, 1, d3, f64be, 24, DLRT_F64, s3, vf64},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dlrt_array a;
        const char *p = tmp_path(cases[k].name);
        write_idx(p, cases[k].gz, cases[k].type, cases[k].rank, cases[k].dims, cases[k].payload, cases[k].plen);
        if (dlrt_idx_read(p, &a)) return fail("%s: %s", cases[k].name, dlrt_error());
        const char *err = check_array(&a, cases[k].t, cases[k].rank, cases[k].shape, cases[k].vals);
        dlrt_array_free(&a);
        if (err) return fail("%s: %s", cases[k].name, err);
    }
    return NULL;
}

/* An IDX pair whose labels are floats: a NaN or a 0.5 is an error (converted to i32 they had
 * become class 0); whole floats are labels like any. */
static void t_idx_float_labels(void) {
    static const uint32_t dimg[] = {2, 1, 1}, dlab[] = {2};
    static const unsigned char img[2] = {0, 255};
    /* big-endian f64 labels: 1.0 then NaN; 1.0 then 0.5; 1.0 then 2.0 */
    static const unsigned char labels[3][16] = {{0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0},
                                                {0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x3F, 0xE0, 0, 0, 0, 0, 0, 0},
                                                {0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0, 0, 0}};
    static const char *const name[3] = {"idx: NaN labels rejected, not made class 0",
                                        "idx: labels 0.5 rejected, not made class 0", "idx: whole f64 labels read as i32"};
    for (int k = 0; k < 3; k++) {
        const char *dir = tmp_path(k == 0 ? "idxnan" : k == 1 ? "idxhalf" : "idxwhole");
        mkdir(dir, 0755);
        char ipath[600], lpath[600];
        snprintf(ipath, sizeof ipath, "%s/train-images-idx3-ubyte", dir);
        write_idx(ipath, 0, 0x08, 3, dimg, img, 2);
        snprintf(lpath, sizeof lpath, "%s/train-labels-idx1-ubyte", dir);
        write_idx(lpath, 0, 0x0E, 1, dlab, labels[k], 16);
        dlrt_dataset d;
        const char *err;
        if (k < 2) err = expect_error(dlrt_dataset_idx(dir, "train", &d), lpath, k ? "label 0.5 of sample 1" : "label nan of sample 1");
        else if (dlrt_dataset_idx(dir, "train", &d)) err = fail("%s", dlrt_error());
        else {
            const int32_t *y = d.cols[1].data;
            err = d.cols[1].dtype != DLRT_I32 || y[0] != 1 || y[1] != 2 ? fail("labels %d, %d", y[0], y[1]) : NULL;
            dlrt_dataset_free(&d);
        }
        report(name[k], err);
    }
}

static void t_idx_rejects(void) {
    dlrt_array a;
    static const uint32_t d10[] = {10}, d2[] = {2}, big[] = {4000000000u, 4000000000u, 4000000000u};
    static const unsigned char five[5] = {1, 2, 3, 4, 5};
    const char *p = tmp_path("short.idx.gz");
    write_idx(p, 1, 0x08, 1, d10, five, 5);
    report("idx rejects: truncated gz data", expect_error(dlrt_idx_read(p, &a), p, "truncated"));
    p = tmp_path("short-raw.idx");
    write_idx(p, 0, 0x0D, 1, d2, five, 5);
    report("idx rejects: truncated raw data", expect_error(dlrt_idx_read(p, &a), p, "truncated"));
    p = tmp_path("long.idx.gz");
    write_idx(p, 1, 0x08, 1, d2, five, 5);
    report("idx rejects: data longer than dims", expect_error(dlrt_idx_read(p, &a), p, "unexpected data"));
    p = tmp_path("huge.idx.gz");
    write_idx(p, 1, 0x08, 3, big, five, 5);
    report("idx rejects: absurd dims", expect_error(dlrt_idx_read(p, &a), p, NULL));
    p = tmp_path("type.idx.gz");
    write_idx(p, 1, 0x0B, 1, d2, five, 4);
    report("idx rejects: unsupported type 0x0B", expect_error(dlrt_idx_read(p, &a), p, "0x0B"));
    p = tmp_path("magic.idx");
    write_bytes(p, "\x01\x00\x08\x01\0\0\0\1x", 9);
    report("idx rejects: bad magic", expect_error(dlrt_idx_read(p, &a), p, "magic"));
    p = tmp_path("hdr.idx");
    write_bytes(p, "\0\0\x08\x03\0\0", 6); /* claims 3 dims, cut inside the first */
    report("idx rejects: truncated header", expect_error(dlrt_idx_read(p, &a), p, "header"));
    report("idx rejects: missing file", expect_error(dlrt_idx_read(tmp_path("nope.idx.gz"), &a), "nope.idx.gz", "cannot open"));

    /* A damaged gzip stream: cut in the middle, and a corrupted CRC trailer. */
    enum { N = 5000 };
    static unsigned char payload[N];
    for (int i = 0; i < N; i++) payload[i] = (unsigned char)(dlrt_rand_u64(3, 0, (uint64_t)i) & 0x0F);
    static const uint32_t dn[] = {N};
    const char *good = tmp_path("good.idx.gz");
    write_idx(good, 1, 0x08, 1, dn, payload, N);
    size_t len;
    unsigned char *b = read_bytes(good, &len);
    const char *err = b && dlrt_idx_read(good, &a) == 0 ? NULL : fail("control file unreadable: %s", dlrt_error());
    if (!err) dlrt_array_free(&a);
    report("idx: gz control file reads", err);
    if (!b) return;
    p = tmp_path("cut.idx.gz");
    write_bytes(p, b, len / 2);
    report("idx rejects: gzip stream cut in half", expect_error(dlrt_idx_read(p, &a), p, "truncated"));
    write_bytes(p, b, len - 4); /* data complete, ISIZE trailer missing */
    report("idx rejects: gzip trailer missing", expect_error(dlrt_idx_read(p, &a), p, NULL));
    b[len - 6] ^= 0x55; /* inside the CRC32 */
    write_bytes(p, b, len);
    report("idx rejects: gzip CRC mismatch", expect_error(dlrt_idx_read(p, &a), p, "corrupt gzip"));
    free(b);
}

/* ---- main ---------------------------------------------------------------------------------------- */

/* ---- text ------------------------------------------------------------------------------------ */

/* The vocabulary is the distinct codes in increasing order and every token is its code's rank,
 * by bytes and by UTF-8 characters (a stray continuation byte stands for itself). */
static const char *t_text_vocab(void) {
    static const char corpus[] = "b" "\xc3\xa9" "a" "\xe2\x82\xac" "b" "\x80" "a\n";   /* b é a € b 0x80 a \n */
    static const int32_t bytes_vocab[] = {0x0A, 0x61, 0x62, 0x80, 0x82, 0xA9, 0xAC, 0xC3, 0xE2};
    static const int32_t utf8_vocab[] = {0x0A, 0x61, 0x62, 0x80, 0xE9, 0x20AC};
    static const int32_t utf8_ids[] = {2, 4, 1, 5, 2, 3, 1, 0};
    const char *path = tmp_path("corpus.txt");
    if (write_bytes(path, corpus, sizeof corpus - 1)) return fail("cannot write %s", path);
    for (int unit = DLRT_TEXT_BYTES; unit <= DLRT_TEXT_UTF8; unit++) {
        dlrt_text t;
        if (dlrt_text_read(path, unit, &t)) return fail("read: %s", dlrt_error());
        const int32_t *want = unit == DLRT_TEXT_BYTES ? bytes_vocab : utf8_vocab;
        int64_t nwant = unit == DLRT_TEXT_BYTES ? 9 : 6, ntok = unit == DLRT_TEXT_BYTES ? (int64_t)sizeof corpus - 1 : 8;
        if (t.nvocab != nwant || t.ntokens != ntok)
            return fail("unit %d: %lld codes, %lld tokens", unit, (long long)t.nvocab, (long long)t.ntokens);
        for (int64_t i = 0; i < nwant; i++)
            if (t.vocab[i] != want[i]) return fail("unit %d: vocab[%lld] = %d", unit, (long long)i, t.vocab[i]);
        for (int64_t i = 0; i < ntok; i++) {
            int32_t code = unit == DLRT_TEXT_BYTES ? (unsigned char)corpus[i] : utf8_vocab[utf8_ids[i]];
            if (t.ids[i] < 0 || t.ids[i] >= t.nvocab || t.vocab[t.ids[i]] != code || dlrt_text_id(&t, code) != t.ids[i])
                return fail("unit %d: token %lld has id %d", unit, (long long)i, t.ids[i]);
        }
        dlrt_text_free(&t);
    }
    return NULL;
}

/* UTF-8 past U+10FFFF (lead bytes F5..FF, or F4 with a too-large continuation) is malformed:
 * each byte stands for itself, and the vocabulary still round-trips through a checkpoint. */
static const char *t_text_utf8_range(void) {
    static const char corpus[] = "\xf4\x90\x80\x80" "\xf8" "a" "\xf4\x8f\xbf\xbf";   /* U+110000?, F8, a, U+10FFFF */
    static const int32_t want[] = {0x61, 0x80, 0x90, 0xF4, 0xF8, 0x10FFFF};
    const char *path = tmp_path("range.txt");
    if (write_bytes(path, corpus, sizeof corpus - 1)) return fail("cannot write %s", path);
    dlrt_text t, back;
    if (dlrt_text_read(path, DLRT_TEXT_UTF8, &t)) return fail("read: %s", dlrt_error());
    const char *err = NULL;
    if (t.nvocab != 6 || t.ntokens != 7) err = fail("%lld codes, %lld tokens", (long long)t.nvocab, (long long)t.ntokens);
    for (int64_t i = 0; !err && i < 6; i++)
        if (t.vocab[i] != want[i]) err = fail("vocab[%lld] = 0x%X", (long long)i, (unsigned)t.vocab[i]);
    char *vs = dlrt_text_vocab_string(&t);
    if (!err && dlrt_text_from_vocab_string(vs, &back)) err = fail("vocabulary '%s' does not read back: %s", vs, dlrt_error());
    else if (!err) {
        if (back.nvocab != t.nvocab || memcmp(back.vocab, t.vocab, sizeof *t.vocab * (size_t)t.nvocab)) err = fail("vocabulary changed");
        dlrt_text_free(&back);
    }
    free(vs);
    dlrt_text_free(&t);
    return err;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) verbose = 1;
        else datadir = argv[i];
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/dlrt_test_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("not ok - setup: cannot create a scratch directory\n");
        return 1;
    }

    report("dtype sizes and names", t_dtypes());
    report("dlrt_fail/dlrt_error", t_errors());
    report("array alloc/free/numel/nbytes", t_array_alloc());
    report("dlrt_get/dlrt_set", t_get_set());
    report("dlrt_convert", t_convert());

    report("rng: Philox4x32-10 known answers", t_rng_kat());
    report("rng: deterministic, distinct across seed/stream/counter", t_rng_determinism());
    report("rng: uniform in [0,1) with 53 bits", t_rng_uniform());
    report("shuffle: permutation, reproducible, differs across epochs", t_shuffle());
    report("shuffle: all orders of 3 equally likely", t_shuffle_uniform());
    report("learning-rate schedules match torch.optim.lr_scheduler", t_lr_schedules());

    report("safetensors: round trip (5 dtypes, scalar, empty, odd name, metadata)", t_st_roundtrip());
    report("safetensors: header layout, order, padding, no temp file", t_st_layout());
    report("safetensors: empty set round trip", t_st_empty_set());
    report("safetensors: reads torch-written fixture", t_st_torch_fixture());
    report("safetensors: accepts legal but unusual JSON", t_st_accepts_odd_json());
    t_st_corrupt();
    report("safetensors rejects: every truncation", t_st_truncations());
    report("safetensors: 3000 corrupted files handled", t_st_fuzz());
    t_st_write_errors();

    report("npy: round trip (5 dtypes, scalar, (n,), empty, rank 8)", t_npy_roundtrip());
    report("npy: reads numpy-written v1/v2/v3 fixtures", t_npy_numpy_fixtures());
    t_npy_rejects();

    t_idx_fashion_mnist();
    report("idx: synthetic u8/f32/i32/f64, gzip and raw", t_idx_synthetic());
    t_idx_rejects();
    t_idx_float_labels();
    t_idx_bytes();

    report("text: vocabulary and ids, bytes and UTF-8", t_text_vocab());
    report("text: UTF-8 past U+10FFFF stands for its bytes", t_text_utf8_range());

    remove_tmpdir();
    printf("# %d failed\n", n_failed);
    return n_failed ? 1 : 0;
}
