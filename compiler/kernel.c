/* kernel.c — the kernel IR: loop nests over typed buffers, the level both back ends print
 * (LLVM IR in emit_llvm.c; C later from the same tree).  Expressions are trees of scalar ops;
 * statements are for-loops, stores, local variables and ifs.  Integer constant expressions
 * are folded as they are built so index arithmetic stays readable in dumps. */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

KType ktype_of(dlrt_dtype t) {
    switch (t) {
    case DLRT_F32: return KT_F32;
    case DLRT_F64: return KT_F64;
    case DLRT_I32: return KT_I32;
    case DLRT_I64: return KT_I64;
    default: ICE("no kernel type for %s", dlrt_dtype_name(t));
    }
}

bool kt_is_float(KType t) { return t == KT_F32 || t == KT_F64; }

KFunc *new_kfunc(const char *name) {
    KFunc *f = xcalloc(1, sizeof *f);
    f->name = name;
    return f;
}

/* The hash-table entry of buffer (base, offset, t) in f: its own, or the empty one where it
 * would go.  A model of thousands of layers has thousands of buffers. */
static int *buf_entry(KFunc *f, int base, int64_t offset, KType t) {
    uint64_t key = ((uint64_t)offset << 8) ^ ((uint64_t)base << 4) ^ (uint64_t)t;
    int shift = 64 - __builtin_ctz((unsigned)f->nhash);
    for (int i = (int)((key * 0x9E3779B97F4A7C15u) >> shift);; i = (i + 1) & (f->nhash - 1)) {   /* Fibonacci hashing */
        int k = f->buf_hash[i] - 1;
        if (k < 0 || (f->bufs[k].base == base && f->bufs[k].offset == offset && f->bufs[k].t == t)) return &f->buf_hash[i];
    }
}

int kbuf(KFunc *f, int base, int64_t offset, KType t, const char *name) {
    if (2 * (f->nbufs + 1) > f->nhash) {   /* at most half full: rehash into twice the entries */
        free(f->buf_hash);
        f->nhash = f->nhash ? 2 * f->nhash : 64;
        f->buf_hash = xcalloc((size_t)f->nhash, sizeof *f->buf_hash);
        for (int k = 0; k < f->nbufs; k++) *buf_entry(f, f->bufs[k].base, f->bufs[k].offset, f->bufs[k].t) = k + 1;
    }
    int *e = buf_entry(f, base, offset, t);
    if (*e) return *e - 1;
    if (f->nbufs == f->capbufs) {
        f->capbufs = f->capbufs ? 2 * f->capbufs : 16;
        f->bufs = xrealloc(f->bufs, sizeof(KBuf) * (size_t)f->capbufs);
    }
    f->bufs[f->nbufs] = (KBuf){base, offset, t, name};
    *e = f->nbufs + 1;
    return f->nbufs++;
}

int kvar(KFunc *f, const char *name, KType t) {
    if (f->nvars == f->capvars) {
        f->capvars = f->capvars ? 2 * f->capvars : 32;
        f->vars = xrealloc(f->vars, sizeof(KVar) * (size_t)f->capvars);
    }
    f->vars[f->nvars] = (KVar){fmt("%s%d", name, f->nvars), t};
    return f->nvars++;
}

static KExpr *kx(KOp op, KType t) {
    KExpr *e = xcalloc(1, sizeof *e);
    e->op = op;
    e->t = t;
    return e;
}

KExpr *kf(KType t, double v) {
    KExpr *e = kx(K_FCONST, t);
    e->f = v;
    return e;
}

KExpr *ki(int64_t v) {
    KExpr *e = kx(K_ICONST, KT_I64);
    e->i = v;
    return e;
}

KExpr *kvar_ref(KFunc *f, int var) {
    KExpr *e = kx(K_VAR, f->vars[var].t);
    e->i = var;
    return e;
}

KExpr *ksym(int s) {
    KExpr *e = kx(K_SYM, KT_I64);
    e->i = s;
    return e;
}

KExpr *khp(int i) {
    KExpr *e = kx(K_HP, KT_F64);
    e->i = i;
    return e;
}

KExpr *kload(KFunc *f, int buf, KExpr *idx) {
    KExpr *e = kx(K_LOAD, f->bufs[buf].t);
    e->i = buf;
    e->a = idx;
    return e;
}

static bool is_ic(const KExpr *e, int64_t v) { return e->op == K_ICONST && e->i == v; }

KExpr *kbin(KOp op, KExpr *a, KExpr *b) {
    if (a->t != b->t) ICE("kernel op %d on mixed types %d and %d", op, a->t, b->t);
    if (a->op == K_ICONST && b->op == K_ICONST) {
        switch (op) {
        case K_ADD: return ki(a->i + b->i);
        case K_SUB: return ki(a->i - b->i);
        case K_MUL: return ki(a->i * b->i);
        case K_DIV: if (b->i) return ki(a->i / b->i); break;
        default: break;
        }
    }
    if (a->t == KT_I64) {
        if (op == K_ADD && is_ic(a, 0)) return b;
        if ((op == K_ADD || op == K_SUB) && is_ic(b, 0)) return a;
        if (op == K_MUL && (is_ic(a, 0) || is_ic(b, 0))) return ki(0);
        if (op == K_MUL && is_ic(a, 1)) return b;
        if ((op == K_MUL || op == K_DIV) && is_ic(b, 1)) return a;
    }
    bool cmp = op >= K_LT && op <= K_OR;
    KExpr *e = kx(op, cmp ? KT_BOOL : a->t);
    e->a = a;
    e->b = b;
    return e;
}

KExpr *kun(KOp op, KExpr *a) {
    KExpr *e = kx(op, a->t);
    e->a = a;
    return e;
}

KExpr *kselect(KExpr *c, KExpr *a, KExpr *b) {
    if (a->t != b->t || c->t != KT_BOOL) ICE("bad select");
    KExpr *e = kx(K_SELECT, a->t);
    e->a = c;
    e->b = a;
    e->c = b;
    return e;
}

const double vm_expf_poly[6] = {1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3, 4.1665795894E-2,
                                 1.6666665459E-1, 5.0000001201E-1};
const double vm_tanhf_poly[5] = {-5.70498872745E-3, 2.06390887954E-2, -5.37397155531E-2, 1.33314422036E-1,
                                  -3.33332819422E-1};
/* erf in f32 (within 3 ulp of the true value on [-5, 5]): |x| < 1: x P(x^2); 1 <= |x| < 4:
 * sign(x) (1 - e^(Q(|x| - 2.5) - x^2)); beyond, +-1 (erfc(4) is below half an ulp of 1).
 * Least-squares fits on Chebyshev nodes, made for dlc: P to erf(x)/x (relative error 1.2e-9),
 * Q to log erfc(x) + x^2 on [1, 4] (absolute error 1.3e-8); highest power first. */
const double vm_erff_small[7] = {7.847262424978572e-05, -8.008193334070879e-04, 5.188099769131468e-03,
                                 -2.6853691863667664e-02, 1.1283582277542124e-01, -3.761262557207322e-01,
                                 1.1283791656913837};
const double vm_erff_large[9] = {1.614049314e-06, -1.330940597e-05, 7.739447395e-05, -4.201445149e-04,
                                 2.165160251e-03, -1.085851706e-02, 5.610635975e-02, -3.526806811e-01,
                                 -1.556815277};

KExpr *krand(KType t, KExpr *key, KExpr *counter) {
    if (key->t != KT_I64 || counter->t != KT_I64) ICE("rand of non-i64");
    KExpr *e = kx(K_RAND, t);
    e->a = key;
    e->b = counter;
    return e;
}

KExpr *kcast(KType t, KExpr *a) {
    if (a->t == t) return a;
    if (a->op == K_ICONST && kt_is_float(t)) return kf(t, (double)a->i);
    if (a->op == K_FCONST && kt_is_float(t)) return kf(t, a->f);
    KExpr *e = kx(K_CAST, t);
    e->a = a;
    return e;
}

static KStmt *push_stmt(KBlock *b, KStmtKind k) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 8;
        b->v = xrealloc(b->v, sizeof(KStmt *) * (size_t)b->cap);
    }
    KStmt *s = xcalloc(1, sizeof *s);
    s->kind = k;
    b->v[b->n++] = s;
    return s;
}

KStmt *kfor(KBlock *b, int var, KExpr *lo, KExpr *hi) {
    KStmt *s = push_stmt(b, KS_FOR);
    s->var = var;
    s->lo = lo;
    s->hi = hi;
    return s;
}

void kstore(KBlock *b, int buf, KExpr *idx, KExpr *val) {
    KStmt *s = push_stmt(b, KS_STORE);
    s->buf = buf;
    s->idx = idx;
    s->val = val;
}

void klet(KBlock *b, int var, KExpr *val) {
    KStmt *s = push_stmt(b, KS_LET);
    s->var = var;
    s->val = val;
}

void kset(KBlock *b, int var, KExpr *val) {
    KStmt *s = push_stmt(b, KS_SET);
    s->var = var;
    s->val = val;
}

KStmt *kif(KBlock *b, KExpr *cond) {
    KStmt *s = push_stmt(b, KS_IF);
    s->val = cond;
    return s;
}

int64_t gemm_padded_ld(int64_t n, int esize) {
    int64_t line = 64 / esize, lines = (n + line - 1) / line;
    return (lines | 1) * line;
}

int64_t gemm_panel_elems(int64_t k, int64_t cols) {
    return (k < GEMM_KC ? k : GEMM_KC) * ((cols < GEMM_NC ? cols : GEMM_NC) + 32);
}

KExpr *kgemm_ldb(const KGemm *g) { return g->ldb ? g->ldb : g->tb ? g->k : g->n; }

void kgemm(KBlock *b, const KGemm *g) {
    if (g->ws < 0 && g->tb) ICE("a GEMM without workspace must not transpose B (it packs B^T)");
    if (g->dot && (g->ta || !g->tb || g->ldb || g->bias >= 0)) ICE("the dot form is A . B^T with dense rows, no bias");
    if ((g->bias >= 0) != (g->biasoff != NULL)) ICE("a GEMM bias needs its offset");
    KStmt *s = push_stmt(b, KS_GEMM);
    s->gemm = xcalloc(1, sizeof *g);
    *s->gemm = *g;
}

KStmt *kregion(KBlock *b, const char *name) {
    KStmt *s = push_stmt(b, KS_REGION);
    s->name = name;
    return s;
}

/* ---- text form (C-like) ---------------------------------------------------------------- */
static const char *const ktype_name[] = {"bool", "i64", "i32", "f32", "f64"};
static const char *const base_name[] = {"-", "P", "G", "S", "W", "out"};

static void print_expr(FILE *out, const KFunc *f, const KExpr *e) {
    static const char *const bin[] = {[K_ADD] = "+", [K_SUB] = "-", [K_MUL] = "*", [K_DIV] = "/",
                                      [K_REM] = "%", [K_LT] = "<", [K_LE] = "<=", [K_GT] = ">",
                                      [K_GE] = ">=", [K_EQ] = "==", [K_NE] = "!=", [K_AND] = "&&",
                                      [K_OR] = "||"};
    static const char *const fn[] = {[K_MAX] = "max", [K_MIN] = "min", [K_POW] = "pow", [K_NEG] = "-",
                                     [K_EXP] = "exp", [K_LOG] = "log", [K_TANH] = "tanh", [K_ERF] = "erf",
                                     [K_SQRT] = "sqrt", [K_ABS] = "abs", [K_SIN] = "sin", [K_COS] = "cos"};
    switch (e->op) {
    case K_FCONST: fprintf(out, "%.9g", e->f); return;
    case K_ICONST: fprintf(out, "%lld", (long long)e->i); return;
    case K_VAR: fprintf(out, "%s", f->vars[e->i].name); return;
    case K_SYM: fprintf(out, "sym[%lld]", (long long)e->i); return;
    case K_HP: fprintf(out, "hp[%lld]", (long long)e->i); return;
    case K_LOAD: fprintf(out, "%s[", f->bufs[e->i].name); print_expr(out, f, e->a); fprintf(out, "]"); return;
    case K_SELECT:
        fprintf(out, "(");
        print_expr(out, f, e->a); fprintf(out, " ? "); print_expr(out, f, e->b);
        fprintf(out, " : "); print_expr(out, f, e->c); fprintf(out, ")");
        return;
    case K_CAST: fprintf(out, "(%s)", ktype_name[e->t]); print_expr(out, f, e->a); return;
    case K_RAND:
        fprintf(out, "rand(");
        print_expr(out, f, e->a); fprintf(out, ", "); print_expr(out, f, e->b); fprintf(out, ")");
        return;
    case K_MAX: case K_MIN: case K_POW:
        fprintf(out, "%s(", fn[e->op]); print_expr(out, f, e->a); fprintf(out, ", ");
        print_expr(out, f, e->b); fprintf(out, ")");
        return;
    case K_NEG: case K_EXP: case K_LOG: case K_TANH: case K_ERF: case K_SQRT: case K_ABS: case K_SIN: case K_COS:
        fprintf(out, "%s(", fn[e->op]); print_expr(out, f, e->a); fprintf(out, ")");
        return;
    default:
        fprintf(out, "(");
        print_expr(out, f, e->a); fprintf(out, " %s ", bin[e->op]); print_expr(out, f, e->b);
        fprintf(out, ")");
        return;
    }
}

static void print_block(FILE *out, const KFunc *f, const KBlock *b, int depth) {
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        fprintf(out, "%*s", 2 * depth, "");
        switch (s->kind) {
        case KS_FOR:
            fprintf(out, "%sfor %s in [", s->par_work ? "parallel " : "", f->vars[s->var].name);
            print_expr(out, f, s->lo); fprintf(out, ", "); print_expr(out, f, s->hi);
            fprintf(out, ") {\n");
            print_block(out, f, &s->body, depth + 1);
            fprintf(out, "%*s}\n", 2 * depth, "");
            break;
        case KS_STORE:
            fprintf(out, "%s[", f->bufs[s->buf].name); print_expr(out, f, s->idx);
            fprintf(out, "] = "); print_expr(out, f, s->val); fprintf(out, "\n");
            break;
        case KS_LET: case KS_SET:
            fprintf(out, "%s%s = ", s->kind == KS_LET ? fmt("%s ", ktype_name[f->vars[s->var].t]) : "",
                    f->vars[s->var].name);
            print_expr(out, f, s->val); fprintf(out, "\n");
            break;
        case KS_IF:
            fprintf(out, "if ("); print_expr(out, f, s->val); fprintf(out, ") {\n");
            print_block(out, f, &s->body, depth + 1);
            fprintf(out, "%*s}\n", 2 * depth, "");
            break;
        case KS_REGION:
            fprintf(out, "region %s {\n", s->name);
            print_block(out, f, &s->body, depth + 1);
            fprintf(out, "%*s}\n", 2 * depth, "");
            break;
        case KS_GEMM: {
            const KGemm *g = s->gemm;
            fprintf(out, "gemm%s%s%s(m=", g->ta ? " ta" : "", g->tb ? " tb" : "", g->dot ? " dot" : "");
            print_expr(out, f, g->m); fprintf(out, ", n="); print_expr(out, f, g->n);
            fprintf(out, ", k="); print_expr(out, f, g->k);
            fprintf(out, ", a=%s+", f->bufs[g->a].name); print_expr(out, f, g->aoff);
            fprintf(out, ", b=%s+", f->bufs[g->b].name); print_expr(out, f, g->boff);
            fprintf(out, ", c=%s+", f->bufs[g->c].name); print_expr(out, f, g->coff);
            if (g->ldb) { fprintf(out, ", ldb="); print_expr(out, f, g->ldb); }
            fprintf(out, ", ws=%s", g->ws < 0 ? "none" : f->bufs[g->ws].name);
            if (g->wsoff) { fprintf(out, "+"); print_expr(out, f, g->wsoff); }
            if (g->bias >= 0) { fprintf(out, ", bias=%s+", f->bufs[g->bias].name); print_expr(out, f, g->biasoff); }
            fprintf(out, ")\n");
            break;
        }
        }
    }
}

void print_kfunc(FILE *out, const KFunc *f) {
    fprintf(out, "kernel %s (workspace %lld bytes) {\n", f->name, (long long)f->work_bytes);
    for (int i = 0; i < f->nbufs; i++) {
        const KBuf *b = &f->bufs[i];
        if (b->base >= B_IO) fprintf(out, "  %s %s = io[%d]\n", ktype_name[b->t], b->name, b->base - B_IO);
        else fprintf(out, "  %s %s = %s + %lld\n", ktype_name[b->t], b->name, base_name[b->base], (long long)b->offset);
    }
    print_block(out, f, &f->body, 1);
    fprintf(out, "}\n");
}

/* ---- region signatures (dlc.h) ---------------------------------------------------------- */
typedef struct {
    const KFunc *f;
    RegionSig *sig;
    int *var_no;   /* per variable of the function: its number in the region, or -1 */
    int nvars;
    FILE *out;
} SigWriter;

static int sig_buf(SigWriter *w, int buf) {
    RegionSig *r = w->sig;
    if (r->slot_of[buf] < 0) {
        const KBuf *b = &w->f->bufs[buf];
        int s = 0;
        while (s < r->nslots && !(w->f->bufs[r->slot_buf[s]].base == b->base && w->f->bufs[r->slot_buf[s]].offset == b->offset)) s++;
        if (s == r->nslots) r->slot_buf[r->nslots++] = buf;
        r->slot_of[buf] = s;
    }
    fprintf(w->out, "s%d%s:%d", r->slot_of[buf], w->f->bufs[buf].base >= B_IO ? "io" : "", w->f->bufs[buf].t);
    return r->slot_of[buf];
}

static void sig_var(SigWriter *w, int var) {
    if (w->var_no[var] < 0) w->var_no[var] = w->nvars++;
    fprintf(w->out, "v%d:%d", w->var_no[var], w->f->vars[var].t);
}

static void sig_expr(SigWriter *w, const KExpr *e) {
    if (!e) { fputc('_', w->out); return; }
    fprintf(w->out, "(%d:%d ", e->op, e->t);
    switch (e->op) {
    case K_FCONST: fprintf(w->out, "%a", e->f); break;
    case K_VAR: sig_var(w, (int)e->i); break;
    case K_LOAD: sig_buf(w, (int)e->i); break;
    default: fprintf(w->out, "%lld", (long long)e->i); break;
    }
    sig_expr(w, e->a);
    sig_expr(w, e->b);
    sig_expr(w, e->c);
    fputc(')', w->out);
}

static void sig_block(SigWriter *w, const KBlock *b) {
    fputc('{', w->out);
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        fprintf(w->out, "[%d%s ", s->kind, s->vectorize ? "v" : "");
        if (s->kind == KS_FOR || s->kind == KS_LET || s->kind == KS_SET) sig_var(w, s->var);
        if (s->kind == KS_STORE) sig_buf(w, s->buf);
        if (s->kind == KS_GEMM) {
            const KGemm *g = s->gemm;
            fprintf(w->out, "%d%d%d ", g->ta, g->tb, g->dot);
            sig_buf(w, g->a); sig_expr(w, g->aoff);
            sig_buf(w, g->b); sig_expr(w, g->boff);
            sig_buf(w, g->c); sig_expr(w, g->coff);
            if (g->ws >= 0) sig_buf(w, g->ws);
            if (g->bias >= 0) sig_buf(w, g->bias);
            sig_expr(w, g->biasoff);
            sig_expr(w, g->m); sig_expr(w, g->n); sig_expr(w, g->k); sig_expr(w, g->ldb); sig_expr(w, g->wsoff);
        }
        sig_expr(w, s->lo);
        sig_expr(w, s->hi);
        sig_expr(w, s->idx);
        sig_expr(w, s->val);
        sig_expr(w, s->par_work);
        sig_block(w, &s->body);
        fputc(']', w->out);
    }
    fputc('}', w->out);
}

RegionSig region_sig(const KFunc *f, const KStmt *region) {
    RegionSig r = {0};
    r.slot_of = xcalloc((size_t)f->nbufs + 1, sizeof *r.slot_of);
    r.slot_buf = xcalloc((size_t)f->nbufs + 1, sizeof *r.slot_buf);
    for (int i = 0; i < f->nbufs; i++) r.slot_of[i] = -1;
    SigWriter w = {f, &r, xcalloc((size_t)f->nvars + 1, sizeof(int)), 0, NULL};
    for (int i = 0; i < f->nvars; i++) w.var_no[i] = -1;
    size_t len;
    w.out = open_memstream(&r.key, &len);
    if (!w.out) ICE("open_memstream failed");
    sig_block(&w, &region->body);
    fclose(w.out);
    free(w.var_no);
    r.hash = 1469598103934665603ull;   /* FNV-1a */
    for (const char *p = r.key; *p; p++) r.hash = (r.hash ^ (unsigned char)*p) * 1099511628211ull;
    return r;
}
