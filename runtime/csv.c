/* csv.c — numeric CSV tables as a dataset: one column is the target, the others (in file order)
 * are the features of one input.
 *
 * Fields are separated by commas; spaces around a field and double quotes around it are
 * ignored (a quoted comma is an error); lines end in \n or \r\n; blank lines and a UTF-8
 * byte-order mark are skipped.  The first line is a header when any of its fields is text
 * (nothing of it reads as a number), and a header names the columns for target_column.  Every
 * other field must be a number (strtod's syntax: nan, inf and hex floats parse, and the dataset
 * check rejects non-finite values later); every row must have as many fields as the first.
 * Values are kept as f64 (features [N, F], target [N]); batches convert them to the model's
 * types. */
#include <stdlib.h>
#include <string.h>

#include "dlrt_internal.h"

/* One field of line `line` starting at s: trimmed and unquoted into [*b, *e); returns the
 * character after it (the comma or the end of the line). */
static const char *next_field(const char *s, const char *end, const char **b, const char **e) {
    const char *f = s;
    while (f < end && *f != ',') f++;
    const char *lo = s, *hi = f;
    while (lo < hi && (*lo == ' ' || *lo == '\t')) lo++;
    while (hi > lo && (hi[-1] == ' ' || hi[-1] == '\t')) hi--;
    if (hi - lo >= 2 && *lo == '"' && hi[-1] == '"') lo++, hi--;
    *b = lo;
    *e = hi;
    return f;
}

/* Whether [b, e) is exactly one number; its value in *v (past the float range: +-inf, which the
 * dataset check reports; below it: 0 or a subnormal). */
static int parse_number(const char *b, const char *e, double *v) {
    char small[128], *tmp = small, *stop;
    size_t n = (size_t)(e - b);
    if (n == 0) return 0;
    if (n >= sizeof small && !(tmp = malloc(n + 1))) return 0;
    memcpy(tmp, b, n);
    tmp[n] = 0;
    *v = strtod(tmp, &stop);
    int whole = stop == tmp + n;
    if (tmp != small) free(tmp);
    return whole;
}

/* Whether [b, e) is text rather than a number gone wrong: nothing of it reads as a number. */
static int is_text(const char *b, const char *e) {
    char tmp[8], *stop;
    size_t n = (size_t)(e - b) < sizeof tmp - 1 ? (size_t)(e - b) : sizeof tmp - 1;
    memcpy(tmp, b, n);
    tmp[n] = 0;
    strtod(tmp, &stop);
    return n > 0 && stop == tmp;
}

/* Whether a quoted field of [s, end) holds a comma (not supported: fields split at every comma). */
static int quoted_comma(const char *s, const char *end) {
    int in = 0;
    for (const char *p = s; p < end; p++)
        if (*p == '"') in = !in;
        else if (*p == ',' && in) return 1;
    return 0;
}

/* The fields of line [s, end): their count; with vals, the numbers of the first `cap` of them
 * (and in *bad, if it is still -1, the index of the first that is not one); with names, copies
 * of the fields (cap of them); with text, whether a field is text (a header's name, not a
 * malformed number). */
static int64_t split_line(const char *s, const char *end, int64_t cap, double *vals, char **names, int64_t *bad,
                          int *text) {
    int64_t n = 0;
    for (const char *p = s;; p++) {
        const char *b, *e;
        p = next_field(p, end, &b, &e);
        if (n >= cap) vals = NULL, names = NULL;
        if (vals && !parse_number(b, e, &vals[n]) && *bad < 0) *bad = n;
        if (text && is_text(b, e)) *text = 1;
        if (names) {
            names[n] = malloc((size_t)(e - b) + 1);
            if (names[n]) memcpy(names[n], b, (size_t)(e - b)), names[n][e - b] = 0;
        }
        n++;
        if (p >= end) return n;
    }
}

typedef struct {
    const char *s, *end;   /* the line, without its \r\n */
    int64_t lineno;
} Line;

/* The non-blank lines of buf[0, len) into *lines (*count of them, NULL when none); -1 when
 * out of memory. */
static int lines_of(const char *buf, size_t len, Line **lines, int64_t *count) {
    int64_t n = 0, cap = 0;
    const char *p = buf, *end = buf + len;
    *lines = NULL;
    for (int64_t lineno = 1; p < end; lineno++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *t = nl ? nl : end, *q = p;
        if (t > p && t[-1] == '\r') t--;
        while (q < t && (*q == ' ' || *q == '\t')) q++;
        if (q < t) {
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                Line *more = realloc(*lines, sizeof **lines * (size_t)cap);
                if (!more) return -1;
                *lines = more;
            }
            (*lines)[n++] = (Line){p, t, lineno};
        }
        p = nl ? nl + 1 : end;
    }
    *count = n;
    return 0;
}

int dlrt_dataset_csv(const char *path, const char *target_name, int64_t target_index, dlrt_dataset *out) {
    memset(out, 0, sizeof *out);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (dlrt__append_file(path, &buf, &len, &cap)) {
        free(buf);
        return -1;
    }
    if (len && memchr(buf, 0, len)) {   /* UTF-16 (a spreadsheet's "Unicode text") or binary */
        free(buf);
        return dlrt_fail("%s has NUL bytes: not a text table (save it as UTF-8 CSV)", path);
    }
    size_t bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;   /* a UTF-8 byte-order mark */
    int64_t nlines = 0, ncols = 0, rc = -1;
    Line *lines;
    double *row = NULL;
    char **names = NULL;
    if (lines_of(len ? buf + bom : "", len - bom, &lines, &nlines)) {
        dlrt_fail("out of memory reading %s", path);
        goto done;
    }
    if (nlines == 0) {
        dlrt_fail("%s: no rows", path);
        goto done;
    }
    for (int64_t i = 0; i < nlines; i++)
        if (quoted_comma(lines[i].s, lines[i].end)) {
            dlrt_fail("%s:%lld: a quoted field holds a comma, which dlc's CSV reader does not support", path,
                      (long long)lines[i].lineno);
            goto done;
        }
    ncols = split_line(lines[0].s, lines[0].end, 0, NULL, NULL, NULL, NULL);
    int64_t bad = -1;
    row = malloc(sizeof *row * (size_t)ncols);
    names = calloc((size_t)ncols, sizeof *names);
    if (!row || !names) {
        dlrt_fail("out of memory reading %s", path);
        goto done;
    }
    int first = 0;   /* the header's line: 1 when there is one */
    split_line(lines[0].s, lines[0].end, ncols, row, names, &bad, &first);
    if (ncols < 2) {
        dlrt_fail("%s:%lld: one column; a table needs a target and at least one feature", path, (long long)lines[0].lineno);
        goto done;
    }
    /* the target column: by name (in the header), else by index (negative from the end) */
    int64_t tc = target_index < 0 ? ncols + target_index : target_index;
    if (target_name) {
        tc = -1;
        for (int64_t k = 0; first && k < ncols; k++)
            if (names[k] && strcmp(names[k], target_name) == 0) {
                if (tc >= 0) {
                    dlrt_fail("%s: two columns are named '%s' (%lld and %lld)", path, target_name, (long long)tc + 1,
                              (long long)k + 1);
                    goto done;
                }
                tc = k;
            }
        if (tc < 0) {
            dlrt_fail(first ? "%s: no column named '%s' in the header" : "%s: no header line to find the column '%s' in",
                      path, target_name);
            goto done;
        }
    } else if (tc < 0 || tc >= ncols) {
        dlrt_fail("%s: target column %lld is outside the %lld columns", path, (long long)target_index, (long long)ncols);
        goto done;
    }
    int64_t n = nlines - first, F = ncols - 1;
    if (n == 0) {
        dlrt_fail("%s: a header and no rows", path);
        goto done;
    }
    dlrt_array *x = &out->cols[0], *y = &out->cols[1];
    out->ncols = 2;   /* before the allocations: dlrt_dataset_free frees what they made */
    out->n = n;
    if (dlrt_array_alloc(x, DLRT_F64, 2, (int64_t[]){n, F}) || dlrt_array_alloc(y, DLRT_F64, 1, (int64_t[]){n})) goto done;
    for (int64_t i = 0; i < n; i++) {
        const Line *l = &lines[first + i];
        bad = -1;
        int64_t got = split_line(l->s, l->end, ncols, row, NULL, &bad, NULL);
        if (got != ncols) {
            dlrt_fail("%s:%lld: %lld fields, the first line has %lld", path, (long long)l->lineno, (long long)got,
                      (long long)ncols);
            goto done;
        }
        if (bad >= 0) {
            const char *b, *e, *p = l->s;
            for (int64_t k = 0; k <= bad; k++) p = next_field(k ? p + 1 : p, l->end, &b, &e);
            dlrt_fail("%s:%lld: field %lld, '%.*s', is not a number", path, (long long)l->lineno, (long long)bad + 1,
                      (int)(e - b < 40 ? e - b : 40), b);
            goto done;
        }
        double *xr = (double *)x->data + i * F;
        for (int64_t k = 0, j = 0; k < ncols; k++)
            if (k == tc) ((double *)y->data)[i] = row[k];
            else xr[j++] = row[k];
    }
    rc = 0;
done:
    if (rc) dlrt_dataset_free(out);
    for (int64_t k = 0; names && k < ncols; k++) free(names[k]);
    free(names);
    free(row);
    free(lines);
    free(buf);
    return (int)rc;
}
