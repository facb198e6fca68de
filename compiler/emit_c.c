/* emit_c.c — kernel IR -> C99: the second printer of the same kernel IR the LLVM emitter
 * reads, so the two back ends cannot drift.  The output needs only <math.h> (link with -lm),
 * compiles warning-free with -std=c99 -Wall -Wextra, and has the same functions, wrappers,
 * parameter table and embedded weights as the object file (export.c has the contract).
 * Float constants are printed as hexadecimal literals, so they are exact. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc.h"

/* Buffer pointers are B<k>; kernel variables are lower-case, so the two never collide. */
static const char *const ctype[] = {[KT_BOOL] = "int", [KT_I64] = "int64_t", [KT_I32] = "int32_t",
                                     [KT_F32] = "float", [KT_F64] = "double"};

/* The libm name of a float function: expf for f32, exp for f64. */
static const char *mathfn(const char *name, KType t) { return t == KT_F32 ? fmt("%sf", name) : name; }

static void expr(FILE *o, const KFunc *f, const KExpr *e) {
    static const char *const bin[] = {[K_ADD] = "+", [K_SUB] = "-", [K_MUL] = "*", [K_DIV] = "/",
                                      [K_LT] = "<", [K_LE] = "<=", [K_GT] = ">", [K_GE] = ">=",
                                      [K_EQ] = "==", [K_NE] = "!=", [K_AND] = "&&", [K_OR] = "||"};
    static const char *const un[] = {[K_EXP] = "exp", [K_LOG] = "log", [K_TANH] = "tanh", [K_ERF] = "erf",
                                     [K_SQRT] = "sqrt", [K_ABS] = "fabs", [K_SIN] = "sin", [K_COS] = "cos"};
    switch (e->op) {
    case K_FCONST:
        if (isinf(e->f)) fprintf(o, "%s(%s)INFINITY", e->f < 0 ? "-" : "", ctype[e->t]);
        else if (isnan(e->f)) fprintf(o, "(%s)NAN", ctype[e->t]);
        else fprintf(o, e->t == KT_F32 ? "%af" : "%a", e->t == KT_F32 ? (double)(float)e->f : e->f);
        return;
    case K_ICONST: fprintf(o, "INT64_C(%lld)", (long long)e->i); return;
    case K_VAR: fprintf(o, "%s", f->vars[e->i].name); return;
    case K_SYM: fprintf(o, "sym[%lld]", (long long)e->i); return;
    case K_HP: fprintf(o, "hp[%lld]", (long long)e->i); return;
    case K_LOAD: fprintf(o, "B%lld[", (long long)e->i); expr(o, f, e->a); fprintf(o, "]"); return;
    case K_NEG: fprintf(o, "(-"); expr(o, f, e->a); fprintf(o, ")"); return;
    case K_EXP: case K_LOG: case K_TANH: case K_ERF: case K_SQRT: case K_ABS: case K_SIN: case K_COS:
        /* f32 exp, tanh and erf: dlc's own (print_vmath), as the LLVM back end computes them */
        fprintf(o, "%s%s(", e->t == KT_F32 && (e->op == K_EXP || e->op == K_TANH || e->op == K_ERF) ? "dlc_" : "",
                mathfn(un[e->op], e->t));
        expr(o, f, e->a);
        fprintf(o, ")");
        return;
    case K_POW: case K_MAX: case K_MIN: case K_REM:
        if (kt_is_float(e->t)) {
            const char *n = e->op == K_POW ? "pow" : e->op == K_MAX ? "fmax" : e->op == K_MIN ? "fmin" : "fmod";
            fprintf(o, "%s(", mathfn(n, e->t)); expr(o, f, e->a); fprintf(o, ", "); expr(o, f, e->b); fprintf(o, ")");
        } else if (e->op == K_REM) {
            fprintf(o, "("); expr(o, f, e->a); fprintf(o, " %% "); expr(o, f, e->b); fprintf(o, ")");
        } else {   /* integer max/min: operands are pure, evaluating them twice is fine */
            fprintf(o, "(("); expr(o, f, e->a); fprintf(o, ") %s (", e->op == K_MAX ? ">" : "<");
            expr(o, f, e->b); fprintf(o, ") ? ("); expr(o, f, e->a); fprintf(o, ") : (");
            expr(o, f, e->b); fprintf(o, "))");
        }
        return;
    case K_SELECT:
        fprintf(o, "("); expr(o, f, e->a); fprintf(o, " ? "); expr(o, f, e->b);
        fprintf(o, " : "); expr(o, f, e->c); fprintf(o, ")");
        return;
    case K_CAST: fprintf(o, "((%s)", ctype[e->t]); expr(o, f, e->a); fprintf(o, ")"); return;
    case K_RAND:
        fprintf(o, "dlc_rand_%s(", ctype[e->t]); expr(o, f, e->a); fprintf(o, ", "); expr(o, f, e->b); fprintf(o, ")");
        return;
    default:
        fprintf(o, "("); expr(o, f, e->a); fprintf(o, " %s ", bin[e->op]); expr(o, f, e->b); fprintf(o, ")");
        return;
    }
}

/* Regions: each becomes a static function of its slots (RegionSig in dlc.h), printed once per
 * key and called wherever a region has that key, as the LLVM back end does.  Slots never
 * overlap, so each is `restrict`, except io's, which the caller may alias. */
typedef struct { const KStmt *at; const char *fn; RegionSig sig; } CRegion;
static CRegion *regions;
static int nregions;

static const CRegion *region_of(const KStmt *s) {
    for (int i = 0; i < nregions; i++)
        if (regions[i].at == s) return &regions[i];
    ICE("region %s was not printed", s->name);
}

static void block(FILE *o, const KFunc *f, const KBlock *b, int depth);

/* The variables a block sets (a region reads no others). */
static void set_vars(const KBlock *b, bool *set) {
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        if (s->kind == KS_FOR || s->kind == KS_LET || s->kind == KS_SET) set[s->var] = true;
        set_vars(&s->body, set);
    }
}

/* Print the function of each region of f whose key is new; remember every region's function. */
static void region_functions(FILE *o, const KFunc *f) {
    for (int i = 0; i < f->body.n; i++) {
        const KStmt *s = f->body.v[i];
        if (s->kind != KS_REGION) continue;
        CRegion r = {s, NULL, region_sig(f, s)};
        for (int j = 0; j < nregions && !r.fn; j++)
            if (regions[j].sig.hash == r.sig.hash && strcmp(regions[j].sig.key, r.sig.key) == 0) r.fn = regions[j].fn;
        if (!r.fn) {
            r.fn = fmt("%s_%s", f->name, s->name);
            fprintf(o, "\nstatic void %s(const int64_t *sym, const double *hp", r.fn);
            for (int k = 0; k < r.sig.nslots; k++)
                fprintf(o, ", char *%sS%d", f->bufs[r.sig.slot_buf[k]].base >= B_IO ? "" : "restrict ", k);
            fprintf(o, ") {\n    (void)sym; (void)hp;\n");
            for (int b = 0; b < f->nbufs; b++)
                if (r.sig.slot_of[b] >= 0)
                    fprintf(o, "    %s *B%d = (%s *)S%d; (void)B%d;   /* %s */\n", ctype[f->bufs[b].t], b, ctype[f->bufs[b].t],
                            r.sig.slot_of[b], b, f->bufs[b].name);
            bool *set = xcalloc((size_t)f->nvars + 1, sizeof *set);
            set_vars(&s->body, set);
            for (int v = 0; v < f->nvars; v++)
                if (set[v]) fprintf(o, "    %s %s;\n", ctype[f->vars[v].t], f->vars[v].name);
            free(set);
            block(o, f, &s->body, 1);
            fprintf(o, "}\n");
        }
        if (nregions % 64 == 0) regions = xrealloc(regions, sizeof *regions * (size_t)(nregions + 64));
        regions[nregions++] = r;
    }
}

static void block(FILE *o, const KFunc *f, const KBlock *b, int depth) {
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        fprintf(o, "%*s", 4 * depth, "");
        switch (s->kind) {
        case KS_FOR: {
            const char *v = f->vars[s->var].name;
            fprintf(o, "for (%s = ", v); expr(o, f, s->lo); fprintf(o, "; %s < ", v); expr(o, f, s->hi);
            fprintf(o, "; %s++) {\n", v);
            block(o, f, &s->body, depth + 1);
            fprintf(o, "%*s}\n", 4 * depth, "");
            break;
        }
        case KS_STORE:
            fprintf(o, "B%d[", s->buf); expr(o, f, s->idx); fprintf(o, "] = "); expr(o, f, s->val); fprintf(o, ";\n");
            break;
        case KS_LET: case KS_SET:
            fprintf(o, "%s = ", f->vars[s->var].name); expr(o, f, s->val); fprintf(o, ";\n");
            break;
        case KS_IF:
            fprintf(o, "if ("); expr(o, f, s->val); fprintf(o, ") {\n");
            block(o, f, &s->body, depth + 1);
            fprintf(o, "%*s}\n", 4 * depth, "");
            break;
        case KS_REGION: {
            const CRegion *r = region_of(s);
            fprintf(o, "%s(sym, hp", r->fn);
            for (int k = 0; k < r->sig.nslots; k++) fprintf(o, ", (char *)B%d", r->sig.slot_buf[k]);
            fprintf(o, ");\n");
            break;
        }
        case KS_GEMM: {
            const KGemm *g = s->gemm;
            if (g->dot) fprintf(o, "dlc_gemm_dot_%s(", ctype[f->bufs[g->c].t]);
            else fprintf(o, "dlc_gemm_%s(%d, %d, ", ctype[f->bufs[g->c].t], g->ta, g->tb);
            expr(o, f, g->m); fprintf(o, ", "); expr(o, f, g->n); fprintf(o, ", "); expr(o, f, g->k);
            fprintf(o, ", B%d + ", g->a); expr(o, f, g->aoff);
            fprintf(o, ", B%d + ", g->b); expr(o, f, g->boff);
            fprintf(o, ", B%d + ", g->c); expr(o, f, g->coff);
            fprintf(o, ", "); expr(o, f, kgemm_ldb(g));
            if (!g->dot) {
                if (g->bias < 0) fprintf(o, ", NULL");
                else { fprintf(o, ", B%d + ", g->bias); expr(o, f, g->biasoff); }
            }
            fprintf(o, ");\n");
            break;
        }
        }
    }
}

static const char *const abi_params = "char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,\n"
                                      "    const double *hp, double *out";

static void function(FILE *o, const KFunc *f) {
    static const char *const base[] = {[B_P] = "P", [B_G] = "G", [B_S] = "S", [B_W] = "W", [B_OUT] = "(char *)out"};
    fprintf(o, "\nvoid %s(%s) {\n", f->name, abi_params);
    fprintf(o, "    (void)P; (void)G; (void)S; (void)W; (void)io; (void)sym; (void)hp; (void)out;\n");
    for (int i = 0; i < f->nbufs; i++) {
        const KBuf *b = &f->bufs[i];
        if (b->base >= B_IO)
            fprintf(o, "    %s *B%d = (%s *)io[%d];   /* %s */\n", ctype[b->t], i, ctype[b->t], b->base - B_IO, b->name);
        else
            fprintf(o, "    %s *B%d = (%s *)(%s + %lld);   /* %s */\n", ctype[b->t], i, ctype[b->t], base[b->base],
                    (long long)b->offset, b->name);
    }
    for (int i = 0; i < f->nbufs; i++)   /* e.g. the GEMM panel, which the portable GEMM does not use */
        fprintf(o, "%s(void)B%d;%s", i % 12 ? " " : "    ", i, i % 12 == 11 || i == f->nbufs - 1 ? "\n" : "");
    bool *in_region = xcalloc((size_t)f->nvars + 1, sizeof *in_region);
    for (int i = 0; i < f->body.n; i++)
        if (f->body.v[i]->kind == KS_REGION) set_vars(&f->body.v[i]->body, in_region);
    for (int i = 0; i < f->nvars; i++)
        if (!in_region[i]) fprintf(o, "    %s %s;\n", ctype[f->vars[i].t], f->vars[i].name);
    free(in_region);
    block(o, f, &f->body, 1);
    fprintf(o, "}\n");
}

/* Which GEMM element types a block uses: bit KT_* for the chain form, KT_* + 8 for the dot form. */
static unsigned gemm_types(const KFunc *f, const KBlock *b) {
    unsigned m = 0;
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        if (s->kind == KS_GEMM) m |= 1u << (f->bufs[s->gemm->c].t + (s->gemm->dot ? 8 : 0));
        m |= gemm_types(f, &s->body);
    }
    return m;
}

/* Which f32 unary ops (bit K_*) an expression or block uses. */
static unsigned f32_ops(const KExpr *e) {
    if (!e) return 0;
    unsigned m = f32_ops(e->a) | f32_ops(e->b) | f32_ops(e->c);
    return e->t == KT_F32 && (e->op == K_EXP || e->op == K_TANH || e->op == K_ERF) ? m | 1u << e->op : m;
}
static unsigned block_f32_ops(const KBlock *b) {
    unsigned m = 0;
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        m |= f32_ops(s->lo) | f32_ops(s->hi) | f32_ops(s->idx) | f32_ops(s->val) | block_f32_ops(&s->body);
    }
    return m;
}

/* dlc_expf / dlc_tanhf / dlc_erff, when used (`ops`, bit K_*): the operations of emit_llvm.c's
 * expf_fn / tanhf_fn / erff_fn, in its order. */
static void print_vmath(FILE *o, unsigned ops) {
    if (!ops) return;
    const double *ep = vm_expf_poly, *tp = vm_tanhf_poly;
#define F(v) (double)(float)(v)
    fprintf(o, "\nstatic inline float dlc_expf(float x) {   /* Cephes expf without libm; see emit_llvm.c */\n"
               "    float n = floorf(x * %af + %af), r, z, p, y;\n"
               "    union { float f; uint32_t u; } m, s;\n"
               "    n = n < -126.0f ? -126.0f : n;\n    n = n > 127.0f ? 127.0f : n;\n"
               "    r = x - n * %af;\n    r = r - n * %af;\n    z = r * r;\n    p = %af;\n",
            F(VM_LOG2E), F(0.5), F(VM_LN2_HI), F(VM_LN2_LO), F(ep[0]));
    for (int k = 1; k < 6; k++) fprintf(o, "    p = p * r + %af;\n", F(ep[k]));
    fprintf(o, "    p = p * z + r + 1.0f;\n"
               "    m.f = n + 12582912.0f;\n    s.u = (m.u - 0x4B400000u + 127u) << 23;\n    y = p * s.f;\n"
               "    return x > %af ? (float)INFINITY : x < %af ? 0.0f : y;\n}\n", F(VM_EXP_MAX), F(VM_EXP_MIN));
    if (ops >> K_TANH & 1) {
        fprintf(o, "\nstatic inline float dlc_tanhf(float x) {\n"
                   "    float a = x < 0.0f ? -x : x, z = x * x, p = %af, small, big;\n", F(tp[0]));
        for (int k = 1; k < 5; k++) fprintf(o, "    p = p * z + %af;\n", F(tp[k]));
        fprintf(o, "    small = p * z * x + x;\n"
                   "    big = 1.0f - 2.0f / (dlc_expf(2.0f * a) + 1.0f);\n"
                   "    big = x < 0.0f ? -big : big;\n"
                   "    return a < %af ? small : big;\n}\n", F(VM_TANH_SMALL));
    }
    if (ops >> K_ERF & 1) {
        fprintf(o, "\nstatic inline float dlc_erff(float x) {\n"
                   "    float a = x < 0.0f ? -x : x, z = x * x, p = %af, t, q, big;\n", F(vm_erff_small[0]));
        for (int k = 1; k < 7; k++) fprintf(o, "    p = p * z + %af;\n", F(vm_erff_small[k]));
        fprintf(o, "    t = a - %af;\n    q = %af;\n", F(VM_ERF_MID), F(vm_erff_large[0]));
        for (int k = 1; k < 9; k++) fprintf(o, "    q = q * t + %af;\n", F(vm_erff_large[k]));
        fprintf(o, "    big = 1.0f - dlc_expf(q - a * a);\n"
                   "    big = a >= 4.0f ? 1.0f : big;\n"
                   "    big = x < 0.0f ? -big : big;\n"
                   "    return a < 1.0f ? p * x : big;\n}\n");
    }
#undef F
}

/* The portable GEMM: the plain loop nest of the arithmetic KGemm fixes (one fma chain in k
 * order per element), which is what the vectorized LLVM version computes too. */
static void print_gemm(FILE *o, KType t) {
    const char *T = ctype[t], *fma = mathfn("fma", t);
    fprintf(o, "\nstatic void dlc_gemm_%s(int ta, int tb, int64_t m, int64_t n, int64_t k, const %s *a,\n"
               "                         const %s *b, %s *c, int64_t ldb, const %s *bias) {\n"
               "    int64_t i, j, p;\n"
               "    for (i = 0; i < m; i++)\n"
               "        for (j = 0; j < n; j++) {\n"
               "            %s acc = 0;\n"
               "            for (p = 0; p < k; p++)\n"
               "                acc = %s(ta ? a[p * m + i] : a[i * k + p], tb ? b[j * ldb + p] : b[p * ldb + j], acc);\n"
               "            c[i * n + j] = bias ? acc + bias[j] : acc;\n"
               "        }\n}\n", T, T, T, T, T, T, fma);
}

/* KGemm's dot form, C = A . B^T: per chunk of k, GEMM_DOT_LANES chains (lane = p mod lanes)
 * summed as a tree, the chunks' sums added in order (what emit_gemm.c's vector version does). */
static void print_gemm_dot(FILE *o, KType t) {
    const char *T = ctype[t], *fma = mathfn("fma", t);
    fprintf(o, "\nstatic void dlc_gemm_dot_%s(int64_t m, int64_t n, int64_t k, const %s *a, const %s *b, %s *c,\n"
               "                             int64_t ldb) {\n"
               "    int64_t i, j, lo, p, h, l;\n"
               "    for (i = 0; i < m; i++)\n"
               "        for (j = 0; j < n; j++) {\n"
               "            %s sum = 0, lane[%d];\n"
               "            for (lo = 0; lo < k; lo += %d) {\n"
               "                for (l = 0; l < %d; l++) lane[l] = 0;\n"
               "                for (p = lo; p < k && p < lo + %d; p++)\n"
               "                    lane[p %% %d] = %s(a[i * k + p], b[j * ldb + p], lane[p %% %d]);\n"
               "                for (h = %d; h >= 1; h /= 2)\n"
               "                    for (l = 0; l < h; l++) lane[l] += lane[l + h];\n"
               "                sum = lo ? sum + lane[0] : lane[0];\n"
               "            }\n"
               "            c[i * n + j] = sum;\n"
               "        }\n}\n",
            T, T, T, T, T, GEMM_DOT_LANES, GEMM_DOT_KC, GEMM_DOT_LANES, GEMM_DOT_KC, GEMM_DOT_LANES, fma, GEMM_DOT_LANES,
            GEMM_DOT_LANES / 2);
}

static bool uses_rand_expr(const KExpr *e) {
    return e && (e->op == K_RAND || uses_rand_expr(e->a) || uses_rand_expr(e->b) || uses_rand_expr(e->c));
}
static bool uses_rand(const KBlock *b) {
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        if (uses_rand_expr(s->lo) || uses_rand_expr(s->hi) || uses_rand_expr(s->idx) || uses_rand_expr(s->val) ||
            uses_rand(&s->body))
            return true;
    }
    return false;
}

/* The counter-based hash of emit_llvm.c:rand_u01, in unsigned (wrapping) arithmetic. */
static void print_rand(FILE *o) {
    fprintf(o, "\nstatic uint64_t dlc_hash(int64_t key, int64_t counter) {\n"
               "    uint64_t z = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)counter;\n"
               "    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);\n"
               "    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);\n"
               "    return z ^ (z >> 31);\n}\n"
               "static float dlc_rand_float(int64_t key, int64_t counter) {\n"
               "    return (float)(dlc_hash(key, counter) >> 40) * 0x1p-24f;\n}\n"
               "static double dlc_rand_double(int64_t key, int64_t counter) {\n"
               "    return (double)(dlc_hash(key, counter) >> 40) * 0x1p-24;\n}\n");
}

void emit_c(FILE *o, const Export *e, const char *header_name) {
    const Compiled *c = e->c;
    const dlrt_model *m = &c->rt;
    const char *P = e->prefix;
    char *U = upper(P);
    fprintf(o, "/* %s.c — model '%s', built by dlc from %s.  Generated: do not edit.\n"
               " * C99; link with -lm.  The public interface is %s. */\n",
            P, m->name, e->source, header_name);
    fprintf(o, "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n\n#include \"%s\"\n", header_name);
    bool rand = false;
    for (int k = 0; k < FN_COUNT; k++) rand |= uses_rand(&c->kfuncs[k]->body);
    if (rand) print_rand(o);
    unsigned gt = 0;
    for (int k = 0; k < FN_COUNT; k++) gt |= gemm_types(c->kfuncs[k], &c->kfuncs[k]->body);
    for (KType t = KT_F32; t <= KT_F64; t++) {
        if (gt >> t & 1) print_gemm(o, t);
        if (gt >> (t + 8) & 1) print_gemm_dot(o, t);
    }
    unsigned vm = 0;
    for (int k = 0; k < FN_COUNT; k++) vm |= block_f32_ops(&c->kfuncs[k]->body);
    print_vmath(o, vm);
    fprintf(o, "\nvoid (*%s_parallel_for)(void (*task)(void *, int64_t), void *ctx, int64_t n);   /* unused here */\n", P);
    nregions = 0;
    for (int k = 0; k < FN_COUNT; k++) region_functions(o, c->kfuncs[k]);
    for (int k = 0; k < FN_COUNT; k++) function(o, c->kfuncs[k]);

    fprintf(o, "\nconst %s_param_info %s_param_table[%s_NUM_PARAMS] = {\n", P, P, U);
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        fprintf(o, "    {\"%s\", %d, {", p->name, p->rank);
        for (int k = 0; k < p->rank; k++) fprintf(o, "%s%lld", k ? ", " : "", (long long)p->shape[k]);
        fprintf(o, "}, %zu},\n", p->offset);
    }
    fprintf(o, "};\n");
    if (e->weights) {
        fprintf(o, "\nconst unsigned char %s_weights[%s_PARAM_BYTES] = {", P, U);
        for (size_t i = 0; i < m->param_bytes; i++)
            fprintf(o, "%s%u,", i % 24 ? "" : "\n    ", (unsigned char)e->weights[i]);
        fprintf(o, "\n};\n");
    }

    /* public wrappers (see export.c) */
    fprintf(o, "\nint %s_forward(const void *params", P);
    for (int k = 0; k < m->n_inputs; k++)
        if (io_is_input(&m->io[k])) fprintf(o, ", const %s *%s", ctype_of(m->io[k].dtype), m->io[k].name);
    for (int k = m->n_inputs; k < m->n_io; k++) fprintf(o, ", %s *%s", ctype_of(m->io[k].dtype), m->io[k].name);
    fprintf(o, ", void *workspace, int64_t batch) {\n");
    fprintf(o, "    void *io[%d];\n    int64_t sym[4];\n    double hp[4] = {0, 1, 0, 0}, out[8];\n", m->n_io);
    fprintf(o, "    if (batch < 1 || batch > %s_MAX_BATCH) return -1;\n", U);
    for (int k = 0; k < m->n_io; k++)
        fprintf(o, "    io[%d] = %s;\n", k, k >= m->n_inputs ? m->io[k].name
                                         : io_is_input(&m->io[k]) ? fmt("(void *)%s", m->io[k].name) : "NULL");
    fprintf(o, "    sym[0] = batch; sym[1] = %lld; sym[2] = %lld; sym[3] = %lld;   /* sequences at the built length */\n",
            (long long)(m->sym_max[1] > 0 ? m->sym_max[1] : 1), (long long)(m->sym_max[2] > 0 ? m->sym_max[2] : 1),
            (long long)(m->sym_max[3] > 0 ? m->sym_max[3] : 1));
    fprintf(o, "    %s_infer((char *)params, NULL, NULL, (char *)workspace, io, sym, hp, out);\n    return 0;\n}\n", P);

    fprintf(o, "\nfloat %s_train_step(void *params, void *grads, void *opt_state", P);
    for (int k = 0; k < m->n_inputs; k++) fprintf(o, ", const %s *%s", ctype_of(m->io[k].dtype), m->io[k].name);
    fprintf(o, ",\n    void *workspace, int64_t batch, float lr, int64_t step) {\n");
    fprintf(o, "    void *io[%d];\n    int64_t sym[4];\n    double hp[4], out[8];\n", m->n_io);
    fprintf(o, "    if (batch < 1 || batch > %s_MAX_BATCH) return NAN;\n", U);
    for (int k = 0; k < m->n_io; k++)
        fprintf(o, "    io[%d] = %s;\n", k, k < m->n_inputs ? fmt("(void *)%s", m->io[k].name) : "NULL");
    fprintf(o, "    sym[0] = batch; sym[1] = %lld; sym[2] = %lld; sym[3] = %lld;   /* sequences at the built length */\n",
            (long long)(m->sym_max[1] > 0 ? m->sym_max[1] : 1), (long long)(m->sym_max[2] > 0 ? m->sym_max[2] : 1),
            (long long)(m->sym_max[3] > 0 ? m->sym_max[3] : 1));
    fprintf(o, "    hp[0] = lr; hp[1] = (double)step; hp[2] = hp[3] = 0;\n");
    fprintf(o, "    %s_train((char *)params, (char *)grads, (char *)opt_state, (char *)workspace, io, sym, hp, out);\n", P);
    fprintf(o, "    return (float)out[0];\n}\n");
}
