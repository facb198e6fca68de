/* diag.c — diagnostics.  User errors print `file:line:col: error: msg`, the source line and a
 * caret under the offending token, and exit 1.  Compiler bugs go through internal_error, which
 * says so and exits 2: the two never mix. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

static const char *src_file, *src_text;

void diag_set_source(const char *file, const char *text) {
    src_file = file;
    src_text = text;
}

/* Print the source line `line` and a caret at `col` spanning `len` columns. */
static void show_line(int line, int col, int len) {
    if (!src_text || line <= 0) return;
    const char *p = src_text;
    for (int l = 1; l < line && *p; p++)
        if (*p == '\n') l++;
    const char *end = strchr(p, '\n');
    int n = end ? (int)(end - p) : (int)strlen(p);
    int w = snprintf(NULL, 0, "%d", line);
    if (w < 5) w = 5;
    fprintf(stderr, "%*d | ", w, line);
    for (int i = 0; i < n; i++)   /* control bytes would garble the terminal */
        fputc((p[i] >= 0 && p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f ? '?' : p[i], stderr);
    fprintf(stderr, "\n%*s | ", w, "");
    for (int i = 1; i < col && i <= n; i++) fputc(p[i - 1] == '\t' ? '\t' : ' ', stderr);
    fputc('^', stderr);
    for (int i = 1; i < len && col + i <= n; i++) fputc('~', stderr);
    fputc('\n', stderr);
}

static void vreport(Loc loc, const char *kind, const char *f, va_list ap) {
    if (loc.line > 0)
        fprintf(stderr, "%s:%d:%d: %s: ", loc.file ? loc.file : src_file, loc.line, loc.col, kind);
    else
        fprintf(stderr, "%s: %s: ", src_file ? src_file : "dlc", kind);
    vfprintf(stderr, f, ap);
    fputc('\n', stderr);
    show_line(loc.line, loc.col, loc.len);
}

void error_at(Loc loc, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vreport(loc, "error", f, ap);
    va_end(ap);
    exit(1);
}

void error_at_noexit(Loc loc, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vreport(loc, "error", f, ap);
    va_end(ap);
}

void note_at(Loc loc, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vreport(loc, "note", f, ap);
    va_end(ap);
}

void fatal(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    fprintf(stderr, "dlc: error: ");
    vfprintf(stderr, f, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void internal_error(const char *file, int line, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    fprintf(stderr, "dlc: internal compiler error (%s:%d): ", file, line);
    vfprintf(stderr, f, ap);
    fprintf(stderr, "\nThis is a bug in dlc, not in your model; please report it.\n");
    va_end(ap);
    exit(2);
}

const char *nearest_name(const char *name, const char *const *cands, int n) {
    const char *best = NULL;
    int bestd = 99;
    size_t len = strlen(name);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    for (int i = 0; i < n; i++) {
        int d = edit_distance(name, cands[i]);
        if (d < bestd && d <= limit) { bestd = d; best = cands[i]; }
    }
    return best;
}
