/* text.c — text corpora for language models: a file, or a directory's regular files (those not
 * ending in .dat, in name order, concatenated), read as bytes or UTF-8 code points and mapped
 * to ids through the sorted vocabulary of the values present.  The vocabulary travels with a
 * checkpoint as metadata ("dlc.vocab": the codes, comma-separated) so text can be encoded and
 * decoded again without the corpus. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dlrt_internal.h"

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Append the regular files of directory `path` not ending in .dat, in name order. */
static int append_dir(const char *path, char **buf, size_t *len, size_t *cap) {
    DIR *d = opendir(path);
    if (!d) return dlrt_fail("cannot open directory %s", path);
    char **names = NULL;
    int n = 0, rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (e->d_name[0] == '.' || (nl > 4 && strcmp(e->d_name + nl - 4, ".dat") == 0)) continue;
        char *full = malloc(strlen(path) + nl + 2);
        char **nn = realloc(names, sizeof *names * (size_t)(n + 1));
        if (!full || !nn) {
            free(full);
            rc = dlrt_fail("out of memory");
            break;
        }
        names = nn;
        sprintf(full, "%s/%s", path, e->d_name);
        struct stat fs;
        if (lstat(full, &fs) != 0 || !S_ISREG(fs.st_mode)) {   /* symlinks (fortunes' .u8) would repeat text */
            free(full);
            continue;
        }
        names[n++] = full;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n && !rc; i++) rc = dlrt__append_file(names[i], buf, len, cap);
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* The bytes of a file, or of a directory's text files in name order; none is an error. */
static int read_corpus(const char *path, char **buf, size_t *len) {
    struct stat st;
    size_t cap = 0;
    *buf = NULL;
    *len = 0;
    if (stat(path, &st) != 0) return dlrt_fail("no text at %s (for the fortunes corpus: apt-get install fortunes)", path);
    int rc = S_ISDIR(st.st_mode) ? append_dir(path, buf, len, &cap) : dlrt__append_file(path, buf, len, &cap);
    if (!rc && *len == 0) rc = dlrt_fail("no text in %s", path);
    return rc;
}

/* The next code of s[*i..n): a byte, or a UTF-8 code point up to U+10FFFF (a malformed byte,
 * or a lead byte past that range, stands for itself). */
static int32_t next_code(const unsigned char *s, size_t n, size_t *i, int unit) {
    unsigned c = s[(*i)++];
    if (unit == DLRT_TEXT_BYTES || c < 0xC0 || c > 0xF4) return (int32_t)c;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    uint32_t cp = c & (0x3Fu >> more);
    if (*i + (size_t)more > n) return (int32_t)c;
    for (int k = 0; k < more; k++) {
        if ((s[*i + (size_t)k] & 0xC0) != 0x80) return (int32_t)c;
        cp = cp << 6 | (s[*i + (size_t)k] & 0x3Fu);
    }
    if (cp > 0x10FFFF) return (int32_t)c;
    *i += (size_t)more;
    return (int32_t)cp;
}

static int cmp_code(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int64_t dlrt_text_id(const dlrt_text *t, int32_t code) {
    const int32_t *p = bsearch(&code, t->vocab, (size_t)t->nvocab, sizeof code, cmp_code);
    return p ? p - t->vocab : -1;
}

/* Codes of s, appended to a growable array. */
static int decode_all(const char *s, size_t n, int unit, int32_t **codes, int64_t *ncodes) {
    int32_t *c = malloc(sizeof *c * (n + 1));
    if (!c) return dlrt_fail("out of memory");
    int64_t k = 0;
    for (size_t i = 0; i < n;) c[k++] = next_code((const unsigned char *)s, n, &i, unit);
    *codes = c;
    *ncodes = k;
    return 0;
}

int dlrt_text_read(const char *path, int unit, dlrt_text *out) {
    memset(out, 0, sizeof *out);
    out->unit = unit;
    char *buf;
    size_t len;
    if (read_corpus(path, &buf, &len)) return -1;
    int32_t *codes;
    int64_t n;
    int rc = decode_all(buf, len, unit, &codes, &n);
    free(buf);
    if (rc) return -1;
    /* the vocabulary: the distinct codes in increasing order, found and numbered through a
     * table indexed by code (codes are below 2^21), in linear time */
    int32_t top = 0;
    for (int64_t i = 0; i < n; i++)
        if (codes[i] > top) top = codes[i];
    int32_t *id_of = malloc(sizeof *id_of * ((size_t)top + 1));
    if (!id_of) {
        free(codes);
        return dlrt_fail("out of memory");
    }
    for (int32_t c = 0; c <= top; c++) id_of[c] = -1;
    for (int64_t i = 0; i < n; i++) id_of[codes[i]] = 0;
    int64_t v = 0;
    for (int32_t c = 0; c <= top; c++) v += id_of[c] == 0;
    int32_t *vocab = malloc(sizeof *vocab * (size_t)(v ? v : 1));
    if (!vocab) {
        free(codes);
        free(id_of);
        return dlrt_fail("out of memory");
    }
    v = 0;
    for (int32_t c = 0; c <= top; c++)
        if (id_of[c] == 0) {
            id_of[c] = (int32_t)v;
            vocab[v++] = c;
        }
    for (int64_t i = 0; i < n; i++) codes[i] = id_of[codes[i]];
    free(id_of);
    out->vocab = vocab;
    out->nvocab = v;
    out->ids = codes;
    out->ntokens = n;
    return 0;
}

int dlrt_text_encode(const dlrt_text *t, const char *s, int32_t **ids, int64_t *n) {
    if (decode_all(s, strlen(s), t->unit, ids, n)) return -1;
    for (int64_t i = 0; i < *n; i++) {
        int32_t code = (*ids)[i];
        int64_t id = dlrt_text_id(t, code);
        if (id < 0) {
            free(*ids);
            *ids = NULL;
            return dlrt_fail("the prompt's character with code %d (at %lld) is not in the model's vocabulary", code,
                             (long long)i);
        }
        (*ids)[i] = (int32_t)id;
    }
    return 0;
}

int dlrt_text_put(const dlrt_text *t, int64_t id, FILE *out) {
    if (id < 0 || id >= t->nvocab) return dlrt_fail("token id %lld is outside the vocabulary", (long long)id);
    uint32_t c = (uint32_t)t->vocab[id];
    if (t->unit == DLRT_TEXT_BYTES || c < 0x80) return fputc((int)c, out) == EOF ? -1 : 0;
    unsigned char b[4];
    int k = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (int i = k - 1; i > 0; i--, c >>= 6) b[i] = (unsigned char)(0x80 | (c & 0x3F));
    b[0] = (unsigned char)((k == 2 ? 0xC0 : k == 3 ? 0xE0 : 0xF0) | c);
    return fwrite(b, 1, (size_t)k, out) == (size_t)k ? 0 : -1;
}

char *dlrt_text_vocab_string(const dlrt_text *t) {
    char *s = malloc((size_t)t->nvocab * 12 + 16);
    if (!s) return NULL;
    size_t len = (size_t)sprintf(s, "%s:", t->unit == DLRT_TEXT_UTF8 ? "utf8" : "bytes");
    for (int64_t i = 0; i < t->nvocab; i++) len += (size_t)sprintf(s + len, "%s%d", i ? "," : "", t->vocab[i]);
    return s;
}

int dlrt_text_from_vocab_string(const char *s, dlrt_text *out) {
    memset(out, 0, sizeof *out);
    if (strncmp(s, "bytes:", 6) == 0) out->unit = DLRT_TEXT_BYTES;
    else if (strncmp(s, "utf8:", 5) == 0) out->unit = DLRT_TEXT_UTF8;
    else return dlrt_fail("the checkpoint's vocabulary is malformed");
    const char *p = strchr(s, ':') + 1;
    int64_t cap = 1;
    for (const char *q = p; *q; q++) cap += *q == ',';
    out->vocab = malloc(sizeof(int32_t) * (size_t)cap);
    if (!out->vocab) return dlrt_fail("out of memory");
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > 0x10FFFF || (out->nvocab && v <= out->vocab[out->nvocab - 1]) || (*end && *end != ',')) {
            dlrt_text_free(out);
            return dlrt_fail("the checkpoint's vocabulary is malformed");
        }
        out->vocab[out->nvocab++] = (int32_t)v;
        p = *end ? end + 1 : end;
    }
    if (!out->nvocab) {
        dlrt_text_free(out);
        return dlrt_fail("the checkpoint's vocabulary is empty");
    }
    return 0;
}

void dlrt_text_free(dlrt_text *t) {
    free(t->vocab);
    free(t->ids);
    memset(t, 0, sizeof *t);
}

/* Windows of `window` tokens over ids[from, to): input ids and the next ids as targets. */
int dlrt_dataset_text(const dlrt_text *t, int64_t window, int64_t from, int64_t to, dlrt_dataset *out) {
    memset(out, 0, sizeof *out);
    if (window < 1) return dlrt_fail("the text window must be at least 1");
    if (to - from < window + 1)
        return dlrt_fail("the text has %lld tokens, too few for one window of %lld and its next token",
                         (long long)(to - from), (long long)window);
    int64_t shape[1] = {to - from};
    if (dlrt_array_alloc(&out->cols[0], DLRT_I32, 1, shape)) return -1;
    memcpy(out->cols[0].data, t->ids + from, sizeof(int32_t) * (size_t)(to - from));
    out->ncols = 1;
    out->window = window;
    out->n = (to - from - 1) / window;
    return 0;
}
