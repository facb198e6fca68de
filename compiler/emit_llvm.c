/* emit_llvm.c — kernel IR -> LLVM IR through the LLVM C API, then the new pass manager
 * (default<O2>) for the host CPU and ORC LLJIT.  With emit_gemm.c (the GEMM statement), the
 * only file that includes llvm-c.
 *
 * Each KFunc becomes `void name(ptr P, ptr G, ptr S, ptr W, ptr io, ptr sym, ptr hp, ptr out)`.
 * Loop variables and locals are allocas that mem2reg promotes.  Float arithmetic is strict
 * IEEE in the order the kernel IR gives (no fast-math flags), so NaN stays visible and every back end
 * agrees bit for bit. */
#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Error.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlc.h"
#include "emit_gemm.h"

struct Jit {
    LLVMOrcLLJITRef lljit;
};

typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMValueRef fn;
    const KFunc *kf;
    const char *cpu, *features;
    /* per function being written: its entry block holds the setup (buffer pointers, allocas),
     * made on first use */
    LLVMBasicBlockRef entry;
    LLVMValueRef args[8];     /* the ABI arguments P, G, S, W, io, sym, hp, out */
    LLVMValueRef *bufptr;     /* base pointer of each KBuf, or NULL */
    LLVMValueRef *vars;       /* alloca of each KVar, or NULL */
    LLVMValueRef sym[MAX_SYMS], hp[4];
    GemmTarget gemm;
    int64_t sym_max[MAX_SYMS];   /* public wrappers: the planned sizes of the symbolic dims */
    const RegionSig *sig;        /* the region being written, whose buffers are slot arguments */
    struct RegionTable *regions; /* the functions written so far for region keys */
} Emit;

static LLVMValueRef buf_ptr(Emit *E, int i);
static LLVMValueRef var_ptr(Emit *E, int i);
static void outline(Emit *E, const KStmt *s);

static LLVMTypeRef ty(Emit *E, KType t) {
    switch (t) {
    case KT_BOOL: return LLVMInt1TypeInContext(E->ctx);
    case KT_I32: return LLVMInt32TypeInContext(E->ctx);
    case KT_I64: return LLVMInt64TypeInContext(E->ctx);
    case KT_F32: return LLVMFloatTypeInContext(E->ctx);
    case KT_F64: return LLVMDoubleTypeInContext(E->ctx);
    }
    unreachable();
}


/* llvm.<name>.<f32|f64> intrinsics (exp, log, sqrt, fabs, maxnum, minnum, pow). */
static LLVMValueRef intrinsic(Emit *E, const char *name, KType t, LLVMValueRef *args, int n) {
    LLVMTypeRef ft = ty(E, t);
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    if (!id) ICE("no intrinsic %s", name);
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(E->mod, id, &ft, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(E->ctx, id, &ft, 1);
    return LLVMBuildCall2(E->b, fty, f, args, (unsigned)n, "");
}

/* libm functions without an LLVM intrinsic: tanh, erf (resolved from the process). */
static LLVMValueRef libm(Emit *E, const char *name, KType t, LLVMValueRef x) {
    const char *fname = t == KT_F32 ? fmt("%sf", name) : name;
    LLVMTypeRef ft = ty(E, t);
    LLVMTypeRef fty = LLVMFunctionType(ft, &ft, 1, 0);
    LLVMValueRef f = LLVMGetNamedFunction(E->mod, fname);
    if (!f) {
        f = LLVMAddFunction(E->mod, fname, fty);
        LLVMSetLinkage(f, LLVMExternalLinkage);
    }
    return LLVMBuildCall2(E->b, fty, f, &x, 1, "");
}

static LLVMValueRef expr(Emit *E, const KExpr *e);

/* ---- f32 exp, tanh and erf, written out so loops over them vectorize ---------------------------
 * Cephes' expf and tanhf in plain float arithmetic (no fma, no libm), the same operations in
 * the same order as the C back end's dlc_expf / dlc_tanhf (emit_c.c), so the JIT, object files
 * and C source agree bit for bit.  exp: n = floor(x log2 e + 1/2) clamped to [-126, 127],
 * r = x - n ln 2 (in two parts), e^r by a degree-6 polynomial, times 2^n built from its bits;
 * +inf above 88.72, 0 below -87.34 (no subnormals).  tanh: an odd polynomial below 0.625,
 * else 1 - 2 / (e^2|x| + 1) with x's sign.  erf: see vm_erff_small in kernel.c.  All within a
 * few ulp of libm. */
static LLVMValueRef fc(Emit *E, double v) { return LLVMConstReal(LLVMFloatTypeInContext(E->ctx), (double)(float)v); }

/* an internal always-inlined float -> float function, built once per module */
static LLVMValueRef vmath_fn(Emit *E, const char *name, LLVMBuilderRef *b) {
    LLVMTypeRef f32 = LLVMFloatTypeInContext(E->ctx), fty = LLVMFunctionType(f32, &f32, 1, 0);
    LLVMValueRef f = LLVMGetNamedFunction(E->mod, name);
    if (f) return f;
    f = LLVMAddFunction(E->mod, name, fty);
    LLVMSetLinkage(f, LLVMInternalLinkage);
    unsigned inl = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(E->ctx, inl, 0));
    *b = LLVMCreateBuilderInContext(E->ctx);
    LLVMPositionBuilderAtEnd(*b, LLVMAppendBasicBlockInContext(E->ctx, f, "entry"));
    return f;
}

static LLVMValueRef fsel(LLVMBuilderRef b, LLVMRealPredicate p, LLVMValueRef x, LLVMValueRef y, LLVMValueRef t, LLVMValueRef e) {
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, p, x, y, ""), t, e, "");
}

/* c[0] x^(n-1) + ... + c[n-1] by Horner's rule, in the C back end's order (p = p x + c[k]) */
static LLVMValueRef horner(Emit *E, LLVMBuilderRef b, LLVMValueRef x, const double *c, int n) {
    LLVMValueRef p = fc(E, c[0]);
    for (int k = 1; k < n; k++) p = LLVMBuildFAdd(b, LLVMBuildFMul(b, p, x, ""), fc(E, c[k]), "");
    return p;
}

static LLVMValueRef expf_fn(Emit *E) {
    LLVMBuilderRef b = NULL;
    LLVMValueRef f = vmath_fn(E, "dlc.expf", &b);
    if (!b) return f;
    LLVMTypeRef f32 = LLVMFloatTypeInContext(E->ctx), i32 = LLVMInt32TypeInContext(E->ctx);
    LLVMValueRef x = LLVMGetParam(f, 0);
    LLVMValueRef t = LLVMBuildFAdd(b, LLVMBuildFMul(b, x, fc(E, VM_LOG2E), ""), fc(E, 0.5), "");
    unsigned fl = LLVMLookupIntrinsicID("llvm.floor", 10);
    LLVMValueRef n = LLVMBuildCall2(b, LLVMIntrinsicGetType(E->ctx, fl, &f32, 1), LLVMGetIntrinsicDeclaration(E->mod, fl, &f32, 1), &t, 1, "");
    n = fsel(b, LLVMRealOLT, n, fc(E, -126), fc(E, -126), n);
    n = fsel(b, LLVMRealOGT, n, fc(E, 127), fc(E, 127), n);
    LLVMValueRef r = LLVMBuildFSub(b, x, LLVMBuildFMul(b, n, fc(E, VM_LN2_HI), ""), "");
    r = LLVMBuildFSub(b, r, LLVMBuildFMul(b, n, fc(E, VM_LN2_LO), ""), "");
    LLVMValueRef z = LLVMBuildFMul(b, r, r, ""), p = horner(E, b, r, vm_expf_poly, 6);
    p = LLVMBuildFAdd(b, LLVMBuildFAdd(b, LLVMBuildFMul(b, p, z, ""), r, ""), fc(E, 1), "");
    /* 2^n: n + 1.5 * 2^23 holds n in its low mantissa bits */
    LLVMValueRef bits = LLVMBuildBitCast(b, LLVMBuildFAdd(b, n, fc(E, 12582912.0), ""), i32, "");
    bits = LLVMBuildAdd(b, LLVMBuildSub(b, bits, LLVMConstInt(i32, 0x4B400000, 0), ""), LLVMConstInt(i32, 127, 0), "");
    LLVMValueRef scale = LLVMBuildBitCast(b, LLVMBuildShl(b, bits, LLVMConstInt(i32, 23, 0), ""), f32, "");
    LLVMValueRef y = LLVMBuildFMul(b, p, scale, "");
    y = fsel(b, LLVMRealOGT, x, fc(E, VM_EXP_MAX), LLVMConstReal(f32, INFINITY), y);
    y = fsel(b, LLVMRealOLT, x, fc(E, VM_EXP_MIN), fc(E, 0), y);
    LLVMBuildRet(b, y);
    LLVMDisposeBuilder(b);
    return f;
}

static LLVMValueRef tanhf_fn(Emit *E) {
    LLVMValueRef ex = expf_fn(E);
    LLVMBuilderRef b = NULL;
    LLVMValueRef f = vmath_fn(E, "dlc.tanhf", &b);
    if (!b) return f;
    LLVMTypeRef f32 = LLVMFloatTypeInContext(E->ctx), fty = LLVMFunctionType(f32, &f32, 1, 0);
    LLVMValueRef x = LLVMGetParam(f, 0);
    LLVMValueRef a = fsel(b, LLVMRealOLT, x, fc(E, 0), LLVMBuildFNeg(b, x, ""), x);
    LLVMValueRef z = LLVMBuildFMul(b, x, x, ""), p = horner(E, b, z, vm_tanhf_poly, 5);
    LLVMValueRef small = LLVMBuildFAdd(b, LLVMBuildFMul(b, LLVMBuildFMul(b, p, z, ""), x, ""), x, "");
    LLVMValueRef a2 = LLVMBuildFMul(b, fc(E, 2), a, "");
    LLVMValueRef s = LLVMBuildCall2(b, fty, ex, &a2, 1, "");
    LLVMValueRef big = LLVMBuildFSub(b, fc(E, 1), LLVMBuildFDiv(b, fc(E, 2), LLVMBuildFAdd(b, s, fc(E, 1), ""), ""), "");
    big = fsel(b, LLVMRealOLT, x, fc(E, 0), LLVMBuildFNeg(b, big, ""), big);
    LLVMBuildRet(b, fsel(b, LLVMRealOLT, a, fc(E, VM_TANH_SMALL), small, big));
    LLVMDisposeBuilder(b);
    return f;
}

static LLVMValueRef erff_fn(Emit *E) {
    LLVMValueRef ex = expf_fn(E);
    LLVMBuilderRef b = NULL;
    LLVMValueRef f = vmath_fn(E, "dlc.erff", &b);
    if (!b) return f;
    LLVMTypeRef f32 = LLVMFloatTypeInContext(E->ctx), fty = LLVMFunctionType(f32, &f32, 1, 0);
    LLVMValueRef x = LLVMGetParam(f, 0);
    LLVMValueRef a = fsel(b, LLVMRealOLT, x, fc(E, 0), LLVMBuildFNeg(b, x, ""), x);
    LLVMValueRef small = LLVMBuildFMul(b, horner(E, b, LLVMBuildFMul(b, x, x, ""), vm_erff_small, 7), x, "");
    LLVMValueRef q = horner(E, b, LLVMBuildFSub(b, a, fc(E, VM_ERF_MID), ""), vm_erff_large, 9);
    LLVMValueRef arg = LLVMBuildFSub(b, q, LLVMBuildFMul(b, a, a, ""), "");
    LLVMValueRef big = LLVMBuildFSub(b, fc(E, 1), LLVMBuildCall2(b, fty, ex, &arg, 1, ""), "");
    big = fsel(b, LLVMRealOGE, a, fc(E, 4), fc(E, 1), big);
    big = fsel(b, LLVMRealOLT, x, fc(E, 0), LLVMBuildFNeg(b, big, ""), big);
    LLVMBuildRet(b, fsel(b, LLVMRealOLT, a, fc(E, 1), small, big));
    LLVMDisposeBuilder(b);
    return f;
}

static LLVMValueRef call_f32(Emit *E, LLVMValueRef f, LLVMValueRef x) {
    LLVMTypeRef f32 = LLVMFloatTypeInContext(E->ctx);
    return LLVMBuildCall2(E->b, LLVMFunctionType(f32, &f32, 1, 0), f, &x, 1, "");
}

static LLVMValueRef cmp(Emit *E, const KExpr *e) {
    LLVMValueRef a = expr(E, e->a), b = expr(E, e->b);
    if (kt_is_float(e->a->t)) {
        static const LLVMRealPredicate fp[] = {[K_LT] = LLVMRealOLT, [K_LE] = LLVMRealOLE, [K_GT] = LLVMRealOGT,
                                               [K_GE] = LLVMRealOGE, [K_EQ] = LLVMRealOEQ, [K_NE] = LLVMRealUNE};
        return LLVMBuildFCmp(E->b, fp[e->op], a, b, "");
    }
    static const LLVMIntPredicate ip[] = {[K_LT] = LLVMIntSLT, [K_LE] = LLVMIntSLE, [K_GT] = LLVMIntSGT,
                                          [K_GE] = LLVMIntSGE, [K_EQ] = LLVMIntEQ, [K_NE] = LLVMIntNE};
    return LLVMBuildICmp(E->b, ip[e->op], a, b, "");
}

static LLVMValueRef cast(Emit *E, const KExpr *e) {
    LLVMValueRef a = expr(E, e->a);
    KType from = e->a->t, to = e->t;
    LLVMTypeRef tt = ty(E, to);
    if (kt_is_float(from) && kt_is_float(to))
        return from == KT_F32 ? LLVMBuildFPExt(E->b, a, tt, "") : LLVMBuildFPTrunc(E->b, a, tt, "");
    if (kt_is_float(to)) return LLVMBuildSIToFP(E->b, a, tt, "");
    if (kt_is_float(from)) return LLVMBuildFPToSI(E->b, a, tt, "");
    if (from == KT_BOOL) return LLVMBuildZExt(E->b, a, tt, "");
    return LLVMBuildIntCast2(E->b, a, tt, 1, "");
}

/* splitmix64's finalizer over key * golden + counter; the top 24 bits as a float in [0, 1),
 * exact in f32 and f64.  emit_c.c prints the same function. */
static LLVMValueRef rand_u01(Emit *E, const KExpr *e) {
    LLVMTypeRef i64 = ty(E, KT_I64);
    LLVMValueRef z = LLVMBuildAdd(E->b, LLVMBuildMul(E->b, expr(E, e->a), LLVMConstInt(i64, 0x9E3779B97F4A7C15ull, 0), ""),
                                  expr(E, e->b), "");
    static const unsigned long long mul[2] = {0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull};
    static const unsigned shift[3] = {30, 27, 31};
    for (int i = 0; i < 3; i++) {
        z = LLVMBuildXor(E->b, z, LLVMBuildLShr(E->b, z, LLVMConstInt(i64, shift[i], 0), ""), "");
        if (i < 2) z = LLVMBuildMul(E->b, z, LLVMConstInt(i64, mul[i], 0), "");
    }
    LLVMValueRef top = LLVMBuildUIToFP(E->b, LLVMBuildLShr(E->b, z, LLVMConstInt(i64, 40, 0), ""), ty(E, e->t), "");
    return LLVMBuildFMul(E->b, top, LLVMConstReal(ty(E, e->t), 0x1p-24), "");
}

static LLVMValueRef expr(Emit *E, const KExpr *e) {
    bool fl = kt_is_float(e->t);
    LLVMValueRef a, b;
    switch (e->op) {
    case K_FCONST: return LLVMConstReal(ty(E, e->t), e->f);
    case K_ICONST: return LLVMConstInt(ty(E, KT_I64), (unsigned long long)e->i, 1);
    case K_VAR: return LLVMBuildLoad2(E->b, ty(E, e->t), var_ptr(E, (int)e->i), "");
    case K_SYM: return E->sym[e->i];
    case K_HP: return E->hp[e->i];
    case K_LOAD: {
        KType t = E->kf->bufs[e->i].t;
        LLVMValueRef idx = expr(E, e->a);
        LLVMValueRef p = LLVMBuildInBoundsGEP2(E->b, ty(E, t), buf_ptr(E, (int)e->i), &idx, 1, "");
        return LLVMBuildLoad2(E->b, ty(E, t), p, "");
    }
    case K_ADD: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? LLVMBuildFAdd(E->b, a, b, "") : LLVMBuildNSWAdd(E->b, a, b, "");
    case K_SUB: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? LLVMBuildFSub(E->b, a, b, "") : LLVMBuildNSWSub(E->b, a, b, "");
    case K_MUL: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? LLVMBuildFMul(E->b, a, b, "") : LLVMBuildNSWMul(E->b, a, b, "");
    case K_DIV: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? LLVMBuildFDiv(E->b, a, b, "") : LLVMBuildSDiv(E->b, a, b, "");
    case K_REM: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? LLVMBuildFRem(E->b, a, b, "") : LLVMBuildSRem(E->b, a, b, "");
    case K_MAX: case K_MIN: {
        LLVMValueRef args[2] = {expr(E, e->a), expr(E, e->b)};
        if (fl) return intrinsic(E, e->op == K_MAX ? "llvm.maxnum" : "llvm.minnum", e->t, args, 2);
        LLVMValueRef c = LLVMBuildICmp(E->b, e->op == K_MAX ? LLVMIntSGT : LLVMIntSLT, args[0], args[1], "");
        return LLVMBuildSelect(E->b, c, args[0], args[1], "");
    }
    case K_POW: {
        LLVMValueRef args[2] = {expr(E, e->a), expr(E, e->b)};
        return intrinsic(E, "llvm.pow", e->t, args, 2);
    }
    case K_NEG: a = expr(E, e->a);
        return fl ? LLVMBuildFNeg(E->b, a, "") : LLVMBuildNeg(E->b, a, "");
    case K_EXP:
        a = expr(E, e->a);
        return e->t == KT_F32 ? call_f32(E, expf_fn(E), a) : intrinsic(E, "llvm.exp", e->t, &a, 1);
    case K_LOG: a = expr(E, e->a); return intrinsic(E, "llvm.log", e->t, &a, 1);
    case K_SQRT: a = expr(E, e->a); return intrinsic(E, "llvm.sqrt", e->t, &a, 1);
    case K_ABS: a = expr(E, e->a); return intrinsic(E, "llvm.fabs", e->t, &a, 1);
    case K_TANH: return e->t == KT_F32 ? call_f32(E, tanhf_fn(E), expr(E, e->a)) : libm(E, "tanh", e->t, expr(E, e->a));
    case K_ERF: return e->t == KT_F32 ? call_f32(E, erff_fn(E), expr(E, e->a)) : libm(E, "erf", e->t, expr(E, e->a));
    case K_SIN: return libm(E, "sin", e->t, expr(E, e->a));   /* libm, as the C back end: the same bits */
    case K_COS: return libm(E, "cos", e->t, expr(E, e->a));
    case K_LT: case K_LE: case K_GT: case K_GE: case K_EQ: case K_NE: return cmp(E, e);
    case K_AND: a = expr(E, e->a); b = expr(E, e->b); return LLVMBuildAnd(E->b, a, b, "");
    case K_OR: a = expr(E, e->a); b = expr(E, e->b); return LLVMBuildOr(E->b, a, b, "");
    case K_SELECT: {
        LLVMValueRef c = expr(E, e->a);
        a = expr(E, e->b);
        b = expr(E, e->c);
        return LLVMBuildSelect(E->b, c, a, b, "");
    }
    case K_CAST: return cast(E, e);
    case K_RAND: return rand_u01(E, e);
    }
    unreachable();
}

static void block(Emit *E, const KBlock *blk);

/* for (var = lo; var < hi; var++) body */
/* !llvm.loop metadata asking the unroller to leave a loop alone.  The vectorizer still widens
 * and interleaves it; unrolled copies of hundreds of small loop nests cost compile time (half of
 * it for char_gpt) and bought no speed.  The GEMM's loops (emit_gemm.c) keep their unrolling.
 * A small window instead (a loop of at most UNROLL_TRIP iterations, fixed, whose unrolled nest
 * has at most UNROLL_MAX statements: a pooling or convolution window) is unrolled in full, so
 * that the loop around it (along a row) is innermost and can be vectorized.  With `vectorize`, also
 * llvm.loop.vectorize.enable: the vectorizer then accepts up to 128 run-time alias checks
 * instead of 8 (a recurrence's step reads and writes one buffer at offsets only known at run
 * time).  A loop evaluating f32 exp, tanh or erf (polynomials: chains of dependent multiplies
 * and adds) is interleaved MATH_INTERLEAVE times, two vectors in flight instead of one; the
 * vectorizer's cost model picks 1 for such long bodies (GELU's backward: 20 % faster). */
enum { UNROLL_TRIP = 8, UNROLL_MAX = 64, MATH_INTERLEAVE = 2 };

/* The statements a block becomes with its fixed loops unrolled; above UNROLL_MAX: too many. */
static int64_t unrolled_size(const KBlock *b) {
    int64_t n = 0;
    for (int i = 0; i < b->n && n <= UNROLL_MAX; i++) {
        const KStmt *s = b->v[i];
        if (s->kind == KS_FOR) {
            if (s->lo->op != K_ICONST || s->hi->op != K_ICONST) return UNROLL_MAX + 1;
            n += (s->hi->i - s->lo->i) * unrolled_size(&s->body);
        } else {
            n += 1 + unrolled_size(&s->body);
        }
    }
    return n;
}

/* Does the expression, or any in the block, evaluate an f32 exp, tanh or erf (written out as
 * polynomials: long dependency chains)? */
static bool math_expr(const KExpr *e) {
    return e && ((e->t == KT_F32 && (e->op == K_EXP || e->op == K_TANH || e->op == K_ERF)) || math_expr(e->a) ||
                 math_expr(e->b) || math_expr(e->c));
}
static bool math_block(const KBlock *b) {
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        if (math_expr(s->lo) || math_expr(s->hi) || math_expr(s->idx) || math_expr(s->val) || math_block(&s->body)) return true;
    }
    return false;
}

static LLVMValueRef loop_hints(Emit *E, const KStmt *s, LLVMValueRef lo, LLVMValueRef hi) {
    int64_t trip = LLVMIsAConstantInt(lo) && LLVMIsAConstantInt(hi) ? LLVMConstIntGetSExtValue(hi) - LLVMConstIntGetSExtValue(lo) : -1;
    bool small = trip >= 0 && trip <= UNROLL_TRIP && trip * unrolled_size(&s->body) <= UNROLL_MAX;
    const char *unroll = small ? "llvm.loop.unroll.full" : "llvm.loop.unroll.disable";
    LLVMMetadataRef self = LLVMTemporaryMDNode(E->ctx, NULL, 0);
    LLVMMetadataRef flag = LLVMMDStringInContext2(E->ctx, unroll, strlen(unroll));
    LLVMMetadataRef vec[2] = {LLVMMDStringInContext2(E->ctx, "llvm.loop.vectorize.enable", 26),
                              LLVMValueAsMetadata(LLVMConstInt(LLVMInt1TypeInContext(E->ctx), 1, 0))};
    LLVMMetadataRef ops[4] = {self, LLVMMDNodeInContext2(E->ctx, &flag, 1)}, *op = ops + 2;
    if (s->vectorize) *op++ = LLVMMDNodeInContext2(E->ctx, vec, 2);
    if (math_block(&s->body)) {
        LLVMMetadataRef ilv[2] = {LLVMMDStringInContext2(E->ctx, "llvm.loop.interleave.count", 26),
                                  LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(E->ctx), MATH_INTERLEAVE, 0))};
        *op++ = LLVMMDNodeInContext2(E->ctx, ilv, 2);
    }
    LLVMMetadataRef loop = LLVMMDNodeInContext2(E->ctx, ops, (size_t)(op - ops));
    LLVMMetadataReplaceAllUsesWith(self, loop);
    return LLVMMetadataAsValue(E->ctx, loop);
}

static void emit_for(Emit *E, const KStmt *s, LLVMValueRef lo, LLVMValueRef hi) {
    LLVMBuildStore(E->b, lo, var_ptr(E, s->var));
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "for.head");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "for.body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "for.done");
    LLVMBuildBr(E->b, head);
    LLVMPositionBuilderAtEnd(E->b, head);
    LLVMTypeRef i64 = ty(E, KT_I64);
    LLVMValueRef iv = LLVMBuildLoad2(E->b, i64, var_ptr(E, s->var), "");
    LLVMBuildCondBr(E->b, LLVMBuildICmp(E->b, LLVMIntSLT, iv, hi, ""), body, done);
    LLVMPositionBuilderAtEnd(E->b, body);
    block(E, &s->body);
    iv = LLVMBuildLoad2(E->b, i64, var_ptr(E, s->var), "");
    LLVMBuildStore(E->b, LLVMBuildNSWAdd(E->b, iv, LLVMConstInt(i64, 1, 0), ""), var_ptr(E, s->var));
    LLVMSetMetadata(LLVMBuildBr(E->b, head), LLVMGetMDKindIDInContext(E->ctx, "llvm.loop", 9), loop_hints(E, s, lo, hi));
    LLVMPositionBuilderAtEnd(E->b, done);
}

static void stmt(Emit *E, const KStmt *s) {
    switch (s->kind) {
    case KS_STORE: {
        KType t = E->kf->bufs[s->buf].t;
        LLVMValueRef v = expr(E, s->val);
        LLVMValueRef idx = expr(E, s->idx);
        LLVMValueRef p = LLVMBuildInBoundsGEP2(E->b, ty(E, t), buf_ptr(E, s->buf), &idx, 1, "");
        LLVMBuildStore(E->b, v, p);
        return;
    }
    case KS_LET: case KS_SET:
        LLVMBuildStore(E->b, expr(E, s->val), var_ptr(E, s->var));
        return;
    case KS_FOR:
        emit_for(E, s, expr(E, s->lo), expr(E, s->hi));
        return;
    case KS_GEMM: {
        const KGemm *g = s->gemm;
        LLVMValueRef f = g->dot ? gemm_dot_function(&E->gemm, ty(E, E->kf->bufs[g->c].t))
                                : gemm_function(&E->gemm, ty(E, E->kf->bufs[g->c].t), g->ta, g->tb);
        LLVMTypeRef et = ty(E, E->kf->bufs[g->c].t);
        LLVMValueRef off[3] = {expr(E, g->aoff), expr(E, g->boff), expr(E, g->coff)};
        LLVMValueRef args[9] = {expr(E, g->m), expr(E, g->n), expr(E, g->k),
                                LLVMBuildInBoundsGEP2(E->b, et, buf_ptr(E, g->a), &off[0], 1, ""),
                                LLVMBuildInBoundsGEP2(E->b, et, buf_ptr(E, g->b), &off[1], 1, ""),
                                LLVMBuildInBoundsGEP2(E->b, et, buf_ptr(E, g->c), &off[2], 1, ""),
                                g->ws < 0 ? LLVMConstNull(LLVMPointerTypeInContext(E->ctx, 0))
                                : g->wsoff ? LLVMBuildInBoundsGEP2(E->b, et, buf_ptr(E, g->ws), (LLVMValueRef[]){expr(E, g->wsoff)}, 1, "")
                                           : buf_ptr(E, g->ws),
                                expr(E, kgemm_ldb(g)),
                                g->bias < 0 ? LLVMConstNull(LLVMPointerTypeInContext(E->ctx, 0))
                                            : LLVMBuildInBoundsGEP2(E->b, et, buf_ptr(E, g->bias), (LLVMValueRef[]){expr(E, g->biasoff)}, 1, "")};
        LLVMBuildCall2(E->b, LLVMGlobalGetValueType(f), f, args, 9, "");
        return;
    }
    case KS_REGION:
        outline(E, s);
        return;
    case KS_IF: {
        LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "if.then");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "if.done");
        LLVMBuildCondBr(E->b, expr(E, s->val), then, done);
        LLVMPositionBuilderAtEnd(E->b, then);
        block(E, &s->body);
        LLVMBuildBr(E->b, done);
        LLVMPositionBuilderAtEnd(E->b, done);
        return;
    }
    }
}

static void block(Emit *E, const KBlock *blk) {
    for (int i = 0; i < blk->n; i++) stmt(E, blk->v[i]);
}

/* A builder placed at the end of the entry block (before its branch to the body). */
static LLVMBuilderRef setup_builder(Emit *E) {
    LLVMBuilderRef b = LLVMCreateBuilderInContext(E->ctx);
    LLVMPositionBuilderBefore(b, LLVMGetBasicBlockTerminator(E->entry));
    return b;
}

static LLVMValueRef buf_ptr(Emit *E, int i) {
    if (E->bufptr[i]) return E->bufptr[i];
    const KBuf *kb = &E->kf->bufs[i];
    LLVMBuilderRef b = setup_builder(E);
    LLVMTypeRef i64 = ty(E, KT_I64), ptr = LLVMPointerTypeInContext(E->ctx, 0), i8 = LLVMInt8TypeInContext(E->ctx);
    LLVMValueRef base;
    if (kb->base >= B_IO) {
        LLVMValueRef idx = LLVMConstInt(i64, (unsigned long long)(kb->base - B_IO), 0);
        base = LLVMBuildLoad2(b, ptr, LLVMBuildInBoundsGEP2(b, ptr, E->args[4], &idx, 1, ""), "");
    } else {
        static const int param_of[] = {[B_P] = 0, [B_G] = 1, [B_S] = 2, [B_W] = 3, [B_OUT] = 7};
        base = E->args[param_of[kb->base]];
    }
    LLVMValueRef off = LLVMConstInt(i64, (unsigned long long)kb->offset, 0);
    E->bufptr[i] = LLVMBuildInBoundsGEP2(b, i8, base, &off, 1, kb->name);
    LLVMDisposeBuilder(b);
    return E->bufptr[i];
}

static LLVMValueRef var_ptr(Emit *E, int i) {
    if (!E->vars[i]) {
        LLVMBuilderRef b = setup_builder(E);
        E->vars[i] = LLVMBuildAlloca(b, ty(E, E->kf->vars[i].t), E->kf->vars[i].name);
        LLVMDisposeBuilder(b);
    }
    return E->vars[i];
}

/* A new function of the module with the target's attributes; internal ones (outlined regions
 * and parallel tasks) are never inlined, so that each stays a unit for the optimizer and for
 * profiles.  Its entry block (setup) and body; the builder is left in the entry. */
static void new_function(Emit *E, const char *name, LLVMTypeRef fty, bool internal) {
    E->fn = LLVMAddFunction(E->mod, name, fty);
    LLVMAddTargetDependentFunctionAttr(E->fn, "target-cpu", E->cpu);
    LLVMAddTargetDependentFunctionAttr(E->fn, "target-features", E->features);
    /* LLVM widens loops to 256 bits on AVX-512 cores unless told otherwise (a guard against the
     * clock drop of older Xeons); the elementwise loops here are compute-bound, so use all 512 */
    if (E->gemm.vector_bytes == 64) LLVMAddTargetDependentFunctionAttr(E->fn, "prefer-vector-width", "512");
    if (internal) {
        LLVMSetLinkage(E->fn, LLVMInternalLinkage);
        unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
        LLVMAddAttributeAtIndex(E->fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(E->ctx, noinline, 0));
    }
    E->entry = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "entry");
    LLVMPositionBuilderAtEnd(E->b, E->entry);
}

/* With E->args set: load sym[] and hp[], end the entry block, and start the body. */
static void start_body(Emit *E) {
    LLVMTypeRef i64 = ty(E, KT_I64), f64 = ty(E, KT_F64);
    for (int i = 0; i < MAX_SYMS; i++) {
        LLVMValueRef idx = LLVMConstInt(i64, (unsigned long long)i, 0);
        E->sym[i] = LLVMBuildLoad2(E->b, i64, LLVMBuildInBoundsGEP2(E->b, i64, E->args[5], &idx, 1, ""), "");
    }
    for (int i = 0; i < 4; i++) {
        LLVMValueRef idx = LLVMConstInt(i64, (unsigned long long)i, 0);
        E->hp[i] = LLVMBuildLoad2(E->b, f64, LLVMBuildInBoundsGEP2(E->b, f64, E->args[6], &idx, 1, ""), "");
    }
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "body");
    LLVMBuildBr(E->b, body);
    LLVMPositionBuilderAtEnd(E->b, body);
    E->bufptr = xcalloc((size_t)E->kf->nbufs + 1, sizeof(LLVMValueRef));
    E->vars = xcalloc((size_t)E->kf->nvars + 1, sizeof(LLVMValueRef));
}

static void end_function(Emit *E) {
    LLVMBuildRetVoid(E->b);
    free(E->bufptr);
    free(E->vars);
}

/* Start `void name(P, G, S, W, io, sym, hp, out)`, the ABI of docs/abi.md. */
static void begin_abi_function(Emit *E, const char *name, bool internal) {
    LLVMTypeRef ptr = LLVMPointerTypeInContext(E->ctx, 0);
    LLVMTypeRef params[8] = {ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr};
    new_function(E, name, LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), params, 8, 0), internal);
    /* the blocks never overlap one another */
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    for (unsigned i = 0; i < 8; i++) {
        if (i != 4) LLVMAddAttributeAtIndex(E->fn, i + 1, LLVMCreateEnumAttribute(E->ctx, noalias, 0));
        E->args[i] = LLVMGetParam(E->fn, i);
    }
    start_body(E);
}

/* ---- regions as functions ------------------------------------------------------------------
 * A region becomes `<function>.<region>(P, G, S, W, io, sym, hp, out, slot 0, ...)`, called in
 * its place with the addresses of its slots (RegionSig in dlc.h); a later region with the same
 * key calls the same function, so a model's repeated layers, and the parts its functions share,
 * are compiled once.  Slots never overlap, so each is noalias (the optimizer needs no run-time
 * overlap checks), except io's, which the caller may alias. */
typedef struct { uint64_t hash; const char *key; LLVMValueRef fn; } RegionFn;
struct RegionTable { RegionFn *v; int n, cap; };

/* Start the function of E->sig's region (with `range`, also two i64 arguments: a parallel
 * loop's chunk); its buffers are the slot arguments. */
static void begin_region_function(Emit *E, const char *name, bool range) {
    const RegionSig *r = E->sig;
    unsigned np = 8 + (unsigned)r->nslots + (range ? 2 : 0);
    LLVMTypeRef *pt = xcalloc(np, sizeof *pt);
    for (unsigned i = 0; i < np; i++) pt[i] = range && i >= np - 2 ? ty(E, KT_I64) : LLVMPointerTypeInContext(E->ctx, 0);
    new_function(E, name, LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), pt, np, 0), true);
    free(pt);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    for (unsigned i = 0; i < 8 + (unsigned)r->nslots; i++) {
        bool io = i < 8 ? i == 4 : E->kf->bufs[r->slot_buf[i - 8]].base >= B_IO;
        if (!io) LLVMAddAttributeAtIndex(E->fn, i + 1, LLVMCreateEnumAttribute(E->ctx, noalias, 0));
        if (i < 8) E->args[i] = LLVMGetParam(E->fn, i);
    }
    start_body(E);
    for (int b = 0; b < E->kf->nbufs; b++)
        if (r->slot_of[b] >= 0) E->bufptr[b] = LLVMGetParam(E->fn, 8 + (unsigned)r->slot_of[b]);
}

/* The arguments of a call to the region's function from the function being written: the ABI
 * arguments and its slots' addresses. */
static LLVMValueRef *region_args(Emit *E) {
    LLVMValueRef *a = xcalloc(8 + (size_t)E->sig->nslots, sizeof *a);
    for (int i = 0; i < 8; i++) a[i] = E->args[i];
    for (int k = 0; k < E->sig->nslots; k++) a[8 + k] = buf_ptr(E, E->sig->slot_buf[k]);
    return a;
}

/* ---- parallel loops ---------------------------------------------------------------------------
 * A parallel loop (KStmt.par_work) at the top of a region becomes a function over a chunk of its
 * range, `chunk(ABI arguments, slots, lo, hi)`, and a task `void task(ctx, t)` with ctx = {the 8
 * ABI arguments, lo, hi, chunk, the slots} that calls it for chunk t, handed to the module's
 * parallel-for hook when one is installed and the loop has PAR_MIN_WORK elements or more;
 * otherwise the region runs the chunks itself.  Iterations are independent, so the split never
 * changes a result. */
enum { PAR_TASKS = 8, PAR_MIN_WORK = 1 << 15 };

/* A task sees only the ABI arguments: every variable its loop reads must be set inside it,
 * and GEMMs in it must not pack into the shared workspace. */
static bool reads_only(const KExpr *e, const bool *set) {
    if (!e) return true;
    if (e->op == K_VAR && !set[e->i]) return false;
    return reads_only(e->a, set) && reads_only(e->b, set) && reads_only(e->c, set);
}
static bool self_contained(const KBlock *b, bool *set) {
    for (int i = 0; i < b->n; i++) {
        const KStmt *s = b->v[i];
        if (s->kind == KS_FOR || s->kind == KS_LET || s->kind == KS_SET) set[s->var] = true;
        if (!reads_only(s->lo, set) || !reads_only(s->hi, set) || !reads_only(s->idx, set) || !reads_only(s->val, set))
            return false;
        if (s->kind == KS_GEMM) {   /* only one with no workspace or a slice of its own, on this task's values */
            const KGemm *g = s->gemm;
            if ((g->ws >= 0 && !g->wsoff) || !reads_only(g->wsoff, set) || !reads_only(g->biasoff, set) || !reads_only(g->aoff, set) || !reads_only(g->boff, set) || !reads_only(g->coff, set) ||
                !reads_only(g->m, set) || !reads_only(g->n, set) || !reads_only(g->k, set) || !reads_only(g->ldb, set))
                return false;
        }
        if (!self_contained(&s->body, set)) return false;
    }
    return true;
}

static void parallel_loop(Emit *E, const KStmt *s, int k) {
    bool *set = xcalloc((size_t)E->kf->nvars + 1, sizeof *set);
    set[s->var] = true;
    if (!self_contained(&s->body, set)) ICE("parallel loop over %s reads a variable set outside it", E->kf->vars[s->var].name);
    free(set);
    int ns = E->sig->nslots;
    unsigned nf = 11 + (unsigned)ns;
    LLVMTypeRef ptr = LLVMPointerTypeInContext(E->ctx, 0), i64 = ty(E, KT_I64);
    LLVMTypeRef *fields = xcalloc(nf, sizeof *fields);
    for (unsigned i = 0; i < nf; i++) fields[i] = i >= 8 && i < 11 ? i64 : ptr;
    LLVMTypeRef st = LLVMStructTypeInContext(E->ctx, fields, nf, 0);
    LLVMValueRef one = LLVMConstInt(i64, 1, 0), ntask_max = LLVMConstInt(i64, PAR_TASKS, 0);
    LLVMValueRef lo = expr(E, s->lo), hi = expr(E, s->hi), work = expr(E, s->par_work);
    LLVMValueRef n = LLVMBuildNSWSub(E->b, hi, lo, "");
    /* chunk = max(1, ceil(n / PAR_TASKS)), tasks = ceil(n / chunk) */
    LLVMValueRef chunk = LLVMBuildSDiv(E->b, LLVMBuildNSWAdd(E->b, n, LLVMConstInt(i64, PAR_TASKS - 1, 0), ""), ntask_max, "");
    chunk = LLVMBuildSelect(E->b, LLVMBuildICmp(E->b, LLVMIntSLT, chunk, one, ""), one, chunk, "");
    LLVMValueRef ntasks = LLVMBuildSDiv(E->b, LLVMBuildNSWAdd(E->b, n, LLVMBuildNSWSub(E->b, chunk, one, ""), ""), chunk, "");
    LLVMBuilderRef sb = setup_builder(E);
    LLVMValueRef ctx = LLVMBuildAlloca(sb, st, "par.ctx");
    LLVMDisposeBuilder(sb);
    LLVMValueRef *vals = region_args(E);   /* ABI arguments and slots, into fields 0-7 and 11- */
    LLVMValueRef range[3] = {lo, hi, chunk};
    for (unsigned i = 0; i < nf; i++)
        LLVMBuildStore(E->b, i < 8 ? vals[i] : i < 11 ? range[i - 8] : vals[i - 3], LLVMBuildStructGEP2(E->b, st, ctx, i, ""));
    free(vals);

    /* the chunk function, then the task calling it */
    Emit saved = *E;
    LLVMBasicBlockRef at = LLVMGetInsertBlock(E->b);
    const char *name = fmt("%s.par%d", LLVMGetValueName(saved.fn), k);
    begin_region_function(E, name, true);
    emit_for(E, s, LLVMGetParam(E->fn, nf - 3), LLVMGetParam(E->fn, nf - 2));
    end_function(E);
    LLVMValueRef chunk_fn = E->fn;
    LLVMTypeRef tps[2] = {ptr, i64};
    new_function(E, fmt("%s.task", name), LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), tps, 2, 0), true);
    LLVMValueRef cx = LLVMGetParam(E->fn, 0), t = LLVMGetParam(E->fn, 1);
    LLVMValueRef *f = xcalloc(nf, sizeof *f), *cargs = xcalloc(nf, sizeof *cargs);
    for (unsigned i = 0; i < nf; i++) f[i] = LLVMBuildLoad2(E->b, fields[i], LLVMBuildStructGEP2(E->b, st, cx, i, ""), "");
    LLVMValueRef i0 = LLVMBuildNSWAdd(E->b, f[8], LLVMBuildNSWMul(E->b, t, f[10], ""), "");
    LLVMValueRef i1 = LLVMBuildNSWAdd(E->b, i0, f[10], "");
    i1 = LLVMBuildSelect(E->b, LLVMBuildICmp(E->b, LLVMIntSLT, i1, f[9], ""), i1, f[9], "");
    for (unsigned i = 0; i < nf - 3; i++) cargs[i] = f[i < 8 ? i : i + 3];
    cargs[nf - 3] = i0;
    cargs[nf - 2] = i1;
    LLVMBuildCall2(E->b, LLVMGlobalGetValueType(chunk_fn), chunk_fn, cargs, nf - 1, "");
    LLVMBuildRetVoid(E->b);
    free(f);
    free(cargs);
    free(fields);
    LLVMValueRef task = E->fn;
    *E = saved;
    LLVMPositionBuilderAtEnd(E->b, at);

    /* run it: on the pool, or chunk by chunk here */
    LLVMValueRef hook = LLVMBuildLoad2(E->b, ptr, E->gemm.parallel_for, "");
    LLVMValueRef par = LLVMBuildAnd(E->b, LLVMBuildIsNotNull(E->b, hook, ""),
                                    LLVMBuildAnd(E->b, LLVMBuildICmp(E->b, LLVMIntSGT, ntasks, one, ""),
                                                 LLVMBuildICmp(E->b, LLVMIntSGE, work, LLVMConstInt(i64, PAR_MIN_WORK, 0), ""), ""), "");
    LLVMBasicBlockRef pool = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "par.pool");
    LLVMBasicBlockRef here = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "par.here");
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "par.head");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "par.body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "par.done");
    LLVMBuildCondBr(E->b, par, pool, here);
    LLVMPositionBuilderAtEnd(E->b, pool);
    LLVMTypeRef hps[3] = {ptr, ptr, i64};
    LLVMValueRef hargs[3] = {task, ctx, ntasks};
    LLVMBuildCall2(E->b, LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), hps, 3, 0), hook, hargs, 3, "");
    LLVMBuildBr(E->b, done);
    LLVMPositionBuilderAtEnd(E->b, here);
    LLVMBuildBr(E->b, head);
    LLVMPositionBuilderAtEnd(E->b, head);
    LLVMValueRef tv = LLVMBuildPhi(E->b, i64, "t");
    LLVMValueRef zero = LLVMConstInt(i64, 0, 0);
    LLVMBuildCondBr(E->b, LLVMBuildICmp(E->b, LLVMIntSLT, tv, ntasks, ""), body, done);
    LLVMPositionBuilderAtEnd(E->b, body);
    LLVMValueRef targs[2] = {ctx, tv};
    LLVMBuildCall2(E->b, LLVMGlobalGetValueType(task), task, targs, 2, "");
    LLVMValueRef next = LLVMBuildNSWAdd(E->b, tv, one, "");
    LLVMBuildBr(E->b, head);
    LLVMValueRef in_v[2] = {zero, next};
    LLVMBasicBlockRef in_b[2] = {here, body};
    LLVMAddIncoming(tv, in_v, in_b, 2);
    LLVMPositionBuilderAtEnd(E->b, done);
}

/* A region: the call of its function, written first unless a region with its key was; its
 * parallel loops become tasks. */
static void outline(Emit *E, const KStmt *s) {
    RegionSig sig = region_sig(E->kf, s);
    struct RegionTable *t = E->regions;
    LLVMValueRef callee = NULL;
    for (int i = 0; i < t->n && !callee; i++)
        if (t->v[i].hash == sig.hash && strcmp(t->v[i].key, sig.key) == 0) callee = t->v[i].fn;
    E->sig = &sig;
    LLVMValueRef *args = region_args(E);
    if (!callee) {
        Emit saved = *E;
        LLVMBasicBlockRef at = LLVMGetInsertBlock(E->b);
        begin_region_function(E, fmt("%s.%s", E->kf->name, s->name), false);
        for (int i = 0, k = 0; i < s->body.n; i++) {
            const KStmt *st = s->body.v[i];
            if (st->kind == KS_FOR && st->par_work) parallel_loop(E, st, k++);
            else stmt(E, st);
        }
        end_function(E);
        callee = E->fn;
        *E = saved;
        LLVMPositionBuilderAtEnd(E->b, at);
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            t->v = xrealloc(t->v, sizeof *t->v * (size_t)t->cap);
        }
        t->v[t->n++] = (RegionFn){sig.hash, sig.key, callee};
    }
    E->sig = NULL;
    LLVMBuildCall2(E->b, LLVMGlobalGetValueType(callee), callee, args, 8 + (unsigned)sig.nslots, "");
    free(args);
    free(sig.slot_of);
    free(sig.slot_buf);
}

static void emit_function(Emit *E, const KFunc *kf) {
    E->kf = kf;
    begin_abi_function(E, kf->name, false);
    block(E, &kf->body);
    end_function(E);
}

static void check(LLVMErrorRef err, const char *what) {
    if (!err) return;
    char *msg = LLVMGetErrorMessage(err);
    ICE("%s: %s", what, msg);
}

/* LLVM back ends dlc generates code for: 64-bit, little-endian, with a C ABI for the exported
 * functions (GPU and embedded targets lack one, or the libm calls our kernels make). */
static bool supported_target(const char *llvm_name) {
    static const char *const ok[] = {"x86-64", "aarch64", "arm64", "ppc64le"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(llvm_name, ok[i]) == 0) return true;
    return false;
}

/* Standard error redirected to a temporary file while LLVM may write to it, so that what it
 * writes can be read back (captured_fd: the real stderr meanwhile, else -1). */
static FILE *captured;
static int captured_fd = -1;

static void capture_stderr(void) {
    fflush(stderr);
    if (!(captured = tmpfile())) return;
    captured_fd = dup(2);
    if (captured_fd < 0 || dup2(fileno(captured), 2) < 0) {
        if (captured_fd >= 0) close(captured_fd);
        captured_fd = -1;
        fclose(captured);
        captured = NULL;
    }
}

/* Restore stderr; into text (size n), what was written meanwhile. */
static void release_stderr(char *text, size_t n) {
    text[0] = 0;
    if (captured_fd < 0) return;
    fflush(stderr);
    dup2(captured_fd, 2);
    close(captured_fd);
    captured_fd = -1;
    rewind(captured);
    text[fread(text, 1, n - 1, captured)] = 0;
    fclose(captured);
    captured = NULL;
}

static void unsupported_target(const char *tt) {
    fatal("target '%s' is not supported: dlc compiles for 64-bit little-endian CPUs with a C ABI "
          "(LLVM's x86-64, aarch64, ppc64le)", tt);
}

static void unknown_cpu(const char *cpu, const char *tt) {
    fatal("LLVM does not know the CPU '%s' for target '%s' (its list: llc-19 -mtriple=%s -mcpu=help)", cpu, tt, tt);
}

/* LLVM's fatal errors, instead of its abort: while a --cpu is probed (probe_tt, probe_cpu set)
 * they are the user's choice (a 32-bit CPU for a 64-bit triple); a failed write is the disk's;
 * anything else is our bug.  fatal() exits 1 and removes the temporary outputs. */
static const char *probe_tt, *probe_cpu;
static void llvm_fatal(const char *reason) {
    char said[1024];
    release_stderr(said, sizeof said);
    if (probe_cpu && strstr(said, "is not a recognized processor")) unknown_cpu(probe_cpu, probe_tt);   /* x86 then stops as if 32-bit */
    if (probe_cpu) fatal("LLVM cannot generate code for target '%s', CPU '%s': %s", probe_tt, probe_cpu, reason);
    if (strstr(reason, "IO failure")) fatal("cannot write the output: %s", reason);
    ICE("LLVM: %s", reason);
}

static void install_fatal_handler(void) {
    static bool done;
    if (!done) LLVMInstallFatalErrorHandler(llvm_fatal);
    done = true;
}

/* Whether LLVM knows `cpu` for `target`.  The C API cannot ask, and LLVM only warns
 * ("... is not a recognized processor for this target (ignoring processor)") when it makes
 * the target machine and its first function; so make both with stderr captured, and look. */
static bool known_cpu(LLVMTargetRef target, const char *tt, const char *cpu) {
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("probe", ctx);
    LLVMValueRef fn = LLVMAddFunction(mod, "probe", LLVMFunctionType(LLVMVoidTypeInContext(ctx), NULL, 0, false));
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
    LLVMBuildRetVoid(b);
    LLVMMemoryBufferRef obj = NULL;
    char *err = NULL, said[1024];
    probe_tt = tt;
    probe_cpu = cpu;
    capture_stderr();
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, tt, cpu, "", LLVMCodeGenLevelNone, LLVMRelocPIC,
                                                      LLVMCodeModelDefault);
    if (tm) LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &err, &obj);
    release_stderr(said, sizeof said);
    probe_tt = probe_cpu = NULL;
    if (obj) LLVMDisposeMemoryBuffer(obj);
    if (err) LLVMDisposeMessage(err);
    if (tm) LLVMDisposeTargetMachine(tm);
    LLVMDisposeBuilder(b);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    return tm && !strstr(said, "is not a recognized processor");
}

/* A target machine for `triple` and `cpu` (NULL: the host), its module set up to match. */
static LLVMTargetMachineRef target_machine(Emit *E, const char *triple, const char *cpu, const char **features,
                                           LLVMCodeModel cm) {
    bool host = !triple && !cpu;
    const char *tt = triple ? triple : LLVMGetDefaultTargetTriple();
    const char *c = cpu ? cpu : triple ? "generic" : LLVMGetHostCPUName();
    *features = host ? LLVMGetHostCPUFeatures() : "";
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(tt, &target, &err)) fatal("unknown target '%s': %s", tt, err);
    if (!host && !supported_target(LLVMGetTargetName(target))) unsupported_target(tt);
    install_fatal_handler();
    if (cpu && !known_cpu(target, tt, cpu)) unknown_cpu(cpu, tt);
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, tt, c, *features, LLVMCodeGenLevelAggressive,
                                                      LLVMRelocPIC, cm);
    if (!tm) fatal("cannot make a code generator for target '%s' and CPU '%s'", tt, c);
    LLVMSetTarget(E->mod, tt);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
    /* the weights are embedded in the host's byte order, and the ABI passes sizes as int64 */
    if (LLVMByteOrder(dl) != LLVMLittleEndian || LLVMPointerSize(dl) != 8) unsupported_target(tt);
    LLVMSetDataLayout(E->mod, LLVMCopyStringRepOfTargetData(dl));
    return tm;
}

/* LLVM's remarks and warnings are about our IR, not the user's model (e.g. a loop asked to
 * vectorize that could not be): keep them off the user's terminal.  An error is a compiler bug. */
static void quiet_diagnostics(LLVMDiagnosticInfoRef info, void *ctx) {
    (void)ctx;
    if (LLVMGetDiagInfoSeverity(info) != LLVMDSError) return;
    char *msg = LLVMGetDiagInfoDescription(info);
    ICE("LLVM: %s", msg);
}

static void new_module(Emit *E, LLVMContextRef ctx) {
    memset(E, 0, sizeof *E);
    E->ctx = ctx;
    E->regions = xcalloc(1, sizeof *E->regions);
    LLVMContextSetDiagnosticHandler(ctx, quiet_diagnostics, NULL);
    E->mod = LLVMModuleCreateWithNameInContext("dlc", ctx);
    E->b = LLVMCreateBuilderInContext(ctx);
}

/* What the GEMM generator needs: the target's attributes, its vector width, and the module's
 * parallel-for hook `<prefix>_parallel_for` (NULL until someone installs a thread pool). */
static bool has_feature(const char *features, const char *name) {
    size_t n = strlen(name);
    for (const char *p = features; (p = strstr(p, name)); p += n)
        if (p > features && p[-1] == '+' && (p[n] == ',' || p[n] == 0)) return true;
    return false;
}

static void gemm_target(Emit *E, const char *cpu, const char *features, const char *prefix) {
    int vb = has_feature(features, "avx512f") ? 64 : has_feature(features, "avx2") ? 32 : 16;
    LLVMTypeRef ptr = LLVMPointerTypeInContext(E->ctx, 0);
    LLVMValueRef hook = LLVMAddGlobal(E->mod, ptr, fmt("%s_parallel_for", prefix));
    LLVMSetInitializer(hook, LLVMConstPointerNull(ptr));
    E->gemm = (GemmTarget){E->ctx, E->mod, cpu, features, vb, hook};
}

/* Verification, then the new pass manager's default<O2> (or O1, O3) pipeline for the target.
 * One option (set once per process) differs from LLVM's defaults: the loop vectorizer may not hoist its run-time
 * overlap checks out of the enclosing loop (-hoist-runtime-checks, on since LLVM 18), which
 * widens each checked range to the outer loop's whole iteration space.  Our nests interleave
 * slices of one buffer row by row (a recurrence step writes row i's four gate slices of
 * [N, 4H]), so the widened ranges always overlap and the vector loop was never taken (the
 * LSTM's pointwise step ran scalar); checked per inner loop, they pass. */
static void set_llvm_options(void) {
    static bool done;
    if (done) return;
    const char *argv[] = {"dlc", "-hoist-runtime-checks=false"};
    LLVMParseCommandLineOptions(2, argv, NULL);
    done = true;
}

static void verify(LLVMModuleRef m) {
    char *err = NULL;
    if (LLVMVerifyModule(m, LLVMReturnStatusAction, &err)) ICE("generated LLVM IR is invalid: %s", err);
}

static LLVMErrorRef run_pipeline(LLVMModuleRef m, LLVMTargetMachineRef tm, int level) {
    LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(pbo, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(pbo, 1);
    LLVMPassBuilderOptionsSetLoopUnrolling(pbo, 1);
    LLVMErrorRef err = LLVMRunPasses(m, level >= 3 ? "default<O3>" : level == 2 ? "default<O2>" : "default<O1>", tm, pbo);
    LLVMDisposePassBuilderOptions(pbo);
    return err;
}

static void optimize(Emit *E, LLVMTargetMachineRef tm, int level) {
    set_llvm_options();
    verify(E->mod);
    check(run_pipeline(E->mod, tm, level), "LLVM optimization");
}

/* ---- optimization and code generation on two threads -------------------------------------
 * Most of a JIT compile is LLVM's (char_gpt's train and eval: 0.5 s optimizing, 0.64 s
 * generating code).  The verified module is made linkable in parts (every definition external),
 * written as bitcode and read back into one context per thread; each copy keeps the bodies of
 * its share of the functions, balanced by instruction count, and turns the rest (and, but in the
 * first share, the globals) into declarations (available_externally, then elim-avail-extern);
 * the f32 math functions, inlined everywhere, stay whole in every share.  Each thread optimizes
 * its share and emits an object file, and the JIT links them.  Regions are never inlined and no
 * pass reorders float arithmetic, so the split never changes a result. */
enum { CODEGEN_THREADS = 2 };

typedef struct {
    const char *bitcode;
    size_t size;
    const char *triple, *cpu, *features;
    char **names;          /* the defined functions ... */
    const int *share;      /* ... and the share each belongs to */
    int nnames, k;
    int opt_level;         /* optimize the share first (0: the module is optimized already) */
    LLVMMemoryBufferRef object;
    char *error;
} CodegenJob;

static void *codegen_share(void *arg) {
    CodegenJob *c = arg;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(ctx, quiet_diagnostics, NULL);
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange(c->bitcode, c->size, "dlc", 0);
    LLVMModuleRef m;
    LLVMTargetRef target;
    if (LLVMParseBitcodeInContext2(ctx, buf, &m)) {
        c->error = "cannot read back the module";
        return NULL;
    }
    LLVMDisposeMemoryBuffer(buf);
    for (int i = 0; i < c->nnames; i++)
        if (c->share[i] != c->k) LLVMSetLinkage(LLVMGetNamedFunction(m, c->names[i]), LLVMAvailableExternallyLinkage);
    if (c->k != 0)
        for (LLVMValueRef g = LLVMGetFirstGlobal(m); g; g = LLVMGetNextGlobal(g))
            if (!LLVMIsDeclaration(g)) LLVMSetLinkage(g, LLVMAvailableExternallyLinkage);
    if (LLVMGetTargetFromTriple(c->triple, &target, &c->error)) return NULL;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, c->triple, c->cpu, c->features, LLVMCodeGenLevelAggressive,
                                                      LLVMRelocPIC, LLVMCodeModelJITDefault);
    LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
    LLVMErrorRef err = LLVMRunPasses(m, "elim-avail-extern", tm, pbo);
    LLVMDisposePassBuilderOptions(pbo);
    if (!err && c->opt_level) err = run_pipeline(m, tm, c->opt_level);
    if (err) c->error = LLVMGetErrorMessage(err);
    else LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &c->error, &c->object);
    LLVMDisposeModule(m);
    LLVMDisposeTargetMachine(tm);
    LLVMContextDispose(ctx);
    return NULL;
}

static int64_t instructions(LLVMValueRef f) {
    int64_t n = 0;
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
        for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) n++;
    return n;
}

/* Object files of `mod`'s shares, one per thread, each optimized first at `opt_level` unless
 * that is 0 (the module is left external throughout).  Functions to be inlined everywhere (the
 * f32 math) stay internal and whole in every share. */
static void codegen_shares(LLVMModuleRef mod, const char *cpu, const char *features, int opt_level,
                           LLVMMemoryBufferRef *objects) {
    int n = 0, cap = 64;
    char **names = xcalloc((size_t)cap, sizeof *names);
    int64_t *size = xcalloc((size_t)cap, sizeof *size);
    unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f) || LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, always)) continue;
        LLVMSetLinkage(f, LLVMExternalLinkage);
        if (n == cap) {
            cap *= 2;
            names = xrealloc(names, sizeof *names * (size_t)cap);
            size = xrealloc(size, sizeof *size * (size_t)cap);
        }
        size_t len;
        names[n] = xstrdup(LLVMGetValueName2(f, &len));
        size[n++] = instructions(f);
    }
    int k = 0;
    for (LLVMValueRef g = LLVMGetFirstGlobal(mod); g; g = LLVMGetNextGlobal(g), k++) {
        if (LLVMIsDeclaration(g)) continue;
        LLVMSetLinkage(g, LLVMExternalLinkage);
        size_t len;
        if (!*LLVMGetValueName2(g, &len)) LLVMSetValueName2(g, fmt("dlc.global%d", k), strlen(fmt("dlc.global%d", k)));
    }
    /* largest first, each to the lighter share */
    int *share = xcalloc((size_t)n + 1, sizeof *share), *order = xcalloc((size_t)n + 1, sizeof *order);
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && size[order[j]] > size[order[j - 1]]; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    int64_t load[CODEGEN_THREADS] = {0};
    for (int i = 0; i < n; i++) {
        int best = 0;
        for (int t = 1; t < CODEGEN_THREADS; t++)
            if (load[t] < load[best]) best = t;
        share[order[i]] = best;
        load[best] += size[order[i]];
    }
    LLVMMemoryBufferRef bc = LLVMWriteBitcodeToMemoryBuffer(mod);
    CodegenJob jobs[CODEGEN_THREADS];
    pthread_t threads[CODEGEN_THREADS];
    for (int t = 0; t < CODEGEN_THREADS; t++)
        jobs[t] = (CodegenJob){LLVMGetBufferStart(bc), LLVMGetBufferSize(bc), LLVMGetTarget(mod), cpu, features, names, share,
                               n, t, opt_level, NULL, NULL};
    for (int t = 1; t < CODEGEN_THREADS; t++)
        if (pthread_create(&threads[t], NULL, codegen_share, &jobs[t])) ICE("cannot start a code generation thread");
    codegen_share(&jobs[0]);
    for (int t = 1; t < CODEGEN_THREADS; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < CODEGEN_THREADS; t++) {
        if (jobs[t].error || !jobs[t].object) ICE("code generation: %s", jobs[t].error ? jobs[t].error : "no object");
        objects[t] = jobs[t].object;
    }
    LLVMDisposeMemoryBuffer(bc);
    free(share);
    free(order);
    free(size);
}

Jit *jit_compile(KFunc **fns, int nfns, const EmitOpts *o) {
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    Emit E;
    new_module(&E, LLVMOrcThreadSafeContextGetContext(tsc));
    const char *features;
    LLVMTargetMachineRef tm = target_machine(&E, NULL, NULL, &features, LLVMCodeModelJITDefault);
    char *cpu = LLVMGetHostCPUName();
    E.cpu = cpu;
    E.features = features;
    gemm_target(&E, cpu, features, o->prefix);
    for (int i = 0; i < nfns; i++) emit_function(&E, fns[i]);
    /* optimized and compiled in shares on two threads; a dump of the IR optimizes it whole */
    set_llvm_options();
    verify(E.mod);
    if (o->dump_llvm) {
        optimize(&E, tm, o->opt_level);
        char *s = LLVMPrintModuleToString(E.mod);
        fputs(s, o->dump_to ? o->dump_to : stdout);
        LLVMDisposeMessage(s);
    }

    Jit *j = xcalloc(1, sizeof *j);
    LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
    LLVMOrcJITTargetMachineBuilderRef jtmb = LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm);
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(jb, jtmb);
    check(LLVMOrcCreateLLJIT(&j->lljit, jb), "creating the JIT");
    LLVMOrcDefinitionGeneratorRef gen;
    check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->lljit), NULL, NULL),
          "process symbols");
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->lljit), gen);
    LLVMMemoryBufferRef objects[CODEGEN_THREADS];
    codegen_shares(E.mod, cpu, features, o->dump_llvm ? 0 : o->opt_level, objects);
    for (int k = 0; k < CODEGEN_THREADS; k++)
        check(LLVMOrcLLJITAddObjectFile(j->lljit, LLVMOrcLLJITGetMainJITDylib(j->lljit), objects[k]), "adding an object");
    LLVMDisposeBuilder(E.b);
    LLVMDisposeModule(E.mod);
    LLVMOrcDisposeThreadSafeContext(tsc);
    return j;
}

/* ---- object files: the functions plus the public wrappers, table and weights (export.c) ---- */
static LLVMValueRef const_i64(Emit *E, int64_t v) { return LLVMConstInt(ty(E, KT_I64), (unsigned long long)v, 1); }

/* A private constant holding `n` bytes; its address. */
static LLVMValueRef const_bytes(Emit *E, const char *name, const char *bytes, size_t n, unsigned align, bool public) {
    LLVMValueRef init = LLVMConstStringInContext2(E->ctx, bytes, n, 1);
    LLVMValueRef g = LLVMAddGlobal(E->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetAlignment(g, align);
    LLVMSetLinkage(g, public ? LLVMExternalLinkage : LLVMPrivateLinkage);
    return g;
}

/* P_param_table: { const char *name; int rank; int64_t shape[8]; size_t offset; }[] */
static void param_table(Emit *E, const Export *e) {
    const dlrt_model *m = &e->c->rt;
    LLVMTypeRef i64 = ty(E, KT_I64), i32 = ty(E, KT_I32), ptr = LLVMPointerTypeInContext(E->ctx, 0);
    LLVMTypeRef fields[4] = {ptr, i32, LLVMArrayType2(i64, 8), i64};
    LLVMTypeRef st = LLVMStructTypeInContext(E->ctx, fields, 4, 0);
    LLVMValueRef *rows = xcalloc((size_t)m->n_params + 1, sizeof *rows);
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        LLVMValueRef dims[8];
        for (int k = 0; k < 8; k++) dims[k] = const_i64(E, k < p->rank ? p->shape[k] : 0);
        LLVMValueRef v[4] = {const_bytes(E, fmt(".name%d", i), p->name, strlen(p->name) + 1, 1, false),
                             LLVMConstInt(i32, (unsigned long long)p->rank, 0), LLVMConstArray2(i64, dims, 8),
                             const_i64(E, (int64_t)p->offset)};
        rows[i] = LLVMConstNamedStruct(st, v, 4);
    }
    LLVMValueRef init = LLVMConstArray2(st, rows, (uint64_t)m->n_params);
    LLVMValueRef g = LLVMAddGlobal(E->mod, LLVMTypeOf(init), fmt("%s_param_table", e->prefix));
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
}

/* Build arrays io[n_io], sym[4], hp[4], out[8] on the stack and call the ABI function. */
static void call_abi(Emit *E, const char *fn, LLVMValueRef *blocks, LLVMValueRef *io, int nio, LLVMValueRef batch,
                     LLVMValueRef lr, LLVMValueRef step, LLVMValueRef *out_arr) {
    LLVMTypeRef ptr = LLVMPointerTypeInContext(E->ctx, 0), i64 = ty(E, KT_I64), f64 = ty(E, KT_F64);
    LLVMValueRef ioa = LLVMBuildArrayAlloca(E->b, ptr, const_i64(E, nio), "io");
    LLVMValueRef syma = LLVMBuildArrayAlloca(E->b, i64, const_i64(E, 4), "sym");
    LLVMValueRef hpa = LLVMBuildArrayAlloca(E->b, f64, const_i64(E, 4), "hp");
    LLVMValueRef outa = LLVMBuildArrayAlloca(E->b, f64, const_i64(E, 8), "out");
    for (int k = 0; k < nio; k++) {
        LLVMValueRef idx = const_i64(E, k);
        LLVMBuildStore(E->b, io[k], LLVMBuildGEP2(E->b, ptr, ioa, &idx, 1, ""));
    }
    /* the other symbolic dims (sequence lengths) at the size the model was built for */
    const int64_t *mx = E->sym_max;   /* set by the wrappers' caller */
    LLVMValueRef symv[4] = {batch, const_i64(E, mx[1] > 0 ? mx[1] : 1), const_i64(E, mx[2] > 0 ? mx[2] : 1),
                            const_i64(E, mx[3] > 0 ? mx[3] : 1)};
    LLVMValueRef hpv[4] = {lr, step, LLVMConstReal(f64, 0), LLVMConstReal(f64, 0)};
    for (int k = 0; k < 4; k++) {
        LLVMValueRef idx = const_i64(E, k);
        LLVMBuildStore(E->b, symv[k], LLVMBuildGEP2(E->b, i64, syma, &idx, 1, ""));
        LLVMBuildStore(E->b, hpv[k], LLVMBuildGEP2(E->b, f64, hpa, &idx, 1, ""));
    }
    LLVMValueRef f = LLVMGetNamedFunction(E->mod, fn);
    LLVMValueRef args[8] = {blocks[0], blocks[1], blocks[2], blocks[3], ioa, syma, hpa, outa};
    LLVMBuildCall2(E->b, LLVMGlobalGetValueType(f), f, args, 8, "");
    *out_arr = outa;
}

/* if (batch < 1 || batch > MAX) return bad; — leaves the builder in the good branch */
static void check_batch(Emit *E, LLVMValueRef fn, LLVMValueRef batch, int64_t max, LLVMValueRef bad) {
    LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(E->ctx, fn, "ok");
    LLVMBasicBlockRef no = LLVMAppendBasicBlockInContext(E->ctx, fn, "bad_batch");
    LLVMValueRef lo = LLVMBuildICmp(E->b, LLVMIntSLT, batch, const_i64(E, 1), "");
    LLVMValueRef hi = LLVMBuildICmp(E->b, LLVMIntSGT, batch, const_i64(E, max), "");
    LLVMBuildCondBr(E->b, LLVMBuildOr(E->b, lo, hi, ""), no, ok);
    LLVMPositionBuilderAtEnd(E->b, no);
    LLVMBuildRet(E->b, bad);
    LLVMPositionBuilderAtEnd(E->b, ok);
}

static void wrappers(Emit *E, const Export *e) {
    const dlrt_model *m = &e->c->rt;
    memcpy(E->sym_max, m->sym_max, sizeof E->sym_max);
    LLVMTypeRef ptr = LLVMPointerTypeInContext(E->ctx, 0), i64 = ty(E, KT_I64), i32 = ty(E, KT_I32);
    LLVMTypeRef f32 = ty(E, KT_F32), f64 = ty(E, KT_F64);
    LLVMValueRef null = LLVMConstPointerNull(ptr);
    LLVMValueRef io[16];

    /* int P_forward(params, inputs..., outputs..., workspace, batch) */
    LLVMTypeRef ps[24];
    int np = 0, nin = 0, nout = m->n_io - m->n_inputs;
    ps[np++] = ptr;
    for (int k = 0; k < m->n_inputs; k++)
        if (io_is_input(&m->io[k])) ps[np++] = ptr, nin++;
    for (int k = 0; k < nout; k++) ps[np++] = ptr;
    ps[np++] = ptr;
    ps[np++] = i64;
    LLVMValueRef fn = LLVMAddFunction(E->mod, fmt("%s_forward", e->prefix), LLVMFunctionType(i32, ps, (unsigned)np, 0));
    LLVMPositionBuilderAtEnd(E->b, LLVMAppendBasicBlockInContext(E->ctx, fn, "entry"));
    LLVMValueRef batch = LLVMGetParam(fn, (unsigned)np - 1);
    check_batch(E, fn, batch, m->max_batch, LLVMConstInt(i32, (unsigned long long)-1, 1));
    for (int k = 0, a = 1; k < m->n_inputs; k++) io[k] = io_is_input(&m->io[k]) ? LLVMGetParam(fn, (unsigned)a++) : null;
    for (int k = 0; k < nout; k++) io[m->n_inputs + k] = LLVMGetParam(fn, (unsigned)(1 + nin + k));
    LLVMValueRef blocks[4] = {LLVMGetParam(fn, 0), null, null, LLVMGetParam(fn, (unsigned)(1 + nin + nout))};
    LLVMValueRef out;
    call_abi(E, fmt("%s_infer", e->prefix), blocks, io, m->n_io, batch, LLVMConstReal(f64, 0), LLVMConstReal(f64, 1), &out);
    LLVMBuildRet(E->b, LLVMConstInt(i32, 0, 0));

    /* float P_train_step(params, grads, opt_state, inputs and targets..., workspace, batch, lr, step) */
    np = 0;
    for (int k = 0; k < 3 + m->n_inputs + 1; k++) ps[np++] = ptr;
    ps[np++] = i64;
    ps[np++] = f32;
    ps[np++] = i64;
    fn = LLVMAddFunction(E->mod, fmt("%s_train_step", e->prefix), LLVMFunctionType(f32, ps, (unsigned)np, 0));
    LLVMPositionBuilderAtEnd(E->b, LLVMAppendBasicBlockInContext(E->ctx, fn, "entry"));
    batch = LLVMGetParam(fn, (unsigned)np - 3);
    check_batch(E, fn, batch, m->max_batch, LLVMConstReal(f32, NAN));
    for (int k = 0; k < m->n_inputs; k++) io[k] = LLVMGetParam(fn, (unsigned)(3 + k));
    for (int k = m->n_inputs; k < m->n_io; k++) io[k] = null;
    LLVMValueRef tb[4] = {LLVMGetParam(fn, 0), LLVMGetParam(fn, 1), LLVMGetParam(fn, 2),
                          LLVMGetParam(fn, (unsigned)(3 + m->n_inputs))};
    LLVMValueRef lr = LLVMBuildFPExt(E->b, LLVMGetParam(fn, (unsigned)np - 2), f64, "");
    LLVMValueRef step = LLVMBuildSIToFP(E->b, LLVMGetParam(fn, (unsigned)np - 1), f64, "");
    call_abi(E, fmt("%s_train", e->prefix), tb, io, m->n_io, batch, lr, step, &out);
    LLVMValueRef loss = LLVMBuildLoad2(E->b, f64, out, "");
    LLVMBuildRet(E->b, LLVMBuildFPTrunc(E->b, loss, f32, ""));
}

void emit_object(const Export *e, ObjKind kind, const char *path, const char *triple, const char *cpu, int opt_level) {
    LLVMInitializeAllTargetInfos();
    LLVMInitializeAllTargets();
    LLVMInitializeAllTargetMCs();
    LLVMInitializeAllAsmPrinters();
    Emit E;
    new_module(&E, LLVMContextCreate());
    const char *features;
    LLVMTargetMachineRef tm = target_machine(&E, triple, cpu, &features, LLVMCodeModelDefault);
    const char *c = cpu ? cpu : triple ? "generic" : LLVMGetHostCPUName();
    E.cpu = c;
    E.features = features;
    gemm_target(&E, c, features, e->prefix);
    for (int k = 0; k < FN_COUNT; k++) emit_function(&E, e->c->kfuncs[k]);
    param_table(&E, e);
    if (e->weights)
        const_bytes(&E, fmt("%s_weights", e->prefix), e->weights, e->c->rt.param_bytes, 64, true);
    wrappers(&E, e);
    optimize(&E, tm, opt_level);
    char *err = NULL;
    if (kind == OUT_LLVM) {
        if (LLVMPrintModuleToFile(E.mod, path, &err)) fatal("cannot write '%s': %s", path, err);
    } else if (LLVMTargetMachineEmitToFile(tm, E.mod, (char *)path, kind == OUT_OBJ ? LLVMObjectFile : LLVMAssemblyFile, &err)) {
        fatal("cannot write '%s': %s", path, err);
    }
    LLVMDisposeBuilder(E.b);
    LLVMDisposeModule(E.mod);
}

void *jit_address(Jit *j, const char *name) {
    LLVMOrcExecutorAddress addr = 0;
    check(LLVMOrcLLJITLookup(j->lljit, &addr, name), fmt("looking up %s", name));
    return (void *)(uintptr_t)addr;
}

StepFn jit_lookup(Jit *j, const char *name) {
    StepFn f;
    void *p = jit_address(j, name);
    memcpy(&f, &p, sizeof f);
    return f;
}
