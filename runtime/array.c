/* array.c — errors, dtypes and dense arrays for the dlc runtime.
 *
 * Holds the thread-local error message behind dlrt_error()/dlrt_fail(), the dtype table,
 * allocation of zero-filled row-major arrays, and element access/conversion between dtypes.
 * Conversions to integer dtypes truncate toward zero and saturate at the type's range (NaN
 * becomes 0), so no input can trigger undefined behaviour.  Integer-to-integer conversion goes
 * through int64_t rather than double, so large i64 values survive exactly.
 *
 * It also implements the small internal helpers declared in dlrt_internal.h (byte order,
 * overflow-checked shape sizes, atomic temp-file-then-rename writing) that the file-format
 * modules share. */
#define _POSIX_C_SOURCE 200809L

#include "dlrt_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- errors ---------------------------------------------------------------------------- */

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DLRT_TLS _Thread_local
#else
#define DLRT_TLS __thread
#endif

static DLRT_TLS char err_msg[1024];

const char *dlrt_error(void) { return err_msg; }

int dlrt_fail(const char *fmt, ...) {
    /* Format into a scratch buffer first: the arguments may point into err_msg itself
     * (e.g. dlrt_fail("%s: %s", path, dlrt_error())). */
    char tmp[sizeof err_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(err_msg, tmp, sizeof tmp);
    return -1;
}

/* ---- dtypes ---------------------------------------------------------------------------- */

static int dtype_valid(dlrt_dtype t) { return (unsigned)t < (unsigned)DLRT_DTYPE_COUNT; }

size_t dlrt_dtype_size(dlrt_dtype t) {
    switch (t) {
    case DLRT_F32: return 4;
    case DLRT_F64: return 8;
    case DLRT_I32: return 4;
    case DLRT_I64: return 8;
    case DLRT_U8: return 1;
    default: return 0;
    }
}

const char *dlrt_dtype_name(dlrt_dtype t) {
    switch (t) {
    case DLRT_F32: return "f32";
    case DLRT_F64: return "f64";
    case DLRT_I32: return "i32";
    case DLRT_I64: return "i64";
    case DLRT_U8: return "u8";
    default: return "invalid";
    }
}

/* ---- arrays ---------------------------------------------------------------------------- */

int64_t dlrt_array_numel(const dlrt_array *a) {
    if (!a || a->rank < 0 || a->rank > DLRT_MAX_RANK) return 0;
    int64_t n = 1;
    for (int d = 0; d < a->rank; d++)
        if (a->shape[d] == 0) return 0; /* before multiplying: [huge, huge, 0] is empty */
    for (int d = 0; d < a->rank; d++) n *= a->shape[d];
    return n;
}

size_t dlrt_array_nbytes(const dlrt_array *a) {
    if (!a) return 0;
    return (size_t)dlrt_array_numel(a) * dlrt_dtype_size(a->dtype);
}

int dlrt_array_alloc(dlrt_array *a, dlrt_dtype t, int rank, const int64_t *shape) {
    memset(a, 0, sizeof *a);
    if (!dtype_valid(t)) return dlrt_fail("array: invalid dtype %d", (int)t);
    if (rank < 0 || rank > DLRT_MAX_RANK)
        return dlrt_fail("array: rank %d out of range 0..%d", rank, DLRT_MAX_RANK);
    if (rank > 0 && !shape) return dlrt_fail("array: rank %d but no shape", rank);

    for (int d = 0; d < rank; d++)
        if (shape[d] < 0)
            return dlrt_fail("array: dimension %d is negative (%lld)", d, (long long)shape[d]);
    uint64_t nbytes;
    if (dlrt__shape_bytes(rank, shape, t, &nbytes))
        return dlrt_fail("array: shape is too large to allocate");
    void *data = calloc(nbytes ? (size_t)nbytes : 1, 1); /* never NULL for empty arrays */
    if (!data) return dlrt_fail("array: out of memory allocating %llu bytes",
                                 (unsigned long long)nbytes);

    a->dtype = t;
    a->rank = rank;
    for (int d = 0; d < rank; d++) a->shape[d] = shape[d];
    a->data = data;
    return 0;
}

void dlrt_array_free(dlrt_array *a) {
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- element access and conversion ------------------------------------------------------- */

/* Saturating double -> integer: truncate toward zero, clamp, NaN -> 0. */
static int64_t sat_f_i64(double v) {
    if (v != v) return 0;
    if (v >= 0x1p63) return INT64_MAX;
    if (v < -0x1p63) return INT64_MIN;
    return (int64_t)v;
}

static int32_t sat_f_i32(double v) {
    if (v != v) return 0;
    if (v >= 2147483647.0) return INT32_MAX;
    if (v <= -2147483648.0) return INT32_MIN;
    return (int32_t)v;
}

static uint8_t sat_f_u8(double v) {
    if (v != v || v <= 0.0) return 0;
    if (v >= 255.0) return 255;
    return (uint8_t)v;
}

static int32_t sat_i_i32(int64_t v) {
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static uint8_t sat_i_u8(int64_t v) { return v > 255 ? 255 : v < 0 ? 0 : (uint8_t)v; }

double dlrt_get(const void *data, dlrt_dtype t, int64_t i) {
    switch (t) {
    case DLRT_F32: return ((const float *)data)[i];
    case DLRT_F64: return ((const double *)data)[i];
    case DLRT_I32: return ((const int32_t *)data)[i];
    case DLRT_I64: return (double)((const int64_t *)data)[i];
    case DLRT_U8: return ((const uint8_t *)data)[i];
    default: return 0.0;
    }
}

void dlrt_set(void *data, dlrt_dtype t, int64_t i, double v) {
    switch (t) {
    case DLRT_F32: ((float *)data)[i] = (float)v; break;
    case DLRT_F64: ((double *)data)[i] = v; break;
    case DLRT_I32: ((int32_t *)data)[i] = sat_f_i32(v); break;
    case DLRT_I64: ((int64_t *)data)[i] = sat_f_i64(v); break;
    case DLRT_U8: ((uint8_t *)data)[i] = sat_f_u8(v); break;
    default: break;
    }
}

/* Integer element as int64_t (only called for integer dtypes). */
static int64_t get_int(const void *data, dlrt_dtype t, int64_t i) {
    switch (t) {
    case DLRT_I32: return ((const int32_t *)data)[i];
    case DLRT_I64: return ((const int64_t *)data)[i];
    case DLRT_U8: return ((const uint8_t *)data)[i];
    default: return 0;
    }
}

/* Store an exact integer: direct casts to float types (single rounding), saturating to ints. */
static void set_from_int(void *data, dlrt_dtype t, int64_t i, int64_t v) {
    switch (t) {
    case DLRT_F32: ((float *)data)[i] = (float)v; break;
    case DLRT_F64: ((double *)data)[i] = (double)v; break;
    case DLRT_I32: ((int32_t *)data)[i] = sat_i_i32(v); break;
    case DLRT_I64: ((int64_t *)data)[i] = v; break;
    case DLRT_U8: ((uint8_t *)data)[i] = sat_i_u8(v); break;
    default: break;
    }
}

void dlrt_convert(void *dst, dlrt_dtype dt, const void *src, dlrt_dtype st, int64_t n) {
    if (n <= 0 || !dtype_valid(dt) || !dtype_valid(st)) return;
    if (dt == st) {
        memmove(dst, src, (size_t)n * dlrt_dtype_size(st));
        return;
    }
    /* Different dtypes: dst and src must not overlap. */
    if (st == DLRT_F32 || st == DLRT_F64) {
        for (int64_t i = 0; i < n; i++) dlrt_set(dst, dt, i, dlrt_get(src, st, i));
    } else {
        for (int64_t i = 0; i < n; i++) set_from_int(dst, dt, i, get_int(src, st, i));
    }
}

/* ---- internal helpers (dlrt_internal.h) -------------------------------------------------- */

int dlrt__host_is_le(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

void dlrt__swap_bytes(void *data, size_t elsize, size_t n) {
    if (elsize < 2) return;
    unsigned char *p = data;
    for (size_t k = 0; k < n; k++, p += elsize) {
        for (size_t lo = 0, hi = elsize - 1; lo < hi; lo++, hi--) {
            unsigned char c = p[lo];
            p[lo] = p[hi];
            p[hi] = c;
        }
    }
}

int dlrt__write_le(FILE *f, const void *data, dlrt_dtype t, int64_t n) {
    size_t esize = dlrt_dtype_size(t);
    size_t total = (size_t)n * esize;
    if (total == 0) return 0;
    if (esize == 1 || dlrt__host_is_le()) return fwrite(data, 1, total, f) == total ? 0 : -1;

    /* Big-endian host: swap a bounded chunk at a time. */
    unsigned char buf[1 << 14];
    const unsigned char *p = data;
    size_t per = sizeof buf / esize;
    for (size_t done = 0; done < (size_t)n;) {
        size_t k = (size_t)n - done < per ? (size_t)n - done : per;
        memcpy(buf, p + done * esize, k * esize);
        dlrt__swap_bytes(buf, esize, k);
        if (fwrite(buf, esize, k, f) != k) return -1;
        done += k;
    }
    return 0;
}

int dlrt__shape_bytes(int rank, const int64_t *shape, dlrt_dtype t, uint64_t *out) {
    size_t esize = dlrt_dtype_size(t);
    if (esize == 0 || rank < 0 || rank > DLRT_MAX_RANK) return -1;
    uint64_t limit = (uint64_t)INT64_MAX < (uint64_t)SIZE_MAX ? (uint64_t)INT64_MAX
                                                                : (uint64_t)SIZE_MAX;
    limit /= esize;
    uint64_t prod = 1; /* product of the nonzero dimensions */
    int zero = 0;
    for (int d = 0; d < rank; d++) {
        if (shape[d] < 0) return -1;
        uint64_t dim = (uint64_t)shape[d];
        if (dim == 0) zero = 1;
        else if (prod > limit / dim) return -1;
        else prod *= dim;
    }
    *out = zero ? 0 : prod * esize;
    return 0;
}

int dlrt__atomic_open(dlrt__atomic_file *w, const char *path, const char *what) {
    memset(w, 0, sizeof *w);
    w->path = path;
    w->what = what;
    size_t len = strlen(path) + 32;
    w->tmp = malloc(len);
    if (!w->tmp) return dlrt_fail("%s: %s: out of memory", what, path);
    snprintf(w->tmp, len, "%s.tmp.%ld", path, (long)getpid());
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        int e = errno;
        free(w->tmp);
        w->tmp = NULL;
        return dlrt_fail("%s: %s: cannot create temporary file: %s", what, path, strerror(e));
    }
    return 0;
}

int dlrt__atomic_commit(dlrt__atomic_file *w) {
    FILE *f = w->f;
    int err = 0;
    w->f = NULL;
    errno = 0;
    if (fflush(f) != 0 || ferror(f)) err = errno ? errno : EIO;
    /* Make the data durable before the rename publishes it (EINVAL: not syncable, ignore). */
    if (!err && fsync(fileno(f)) != 0 && errno != EINVAL) err = errno;
    if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    if (!err && rename(w->tmp, w->path) != 0) err = errno;
    if (err) {
        remove(w->tmp);
        free(w->tmp);
        w->tmp = NULL;
        return dlrt_fail("%s: %s: write failed: %s", w->what, w->path, strerror(err));
    }
    free(w->tmp);
    w->tmp = NULL;
    return 0;
}

void dlrt__atomic_abort(dlrt__atomic_file *w) {
    if (w->f) fclose(w->f);
    w->f = NULL;
    if (w->tmp) remove(w->tmp);
    free(w->tmp);
    w->tmp = NULL;
}

/* ---- whole files ------------------------------------------------------------------------- */

int dlrt__append_file(const char *path, char **buf, size_t *len, size_t *cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return dlrt_fail("cannot open %s", path);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (*len + got > *cap) {
            size_t ncap = (*cap ? *cap * 2 : 1 << 20) + got;
            char *nb = realloc(*buf, ncap);
            if (!nb) {
                fclose(f);
                return dlrt_fail("out of memory reading %s", path);
            }
            *buf = nb;
            *cap = ncap;
        }
        memcpy(*buf + *len, chunk, got);
        *len += got;
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? dlrt_fail("cannot read %s", path) : 0;
}
