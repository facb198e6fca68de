/* npy.c — read and write NumPy .npy files.
 *
 * Layout: "\x93NUMPY", major, minor, header length (u16 LE for v1.0, u32 LE for v2.0/v3.0),
 * then a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and a newline, then the raw C-order data.
 *
 * The reader accepts v1.0, v2.0 and v3.0 files with dtypes <f4 <f8 <i4 <i8 |u1 (and <u1) in C
 * order; the header dict is parsed by a small parser for exactly that literal subset (quoted
 * strings, True/False, tuples of integers).  The data size must match the shape exactly, so a
 * truncated file (or one with trailing bytes) is rejected with a message naming the file.
 * The writer emits v1.0 with the header padded so the data starts 64-byte aligned, as numpy
 * does, and writes atomically (temp file + rename). */
#define _POSIX_C_SOURCE 200809L

#include "dlrt_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_HEADER (1u << 20) /* far beyond any real header; bounds the allocation */

static const struct {
    const char *descr;
    dlrt_dtype dtype;
} npy_types[] = {
    {"<f4", DLRT_F32}, {"<f8", DLRT_F64}, {"<i4", DLRT_I32},
    {"<i8", DLRT_I64}, {"|u1", DLRT_U8},  {"<u1", DLRT_U8},
};

/* ---- header dict parser ------------------------------------------------------------------- */

typedef struct {
    const char *path;
    const unsigned char *s;
    size_t n, pos;
} lit;

static int perr(lit *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int perr(lit *p, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dlrt_fail("npy: %s: bad header at byte %zu: %s", p->path, p->pos, msg);
}

static int ppeek(lit *p) {
    while (p->pos < p->n) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
        p->pos++;
    }
    return -1;
}

static int pexpect(lit *p, char c) {
    if (ppeek(p) != c) return perr(p, "expected '%c'", c);
    p->pos++;
    return 0;
}

/* A quoted string without escapes into buf (cap bytes incl. NUL). */
static int pstring(lit *p, char *buf, size_t cap, const char *what) {
    int q = ppeek(p);
    if (q != '\'' && q != '"') return perr(p, "%s must be a quoted string", what);
    size_t start = ++p->pos;
    while (p->pos < p->n && p->s[p->pos] != q) {
        if (p->s[p->pos] == '\\') return perr(p, "escape sequences are not supported");
        p->pos++;
    }
    if (p->pos >= p->n) return perr(p, "unterminated string");
    size_t len = p->pos - start;
    if (len >= cap) return perr(p, "%s is too long", what);
    memcpy(buf, p->s + start, len);
    buf[len] = '\0';
    p->pos++;
    return 0;
}

static int pword(lit *p, const char *w) {
    size_t len = strlen(w);
    if (p->n - p->pos >= len && memcmp(p->s + p->pos, w, len) == 0) {
        p->pos += len;
        return 1;
    }
    return 0;
}

/* A tuple of non-negative integers: (), (n,), (a, b), (a, b,). */
static int pshape(lit *p, int *rank, int64_t *shape) {
    if (pexpect(p, '(')) return -1;
    *rank = 0;
    if (ppeek(p) == ')') {
        p->pos++;
        return 0;
    }
    for (;;) {
        int c = ppeek(p);
        if (c < '0' || c > '9') return perr(p, "shape must be a tuple of non-negative integers");
        uint64_t v = 0;
        while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
            unsigned d = p->s[p->pos] - '0';
            if (v > ((uint64_t)INT64_MAX - d) / 10) return perr(p, "shape dimension too large");
            v = v * 10 + d;
            p->pos++;
        }
        if (*rank == DLRT_MAX_RANK) return perr(p, "rank above %d is not supported", DLRT_MAX_RANK);
        shape[(*rank)++] = (int64_t)v;
        c = ppeek(p);
        if (c == ')') {
            if (*rank == 1) return perr(p, "shape (n) is not a tuple; expected (n,)");
            p->pos++;
            return 0;
        }
        if (c != ',') return perr(p, "expected ',' or ')' in shape");
        p->pos++;
        if (ppeek(p) == ')') {
            p->pos++;
            return 0;
        }
    }
}

/* Parse the dict; fills *t, *rank, shape. */
static int parse_dict(lit *p, dlrt_dtype *t, int *rank, int64_t *shape) {
    int have_descr = 0, have_order = 0, have_shape = 0;
    char key[32], descr[32];
    if (pexpect(p, '{')) return -1;
    while (ppeek(p) != '}') {
        if (pstring(p, key, sizeof key, "key") || pexpect(p, ':')) return -1;
        int c = ppeek(p);
        if (strcmp(key, "descr") == 0 && !have_descr) {
            if (c == '[') return dlrt_fail("npy: %s: structured dtypes are not supported", p->path);
            if (pstring(p, descr, sizeof descr, "descr")) return -1;
            size_t k, nt = sizeof npy_types / sizeof npy_types[0];
            for (k = 0; k < nt && strcmp(descr, npy_types[k].descr) != 0; k++) {}
            if (k == nt) {
                if (descr[0] == '>')
                    return dlrt_fail("npy: %s: big-endian dtype '%s' is not supported "
                                     "(save with a little-endian dtype)", p->path, descr);
                return dlrt_fail("npy: %s: dtype '%s' is not supported (supported: <f4 <f8 "
                                 "<i4 <i8 |u1)", p->path, descr);
            }
            *t = npy_types[k].dtype;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
            if (pword(p, "True"))
                return dlrt_fail("npy: %s: fortran_order=True is not supported (save a "
                                 "C-contiguous array, e.g. numpy.ascontiguousarray)", p->path);
            if (!pword(p, "False")) return perr(p, "fortran_order must be True or False");
            have_order = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if (pshape(p, rank, shape)) return -1;
            have_shape = 1;
        } else {
            return perr(p, "unexpected or duplicate key '%s'", key);
        }
        c = ppeek(p);
        if (c == ',') p->pos++;
        else if (c != '}') return perr(p, "expected ',' or '}'");
    }
    p->pos++;
    if (ppeek(p) >= 0) return perr(p, "unexpected data after the header dict");
    if (!have_descr || !have_order || !have_shape)
        return dlrt_fail("npy: %s: header lacks '%s'", p->path,
                         !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    return 0;
}

/* ---- reader ---------------------------------------------------------------------------------- */

int dlrt_npy_read(const char *path, dlrt_array *out) {
    unsigned char pre[12];
    unsigned char *header = NULL;
    memset(out, 0, sizeof *out);

    FILE *f = fopen(path, "rb");
    if (!f) return dlrt_fail("npy: %s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        dlrt_fail("npy: %s: not a regular file", path);
        goto fail;
    }
    uint64_t fsize = (uint64_t)st.st_size;

    if (fread(pre, 1, 10, f) != 10) {
        dlrt_fail("npy: %s: file too short for an NPY header (truncated?)", path);
        goto fail;
    }
    if (memcmp(pre, NPY_MAGIC, 6) != 0) {
        dlrt_fail("npy: %s: not an NPY file (bad magic)", path);
        goto fail;
    }
    int major = pre[6], minor = pre[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
        dlrt_fail("npy: %s: unsupported NPY format version %d.%d", path, major, minor);
        goto fail;
    }
    /* v1: u16 header length; v2/v3: u32 (two more bytes to read). */
    size_t prelen = major == 1 ? 10 : 12;
    if (prelen == 12 && fread(pre + 10, 1, 2, f) != 2) {
        dlrt_fail("npy: %s: file too short for an NPY header (truncated?)", path);
        goto fail;
    }
    uint64_t hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
    if (prelen == 12) hlen |= (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24;
    if (hlen > fsize - prelen) {
        dlrt_fail("npy: %s: header length %llu exceeds the file size (truncated?)", path,
                  (unsigned long long)hlen);
        goto fail;
    }
    if (hlen > NPY_MAX_HEADER) {
        dlrt_fail("npy: %s: implausible header length %llu", path, (unsigned long long)hlen);
        goto fail;
    }
    header = malloc(hlen ? (size_t)hlen : 1);
    if (!header || fread(header, 1, (size_t)hlen, f) != (size_t)hlen) {
        dlrt_fail("npy: %s: cannot read header", path);
        goto fail;
    }

    dlrt_dtype t = DLRT_F32;
    int rank = 0;
    int64_t shape[DLRT_MAX_RANK];
    lit p = {path, header, (size_t)hlen, 0};
    if (parse_dict(&p, &t, &rank, shape)) goto fail;
    free(header);
    header = NULL;

    uint64_t nbytes, have = fsize - prelen - hlen;
    if (dlrt__shape_bytes(rank, shape, t, &nbytes)) {
        dlrt_fail("npy: %s: shape is too large", path);
        goto fail;
    }
    if (have < nbytes) {
        dlrt_fail("npy: %s: truncated: shape needs %llu data bytes but the file has %llu", path,
                  (unsigned long long)nbytes, (unsigned long long)have);
        goto fail;
    }
    if (have > nbytes) {
        dlrt_fail("npy: %s: %llu unexpected bytes after the data (shape needs %llu)", path,
                  (unsigned long long)(have - nbytes), (unsigned long long)nbytes);
        goto fail;
    }
    if (dlrt_array_alloc(out, t, rank, shape)) {
        dlrt_fail("npy: %s: %s", path, dlrt_error());
        goto fail;
    }
    if (nbytes && fread(out->data, 1, (size_t)nbytes, f) != (size_t)nbytes) {
        dlrt_fail("npy: %s: read failed (I/O error or file changed while reading)", path);
        goto fail;
    }
    if (!dlrt__host_is_le())
        dlrt__swap_bytes(out->data, dlrt_dtype_size(t), (size_t)dlrt_array_numel(out));
    fclose(f);
    return 0;

fail:
    free(header);
    dlrt_array_free(out);
    fclose(f);
    return -1;
}

/* ---- writer ---------------------------------------------------------------------------------- */

int dlrt_npy_write(const char *path, const dlrt_array *a) {
    if (!path || !a) return dlrt_fail("npy: invalid arguments");
    uint64_t nbytes;
    if ((unsigned)a->dtype >= (unsigned)DLRT_DTYPE_COUNT ||
        dlrt__shape_bytes(a->rank, a->shape, a->dtype, &nbytes))
        return dlrt_fail("npy: %s: invalid array (dtype, rank or shape)", path);
    if (nbytes && !a->data) return dlrt_fail("npy: %s: array has no data", path);

    static const char *descr[DLRT_DTYPE_COUNT] = {"<f4", "<f8", "<i4", "<i8", "|u1"};
    /* Header text: at most ~60 + 8 * 22 characters plus up to 64 of padding. */
    char h[512];
    int len = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                       descr[a->dtype]);
    for (int d = 0; d < a->rank; d++)
        len += snprintf(h + len, sizeof h - (size_t)len, d ? ", %lld" : "%lld",
                        (long long)a->shape[d]);
    len += snprintf(h + len, sizeof h - (size_t)len, "%s), }", a->rank == 1 ? "," : "");
    /* Pad with spaces and end with '\n' so magic+version+length+header is 64-aligned. */
    while ((10 + len + 1) % 64 != 0) h[len++] = ' ';
    h[len++] = '\n';

    dlrt__atomic_file w;
    if (dlrt__atomic_open(&w, path, "npy")) return -1;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(len & 0xFF),
                             (unsigned char)(len >> 8)};
    if (fwrite(pre, 1, sizeof pre, w.f) != sizeof pre ||
        fwrite(h, 1, (size_t)len, w.f) != (size_t)len ||
        dlrt__write_le(w.f, a->data, a->dtype, dlrt_array_numel(a)) != 0) {
        int e = errno;
        dlrt__atomic_abort(&w);
        return dlrt_fail("npy: %s: write failed: %s", path, strerror(e));
    }
    return dlrt__atomic_commit(&w);
}
