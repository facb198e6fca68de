/* safetensors.c — read and write the safetensors format (huggingface/safetensors).
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON, then the data buffer.
 * The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
 * relative to the data buffer) plus an optional "__metadata__" object.
 *
 * The reader uses a small strict JSON parser written for this header: it accepts exactly JSON
 * (objects, arrays, strings with escapes and UTF-8 validation, numbers, literals), keeps only
 * what a tensor entry needs, and validates everything against the file size before allocating
 * or reading, so a malformed, truncated or hostile file yields a dlrt_fail message naming the
 * file (and the tensor, when one is involved) and never an out-of-bounds access.
 *
 * The writer emits tensors in the order given (data contiguous, in that order), "__metadata__"
 * first as the reference implementation does, pads the header with spaces to a multiple of 8
 * bytes, and writes atomically via a temp file and rename(). */
#define _POSIX_C_SOURCE 200809L

#include "dlrt_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ST_MAX_HEADER 100000000u /* header size cap, as in the reference implementation */
#define JSON_MAX_DEPTH 64        /* nesting limit for skipped values */

/* ---- dtype names ------------------------------------------------------------------------- */

static const char *st_dtype_name(dlrt_dtype t) {
    static const char *names[DLRT_DTYPE_COUNT] = {"F32", "F64", "I32", "I64", "U8"};
    return (unsigned)t < (unsigned)DLRT_DTYPE_COUNT ? names[t] : "?";
}

static int st_dtype_parse(const char *s, dlrt_dtype *t) {
    for (int k = 0; k < DLRT_DTYPE_COUNT; k++) {
        if (strcmp(s, st_dtype_name((dlrt_dtype)k)) == 0) {
            *t = (dlrt_dtype)k;
            return 0;
        }
    }
    return -1;
}

/* ---- UTF-8 --------------------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (avail bytes available), or 0 if invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_seq_len(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (avail < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t k = 2; k < len; k++)
        if (s[k] < 0x80 || s[k] > 0xBF) return 0;
    return len;
}

static int utf8_valid(const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq_len(s + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

/* ---- duplicate names ------------------------------------------------------------------------ */

static int cmp_str_ptr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Some name that occurs twice among names[0..n) (found by sorting a copy: O(n log n) even
 * for huge headers), or NULL.  *oom is set if the copy cannot be allocated. */
static const char *find_duplicate(const char **names, int n, int *oom) {
    *oom = 0;
    if (n < 2) return NULL;
    const char **v = malloc((size_t)n * sizeof *v);
    if (!v) {
        *oom = 1;
        return NULL;
    }
    memcpy(v, names, (size_t)n * sizeof *v);
    qsort(v, (size_t)n, sizeof *v, cmp_str_ptr);
    const char *dup = NULL;
    for (int k = 1; k < n && !dup; k++)
        if (strcmp(v[k - 1], v[k]) == 0) dup = v[k];
    free(v);
    return dup;
}

/* ---- JSON parser ----------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    const unsigned char *s; /* header bytes (not NUL-terminated) */
    size_t n, pos;
    const char *tensor;     /* entry being parsed, for error messages */
} json;

static int jerr(json *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int jerr(json *j, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (j->tensor)
        return dlrt_fail("safetensors: %s: tensor '%.200s': bad JSON header at byte %zu: %s",
                         j->path, j->tensor, j->pos, msg);
    return dlrt_fail("safetensors: %s: bad JSON header at byte %zu: %s", j->path, j->pos, msg);
}

/* Next non-whitespace byte without consuming it, or -1 at the end. */
static int jpeek(json *j) {
    while (j->pos < j->n) {
        unsigned char c = j->s[j->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
        j->pos++;
    }
    return -1;
}

static int jexpect(json *j, char c) {
    int got = jpeek(j);
    if (got != c) {
        if (got < 0) return jerr(j, "expected '%c' but the header ended", c);
        return jerr(j, "expected '%c'", c);
    }
    j->pos++;
    return 0;
}

static int hex4(const unsigned char *p, unsigned *out) {
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_encode(unsigned cp, char *o) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parse a string; if out is non-NULL store a malloc'd, decoded, NUL-terminated copy. */
static int jstring(json *j, char **out) {
    if (out) *out = NULL;
    if (jexpect(j, '"')) return -1;
    /* Find the closing quote first so the decoded copy can be sized (escapes only shrink). */
    size_t start = j->pos, end = start;
    while (end < j->n && j->s[end] != '"') end += j->s[end] == '\\' ? 2 : 1;
    if (end >= j->n) return jerr(j, "unterminated string");

    char *buf = malloc(end - start + 1), *o = buf;
    if (!buf) return jerr(j, "out of memory");
    const unsigned char *s = j->s;
    while (j->pos < end) {
        unsigned char c = s[j->pos];
        if (c < 0x20) goto fail_msg_ctl;
        if (c != '\\') {
            size_t k = utf8_seq_len(s + j->pos, end - j->pos);
            if (!k) goto fail_msg_utf8;
            memcpy(o, s + j->pos, k);
            o += k;
            j->pos += k;
            continue;
        }
        unsigned char e = s[j->pos + 1]; /* exists: the scan above stepped over it */
        static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
        const char *simple = e ? strchr(esc_in, e) : NULL;
        if (simple) {
            *o++ = esc_out[simple - esc_in];
            j->pos += 2;
            continue;
        }
        if (e != 'u') goto fail_msg_esc;
        unsigned cp, lo;
        if (end - j->pos < 6 || hex4(s + j->pos + 2, &cp)) goto fail_msg_esc;
        j->pos += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) goto fail_msg_surr;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* must pair with a low surrogate */
            if (end - j->pos < 6 || s[j->pos] != '\\' || s[j->pos + 1] != 'u' ||
                hex4(s + j->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                goto fail_msg_surr;
            j->pos += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0) goto fail_msg_nul;
        o += utf8_encode(cp, o);
    }
    j->pos = end + 1;
    *o = '\0';
    if (out) *out = buf;
    else free(buf);
    return 0;

fail_msg_ctl:
    free(buf);
    return jerr(j, "control character in string");
fail_msg_utf8:
    free(buf);
    return jerr(j, "invalid UTF-8 in string");
fail_msg_esc:
    free(buf);
    return jerr(j, "invalid escape sequence in string");
fail_msg_surr:
    free(buf);
    return jerr(j, "unpaired UTF-16 surrogate in \\u escape");
fail_msg_nul:
    free(buf);
    return jerr(j, "\\u0000 in string is not supported");
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Parse a non-negative integer below 2^63 (what shapes and offsets need). */
static int juint(json *j, uint64_t *out, const char *what) {
    int c = jpeek(j);
    if (c == '-') return jerr(j, "%s must not be negative", what);
    if (!is_digit(c)) return jerr(j, "%s must be an integer", what);
    if (c == '0' && j->pos + 1 < j->n && is_digit(j->s[j->pos + 1]))
        return jerr(j, "%s has a leading zero", what);
    uint64_t v = 0;
    while (j->pos < j->n && is_digit(j->s[j->pos])) {
        unsigned d = j->s[j->pos] - '0';
        if (v > ((uint64_t)INT64_MAX - d) / 10) return jerr(j, "%s is too large", what);
        v = v * 10 + d;
        j->pos++;
    }
    if (j->pos < j->n && (j->s[j->pos] == '.' || j->s[j->pos] == 'e' || j->s[j->pos] == 'E'))
        return jerr(j, "%s must be an integer", what);
    *out = v;
    return 0;
}

/* Validate a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int jnumber(json *j) {
    const unsigned char *s = j->s;
    if (j->pos < j->n && s[j->pos] == '-') j->pos++;
    if (j->pos >= j->n || !is_digit(s[j->pos])) return jerr(j, "malformed number");
    if (s[j->pos] == '0') j->pos++;
    else
        while (j->pos < j->n && is_digit(s[j->pos])) j->pos++;
    if (j->pos < j->n && s[j->pos] == '.') {
        j->pos++;
        if (j->pos >= j->n || !is_digit(s[j->pos])) return jerr(j, "malformed number");
        while (j->pos < j->n && is_digit(s[j->pos])) j->pos++;
    }
    if (j->pos < j->n && (s[j->pos] == 'e' || s[j->pos] == 'E')) {
        j->pos++;
        if (j->pos < j->n && (s[j->pos] == '+' || s[j->pos] == '-')) j->pos++;
        if (j->pos >= j->n || !is_digit(s[j->pos])) return jerr(j, "malformed number");
        while (j->pos < j->n && is_digit(s[j->pos])) j->pos++;
    }
    return 0;
}

/* Parse and discard any JSON value (used for __metadata__ and unknown keys). */
static int jskip(json *j, int depth) {
    if (depth > JSON_MAX_DEPTH) return jerr(j, "nesting deeper than %d", JSON_MAX_DEPTH);
    int c = jpeek(j);
    if (c == '"') return jstring(j, NULL);
    if (c == '-' || is_digit(c)) return jnumber(j);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->pos++;
        if (jpeek(j) == close) {
            j->pos++;
            return 0;
        }
        for (;;) {
            if (c == '{' && (jstring(j, NULL) || jexpect(j, ':'))) return -1;
            if (jskip(j, depth + 1)) return -1;
            int d = jpeek(j);
            j->pos++;
            if (d == close) return 0;
            if (d != ',') {
                j->pos--;
                return jerr(j, "expected ',' or '%c'", close);
            }
        }
    }
    static const char *lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t len = strlen(lits[k]);
        if (c >= 0 && j->n - j->pos >= len && memcmp(j->s + j->pos, lits[k], len) == 0) {
            j->pos += len;
            return 0;
        }
    }
    return c < 0 ? jerr(j, "expected a value but the header ended") : jerr(j, "expected a value");
}

/* ---- header model -------------------------------------------------------------------------- */

typedef struct {
    char *name;
    dlrt_dtype dtype;
    int rank;
    int64_t shape[DLRT_MAX_RANK];
    uint64_t begin, end;
} tinfo;

/* Parse one tensor entry {"dtype": .., "shape": [..], "data_offsets": [b, e]}. */
static int parse_tensor(json *j, tinfo *t) {
    int have_dtype = 0, have_shape = 0, have_offsets = 0;
    if (jexpect(j, '{')) return -1;
    if (jpeek(j) == '}') {
        j->pos++;
    } else {
        for (;;) {
            char *key;
            if (jstring(j, &key)) return -1;
            if (jexpect(j, ':')) {
                free(key);
                return -1;
            }
            int rc = 0;
            if (strcmp(key, "dtype") == 0) {
                char *ds = NULL;
                if (have_dtype) rc = jerr(j, "duplicate key \"dtype\"");
                else if (!(rc = jstring(j, &ds)) && st_dtype_parse(ds, &t->dtype))
                    rc = dlrt_fail("safetensors: %s: tensor '%.200s': dtype \"%.40s\" is not "
                                   "supported (supported: F32 F64 I32 I64 U8)",
                                   j->path, t->name, ds);
                free(ds);
                have_dtype = 1;
            } else if (strcmp(key, "shape") == 0) {
                if (have_shape) rc = jerr(j, "duplicate key \"shape\"");
                else if (!(rc = jexpect(j, '['))) {
                    t->rank = 0;
                    if (jpeek(j) == ']') j->pos++;
                    else
                        for (;;) {
                            uint64_t d;
                            if ((rc = juint(j, &d, "shape dimension"))) break;
                            if (t->rank == DLRT_MAX_RANK) {
                                rc = jerr(j, "rank above %d is not supported", DLRT_MAX_RANK);
                                break;
                            }
                            t->shape[t->rank++] = (int64_t)d;
                            int c = jpeek(j);
                            j->pos++;
                            if (c == ']') break;
                            if (c != ',') {
                                j->pos--;
                                rc = jerr(j, "expected ',' or ']' in shape");
                                break;
                            }
                        }
                }
                have_shape = 1;
            } else if (strcmp(key, "data_offsets") == 0) {
                if (have_offsets) rc = jerr(j, "duplicate key \"data_offsets\"");
                else
                    rc = jexpect(j, '[') || juint(j, &t->begin, "data offset") ||
                         jexpect(j, ',') || juint(j, &t->end, "data offset") ||
                         jexpect(j, ']');
                have_offsets = 1;
            } else {
                rc = jskip(j, 1); /* unknown keys are allowed and ignored */
            }
            free(key);
            if (rc) return -1;
            int c = jpeek(j);
            j->pos++;
            if (c == '}') break;
            if (c != ',') {
                j->pos--;
                return jerr(j, "expected ',' or '}'");
            }
        }
    }
    const char *missing = !have_dtype ? "dtype" : !have_shape ? "shape"
                        : !have_offsets ? "data_offsets" : NULL;
    if (missing)
        return dlrt_fail("safetensors: %s: tensor '%.200s': missing \"%s\"", j->path, t->name,
                         missing);
    return 0;
}

static void free_infos(tinfo *v, int n) {
    for (int k = 0; k < n; k++) free(v[k].name);
    free(v);
}

/* "__metadata__": {"key": "value", ...} or null; string values are kept as (key, value) pairs
 * in *kv (malloc'd), others skipped. */
static int parse_meta(json *j, char ***kv, int *nkv) {
    if (jpeek(j) != '{') return jskip(j, 1);
    j->pos++;
    if (jpeek(j) == '}') {
        j->pos++;
        return 0;
    }
    for (;;) {
        char *key = NULL, *val = NULL;
        if (jstring(j, &key) || jexpect(j, ':')) {
            free(key);
            return -1;
        }
        if (jpeek(j) == '"' ? jstring(j, &val) : jskip(j, 2)) {
            free(key);
            return -1;
        }
        if (val) {
            char **nv = realloc(*kv, sizeof(char *) * (size_t)(2 * *nkv + 2));
            if (!nv) {
                free(key);
                free(val);
                return jerr(j, "out of memory");
            }
            *kv = nv;
            nv[2 * *nkv] = key;
            nv[2 * *nkv + 1] = val;
            ++*nkv;
        } else free(key);
        int c = jpeek(j);
        j->pos++;
        if (c == '}') return 0;
        if (c != ',') {
            j->pos--;
            return jerr(j, "expected ',' or '}'");
        }
    }
}

/* Parse the whole header into a malloc'd tinfo vector, and the metadata's strings. */
static int parse_header(json *j, tinfo **out, int *count, char ***meta, int *nmeta) {
    tinfo *v = NULL;
    int n = 0, cap = 0, seen_meta = 0;
    *out = NULL;
    *count = 0;
    if (jexpect(j, '{')) return -1;
    if (jpeek(j) == '}') {
        j->pos++;
    } else {
        for (;;) {
            char *key;
            if (jstring(j, &key)) goto fail;
            if (jexpect(j, ':')) {
                free(key);
                goto fail;
            }
            if (strcmp(key, "__metadata__") == 0) {
                free(key);
                if (seen_meta) {
                    jerr(j, "duplicate \"__metadata__\"");
                    goto fail;
                }
                seen_meta = 1;
                int c = jpeek(j);
                if (c != '{' && c != 'n') {
                    jerr(j, "\"__metadata__\" must be an object");
                    goto fail;
                }
                if (parse_meta(j, meta, nmeta)) goto fail;
            } else {
                if (n == cap) {
                    int ncap = cap ? cap * 2 : 16;
                    tinfo *nv = realloc(v, (size_t)ncap * sizeof *nv);
                    if (!nv) {
                        free(key);
                        dlrt_fail("safetensors: %s: out of memory", j->path);
                        goto fail;
                    }
                    v = nv;
                    cap = ncap;
                }
                memset(&v[n], 0, sizeof v[n]);
                v[n].name = key;
                n++;
                j->tensor = key;
                if (parse_tensor(j, &v[n - 1])) goto fail;
                j->tensor = NULL;
            }
            int c = jpeek(j);
            j->pos++;
            if (c == '}') break;
            if (c != ',') {
                j->pos--;
                jerr(j, "expected ',' or '}'");
                goto fail;
            }
        }
    }
    if (jpeek(j) >= 0) {
        jerr(j, "unexpected data after the header object");
        goto fail;
    }
    if (n > 1) {
        const char **names = malloc((size_t)n * sizeof *names);
        int oom = !names;
        const char *dup = NULL;
        for (int k = 0; k < n && names; k++) names[k] = v[k].name;
        if (names) dup = find_duplicate(names, n, &oom);
        if (dup) dlrt_fail("safetensors: %s: tensor '%.200s' appears twice", j->path, dup);
        else if (oom) dlrt_fail("safetensors: %s: out of memory", j->path);
        free(names);
        if (dup || oom) goto fail;
    }
    *out = v;
    *count = n;
    return 0;
fail:
    j->tensor = NULL;
    free_infos(v, n);
    return -1;
}

/* Check one entry against the data buffer length. */
static int check_tensor(const char *path, const tinfo *t, uint64_t data_len) {
    if (t->begin > t->end)
        return dlrt_fail("safetensors: %s: tensor '%.200s': data_offsets [%llu, %llu] are "
                         "reversed", path, t->name, (unsigned long long)t->begin,
                         (unsigned long long)t->end);
    if (t->end > data_len)
        return dlrt_fail("safetensors: %s: tensor '%.200s': data_offsets [%llu, %llu] lie "
                         "outside the %llu-byte data buffer (truncated file?)", path, t->name,
                         (unsigned long long)t->begin, (unsigned long long)t->end,
                         (unsigned long long)data_len);
    uint64_t need, span = t->end - t->begin;
    if (dlrt__shape_bytes(t->rank, t->shape, t->dtype, &need))
        return dlrt_fail("safetensors: %s: tensor '%.200s': shape is too large", path,
                         t->name);
    if (need != span) {
        char shp[DLRT_MAX_RANK * 22 + 3];
        size_t k = 0;
        shp[k++] = '[';
        for (int d = 0; d < t->rank; d++)
            k += (size_t)snprintf(shp + k, sizeof shp - k, d ? ", %lld" : "%lld",
                                  (long long)t->shape[d]);
        snprintf(shp + k, sizeof shp - k, "]");
        return dlrt_fail("safetensors: %s: tensor '%.200s': shape %s of %s does not match "
                         "data_offsets [%llu, %llu] (%llu bytes)", path, t->name, shp,
                         st_dtype_name(t->dtype), (unsigned long long)t->begin,
                         (unsigned long long)t->end, (unsigned long long)span);
    }
    return 0;
}

/* ---- reader -------------------------------------------------------------------------------- */

int dlrt_safetensors_read(const char *path, dlrt_tensor_set *out) {
    FILE *f = NULL;
    unsigned char *header = NULL;
    tinfo *infos = NULL;
    int n = 0;
    out->count = 0;
    out->items = NULL;
    out->n_meta = 0;
    out->meta = NULL;

    f = fopen(path, "rb");
    if (!f) return dlrt_fail("safetensors: %s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        dlrt_fail("safetensors: %s: not a regular file", path);
        goto fail;
    }
    uint64_t fsize = (uint64_t)st.st_size;
    unsigned char lenb[8];
    if (fsize < 8 || fread(lenb, 1, 8, f) != 8) {
        dlrt_fail("safetensors: %s: file too short (%llu bytes) to hold a header", path,
                  (unsigned long long)fsize);
        goto fail;
    }
    uint64_t hlen = 0;
    for (int k = 7; k >= 0; k--) hlen = hlen << 8 | lenb[k];
    if (hlen > fsize - 8) {
        dlrt_fail("safetensors: %s: header length %llu exceeds the file size (%llu bytes); "
                  "truncated or not a safetensors file", path, (unsigned long long)hlen,
                  (unsigned long long)fsize);
        goto fail;
    }
    if (hlen > ST_MAX_HEADER || hlen < 2) {
        dlrt_fail("safetensors: %s: implausible header length %llu", path,
                  (unsigned long long)hlen);
        goto fail;
    }
    header = malloc((size_t)hlen);
    if (!header) {
        dlrt_fail("safetensors: %s: out of memory reading header", path);
        goto fail;
    }
    if (fread(header, 1, (size_t)hlen, f) != (size_t)hlen) {
        dlrt_fail("safetensors: %s: cannot read header", path);
        goto fail;
    }

    json j = {path, header, (size_t)hlen, 0, NULL};
    if (parse_header(&j, &infos, &n, &out->meta, &out->n_meta)) goto fail;
    free(header);
    header = NULL;

    uint64_t data_len = fsize - 8 - hlen;
    for (int k = 0; k < n; k++)
        if (check_tensor(path, &infos[k], data_len)) goto fail;

    /* Everything is consistent with the file: allocate and read each tensor. */
    if (n > 0) {
        out->items = calloc((size_t)n, sizeof *out->items);
        if (!out->items) {
            dlrt_fail("safetensors: %s: out of memory", path);
            goto fail;
        }
    }
    for (int k = 0; k < n; k++) {
        tinfo *t = &infos[k];
        dlrt_named_array *item = &out->items[k];
        item->name = t->name;
        t->name = NULL;
        out->count = k + 1;
        if (dlrt_array_alloc(&item->array, t->dtype, t->rank, t->shape)) {
            dlrt_fail("safetensors: %s: tensor '%.200s': %s", path, item->name, dlrt_error());
            goto fail;
        }
        size_t nbytes = (size_t)(t->end - t->begin);
        if (nbytes == 0) continue;
        if (fseeko(f, (off_t)(8 + hlen + t->begin), SEEK_SET) != 0 ||
            fread(item->array.data, 1, nbytes, f) != nbytes) {
            dlrt_fail("safetensors: %s: tensor '%.200s': read failed (I/O error or file "
                      "changed while reading)", path, item->name);
            goto fail;
        }
        if (!dlrt__host_is_le())
            dlrt__swap_bytes(item->array.data, dlrt_dtype_size(t->dtype),
                             (size_t)dlrt_array_numel(&item->array));
    }
    free_infos(infos, n);
    fclose(f);
    return 0;

fail:
    free(header);
    free_infos(infos, n);
    dlrt_tensor_set_free(out);
    if (f) fclose(f);
    return -1;
}

const dlrt_array *dlrt_tensor_set_find(const dlrt_tensor_set *s, const char *name) {
    if (!s || !name) return NULL;
    for (int k = 0; k < s->count; k++)
        if (s->items[k].name && strcmp(s->items[k].name, name) == 0) return &s->items[k].array;
    return NULL;
}

void dlrt_tensor_set_free(dlrt_tensor_set *s) {
    if (!s) return;
    for (int k = 0; k < s->count; k++) {
        free(s->items[k].name);
        dlrt_array_free(&s->items[k].array);
    }
    free(s->items);
    for (int k = 0; k < 2 * s->n_meta; k++) free(s->meta[k]);
    free(s->meta);
    s->items = NULL;
    s->count = 0;
    s->meta = NULL;
    s->n_meta = 0;
}

const char *dlrt_tensor_set_meta(const dlrt_tensor_set *s, const char *key) {
    for (int k = 0; s && k < s->n_meta; k++)
        if (strcmp(s->meta[2 * k], key) == 0) return s->meta[2 * k + 1];
    return NULL;
}

/* ---- writer -------------------------------------------------------------------------------- */

/* Growable string; `oom` latches allocation failure so appends can be chained unchecked. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n + 1) ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_u64(sbuf *b, uint64_t v) {
    char tmp[24];
    sb_add(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v));
}

/* Append s as a JSON string literal (s must be valid UTF-8). */
static void sb_json_string(sbuf *b, const char *s) {
    sb_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': sb_add(b, "\\\"", 2); break;
        case '\\': sb_add(b, "\\\\", 2); break;
        case '\n': sb_add(b, "\\n", 2); break;
        case '\r': sb_add(b, "\\r", 2); break;
        case '\t': sb_add(b, "\\t", 2); break;
        case '\b': sb_add(b, "\\b", 2); break;
        case '\f': sb_add(b, "\\f", 2); break;
        default:
            if (*p < 0x20) sb_add(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p));
            else sb_add(b, (const char *)p, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* -1 with "<what> '<name>'" if names[0..n) has a repeat. */
static int names_unique(const char *path, const char *what, const char **names, int n) {
    int oom;
    const char *dup = find_duplicate(names, n, &oom);
    if (oom) return dlrt_fail("safetensors: %s: out of memory", path);
    if (dup) return dlrt_fail("safetensors: %s: %s '%.200s'", path, what, dup);
    return 0;
}

/* Check the inputs and build the padded JSON header. */
static int build_header(const char *path, const dlrt_tensor_set *set,
                        const char *const *meta_kv, int n_meta, sbuf *b) {
    if (!set || set->count < 0 || (set->count > 0 && !set->items))
        return dlrt_fail("safetensors: %s: invalid tensor set", path);
    if (n_meta < 0 || (n_meta > 0 && !meta_kv))
        return dlrt_fail("safetensors: %s: invalid metadata", path);

    sb_add(b, "{", 1);
    if (n_meta > 0) {
        sb_str(b, "\"__metadata__\":{");
        for (int k = 0; k < n_meta; k++) {
            const char *key = meta_kv[2 * k], *val = meta_kv[2 * k + 1];
            if (!key || !val || !utf8_valid(key) || !utf8_valid(val))
                return dlrt_fail("safetensors: %s: metadata entry %d is NULL or not UTF-8",
                                 path, k);
            if (k) sb_add(b, ",", 1);
            sb_json_string(b, key);
            sb_add(b, ":", 1);
            sb_json_string(b, val);
        }
        sb_add(b, "}", 1);
    }
    const char **keys = NULL;
    if (n_meta > 1) {
        if (!(keys = malloc((size_t)n_meta * sizeof *keys)))
            return dlrt_fail("safetensors: %s: out of memory", path);
        for (int k = 0; k < n_meta; k++) keys[k] = meta_kv[2 * k];
        int rc = names_unique(path, "duplicate metadata key", keys, n_meta);
        free(keys);
        if (rc) return -1;
    }

    uint64_t offset = 0;
    for (int k = 0; k < set->count; k++) {
        const dlrt_named_array *it = &set->items[k];
        const dlrt_array *a = &it->array;
        if (!it->name || !utf8_valid(it->name))
            return dlrt_fail("safetensors: %s: tensor %d has a NULL or non-UTF-8 name", path, k);
        if (strcmp(it->name, "__metadata__") == 0)
            return dlrt_fail("safetensors: %s: '__metadata__' is not a valid tensor name", path);
        if ((unsigned)a->dtype >= (unsigned)DLRT_DTYPE_COUNT || a->rank < 0 ||
            a->rank > DLRT_MAX_RANK)
            return dlrt_fail("safetensors: %s: tensor '%.200s': invalid dtype or rank", path,
                             it->name);
        uint64_t nbytes;
        if (dlrt__shape_bytes(a->rank, a->shape, a->dtype, &nbytes))
            return dlrt_fail("safetensors: %s: tensor '%.200s': negative or too large shape",
                             path, it->name);
        if (nbytes > 0 && !a->data)
            return dlrt_fail("safetensors: %s: tensor '%.200s': no data", path, it->name);

        if (k || n_meta > 0) sb_add(b, ",", 1);
        sb_json_string(b, it->name);
        sb_str(b, ":{\"dtype\":\"");
        sb_str(b, st_dtype_name(a->dtype));
        sb_str(b, "\",\"shape\":[");
        for (int d = 0; d < a->rank; d++) {
            if (d) sb_add(b, ",", 1);
            sb_u64(b, (uint64_t)a->shape[d]);
        }
        sb_str(b, "],\"data_offsets\":[");
        sb_u64(b, offset);
        sb_add(b, ",", 1);
        offset += nbytes;
        sb_u64(b, offset);
        sb_str(b, "]}");
    }
    sb_add(b, "}", 1);
    if (set->count > 1) { /* names were checked non-NULL above */
        if (!(keys = malloc((size_t)set->count * sizeof *keys)))
            return dlrt_fail("safetensors: %s: out of memory", path);
        for (int k = 0; k < set->count; k++) keys[k] = set->items[k].name;
        int rc = names_unique(path, "duplicate tensor name", keys, set->count);
        free(keys);
        if (rc) return -1;
    }
    while (!b->oom && b->len % 8 != 0) sb_add(b, " ", 1); /* pad: data starts 8-aligned */
    if (b->oom) return dlrt_fail("safetensors: %s: out of memory building header", path);
    return 0;
}

int dlrt_safetensors_write(const char *path, const dlrt_tensor_set *set,
                           const char *const *meta_kv, int n_meta) {
    sbuf hdr = {NULL, 0, 0, 0};
    if (!path) return dlrt_fail("safetensors: NULL path");
    if (build_header(path, set, meta_kv, n_meta, &hdr)) {
        free(hdr.p);
        return -1;
    }

    dlrt__atomic_file w;
    if (dlrt__atomic_open(&w, path, "safetensors")) {
        free(hdr.p);
        return -1;
    }
    unsigned char lenb[8];
    for (int k = 0; k < 8; k++) lenb[k] = (unsigned char)((uint64_t)hdr.len >> (8 * k));
    int bad = fwrite(lenb, 1, 8, w.f) != 8 || fwrite(hdr.p, 1, hdr.len, w.f) != hdr.len;
    free(hdr.p);
    for (int k = 0; k < set->count && !bad; k++) {
        const dlrt_array *a = &set->items[k].array;
        bad = dlrt__write_le(w.f, a->data, a->dtype, dlrt_array_numel(a)) != 0;
    }
    if (bad) {
        int e = errno;
        dlrt__atomic_abort(&w);
        return dlrt_fail("safetensors: %s: write failed: %s", path, strerror(e));
    }
    return dlrt__atomic_commit(&w);
}
