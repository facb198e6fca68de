/* emit_llvm.c — kernel IR -> LLVM IR through the LLVM C API, then the new pass manager
 * (default<O3>) for the host CPU and ORC LLJIT.  The only file that includes llvm-c.
 *
 * Each KFunc becomes `void name(ptr P, ptr G, ptr S, ptr W, ptr io, ptr sym, ptr hp, ptr out)`.
 * Loop variables and locals are allocas that mem2reg promotes.  Float arithmetic carries the
 * `reassoc` and `contract` fast-math flags so reductions vectorize and multiply-adds fuse;
 * no flag assumes away NaN or infinity (a NaN loss must stay visible). */
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <string.h>

#include "dlc.h"

struct Jit {
    LLVMOrcLLJITRef lljit;
};

typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMValueRef fn;
    const KFunc *kf;
    LLVMValueRef *bufptr;     /* base pointer of each KBuf */
    LLVMValueRef *vars;       /* alloca of each KVar */
    LLVMValueRef sym[MAX_SYMS], hp[4];
} Emit;

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

static LLVMValueRef fflags(LLVMValueRef v) {
    if (LLVMCanValueUseFastMathFlags(v))
        LLVMSetFastMathFlags(v, LLVMFastMathAllowReassoc | LLVMFastMathAllowContract);
    return v;
}

/* llvm.<name>.<f32|f64> intrinsics (exp, log, sqrt, fabs, maxnum, minnum, pow). */
static LLVMValueRef intrinsic(Emit *E, const char *name, KType t, LLVMValueRef *args, int n) {
    LLVMTypeRef ft = ty(E, t);
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    if (!id) ICE("no intrinsic %s", name);
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(E->mod, id, &ft, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(E->ctx, id, &ft, 1);
    return fflags(LLVMBuildCall2(E->b, fty, f, args, (unsigned)n, ""));
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

static LLVMValueRef expr(Emit *E, const KExpr *e) {
    bool fl = kt_is_float(e->t);
    LLVMValueRef a, b;
    switch (e->op) {
    case K_FCONST: return LLVMConstReal(ty(E, e->t), e->f);
    case K_ICONST: return LLVMConstInt(ty(E, KT_I64), (unsigned long long)e->i, 1);
    case K_VAR: return LLVMBuildLoad2(E->b, ty(E, e->t), E->vars[e->i], "");
    case K_SYM: return E->sym[e->i];
    case K_HP: return E->hp[e->i];
    case K_LOAD: {
        KType t = E->kf->bufs[e->i].t;
        LLVMValueRef idx = expr(E, e->a);
        LLVMValueRef p = LLVMBuildInBoundsGEP2(E->b, ty(E, t), E->bufptr[e->i], &idx, 1, "");
        return LLVMBuildLoad2(E->b, ty(E, t), p, "");
    }
    case K_ADD: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? fflags(LLVMBuildFAdd(E->b, a, b, "")) : LLVMBuildNSWAdd(E->b, a, b, "");
    case K_SUB: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? fflags(LLVMBuildFSub(E->b, a, b, "")) : LLVMBuildNSWSub(E->b, a, b, "");
    case K_MUL: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? fflags(LLVMBuildFMul(E->b, a, b, "")) : LLVMBuildNSWMul(E->b, a, b, "");
    case K_DIV: a = expr(E, e->a); b = expr(E, e->b);
        return fl ? fflags(LLVMBuildFDiv(E->b, a, b, "")) : LLVMBuildSDiv(E->b, a, b, "");
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
    case K_EXP: a = expr(E, e->a); return intrinsic(E, "llvm.exp", e->t, &a, 1);
    case K_LOG: a = expr(E, e->a); return intrinsic(E, "llvm.log", e->t, &a, 1);
    case K_SQRT: a = expr(E, e->a); return intrinsic(E, "llvm.sqrt", e->t, &a, 1);
    case K_ABS: a = expr(E, e->a); return intrinsic(E, "llvm.fabs", e->t, &a, 1);
    case K_TANH: return libm(E, "tanh", e->t, expr(E, e->a));
    case K_ERF: return libm(E, "erf", e->t, expr(E, e->a));
    case K_LT: case K_LE: case K_GT: case K_GE: case K_EQ: case K_NE: return cmp(E, e);
    case K_AND: a = expr(E, e->a); b = expr(E, e->b); return LLVMBuildAnd(E->b, a, b, "");
    case K_SELECT: {
        LLVMValueRef c = expr(E, e->a);
        a = expr(E, e->b);
        b = expr(E, e->c);
        return LLVMBuildSelect(E->b, c, a, b, "");
    }
    case K_CAST: return cast(E, e);
    }
    unreachable();
}

static void block(Emit *E, const KBlock *blk);

static void stmt(Emit *E, const KStmt *s) {
    switch (s->kind) {
    case KS_STORE: {
        KType t = E->kf->bufs[s->buf].t;
        LLVMValueRef v = expr(E, s->val);
        LLVMValueRef idx = expr(E, s->idx);
        LLVMValueRef p = LLVMBuildInBoundsGEP2(E->b, ty(E, t), E->bufptr[s->buf], &idx, 1, "");
        LLVMBuildStore(E->b, v, p);
        return;
    }
    case KS_LET: case KS_SET:
        LLVMBuildStore(E->b, expr(E, s->val), E->vars[s->var]);
        return;
    case KS_FOR: {
        /* var = lo; while (var < hi) { body; var++ } */
        LLVMValueRef hi = expr(E, s->hi);
        LLVMBuildStore(E->b, expr(E, s->lo), E->vars[s->var]);
        LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "for.head");
        LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "for.body");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "for.done");
        LLVMBuildBr(E->b, head);
        LLVMPositionBuilderAtEnd(E->b, head);
        LLVMTypeRef i64 = ty(E, KT_I64);
        LLVMValueRef iv = LLVMBuildLoad2(E->b, i64, E->vars[s->var], "");
        LLVMBuildCondBr(E->b, LLVMBuildICmp(E->b, LLVMIntSLT, iv, hi, ""), body, done);
        LLVMPositionBuilderAtEnd(E->b, body);
        block(E, &s->body);
        iv = LLVMBuildLoad2(E->b, i64, E->vars[s->var], "");
        LLVMBuildStore(E->b, LLVMBuildNSWAdd(E->b, iv, LLVMConstInt(i64, 1, 0), ""), E->vars[s->var]);
        LLVMBuildBr(E->b, head);
        LLVMPositionBuilderAtEnd(E->b, done);
        return;
    }
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

static void emit_function(Emit *E, const KFunc *kf, const char *cpu, const char *features) {
    LLVMTypeRef ptr = LLVMPointerTypeInContext(E->ctx, 0);
    LLVMTypeRef params[8] = {ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr};
    LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), params, 8, 0);
    E->fn = LLVMAddFunction(E->mod, kf->name, fty);
    E->kf = kf;
    LLVMAddTargetDependentFunctionAttr(E->fn, "target-cpu", cpu);
    LLVMAddTargetDependentFunctionAttr(E->fn, "target-features", features);
    /* the blocks never overlap one another */
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    for (unsigned i = 0; i < 8; i++)
        if (i != 4) LLVMAddAttributeAtIndex(E->fn, i + 1, LLVMCreateEnumAttribute(E->ctx, noalias, 0));

    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(E->ctx, E->fn, "entry");
    LLVMPositionBuilderAtEnd(E->b, entry);
    LLVMTypeRef i64 = ty(E, KT_I64), f64 = ty(E, KT_F64), i8 = LLVMInt8TypeInContext(E->ctx);
    for (int i = 0; i < MAX_SYMS; i++) {
        LLVMValueRef idx = LLVMConstInt(i64, (unsigned long long)i, 0);
        E->sym[i] = LLVMBuildLoad2(E->b, i64, LLVMBuildInBoundsGEP2(E->b, i64, LLVMGetParam(E->fn, 5), &idx, 1, ""), "");
    }
    for (int i = 0; i < 4; i++) {
        LLVMValueRef idx = LLVMConstInt(i64, (unsigned long long)i, 0);
        E->hp[i] = LLVMBuildLoad2(E->b, f64, LLVMBuildInBoundsGEP2(E->b, f64, LLVMGetParam(E->fn, 6), &idx, 1, ""), "");
    }
    E->bufptr = xcalloc((size_t)kf->nbufs + 1, sizeof(LLVMValueRef));
    for (int i = 0; i < kf->nbufs; i++) {
        const KBuf *kb = &kf->bufs[i];
        LLVMValueRef base;
        if (kb->base >= B_IO) {
            LLVMValueRef idx = LLVMConstInt(i64, (unsigned long long)(kb->base - B_IO), 0);
            base = LLVMBuildLoad2(E->b, ptr, LLVMBuildInBoundsGEP2(E->b, ptr, LLVMGetParam(E->fn, 4), &idx, 1, ""), "");
        } else {
            static const int param_of[] = {[B_P] = 0, [B_G] = 1, [B_S] = 2, [B_W] = 3, [B_OUT] = 7};
            base = LLVMGetParam(E->fn, (unsigned)param_of[kb->base]);
        }
        LLVMValueRef off = LLVMConstInt(i64, (unsigned long long)kb->offset, 0);
        E->bufptr[i] = LLVMBuildInBoundsGEP2(E->b, i8, base, &off, 1, kb->name);
    }
    E->vars = xcalloc((size_t)kf->nvars + 1, sizeof(LLVMValueRef));
    for (int i = 0; i < kf->nvars; i++) E->vars[i] = LLVMBuildAlloca(E->b, ty(E, kf->vars[i].t), kf->vars[i].name);
    block(E, &kf->body);
    LLVMBuildRetVoid(E->b);
}

static void check(LLVMErrorRef err, const char *what) {
    if (!err) return;
    char *msg = LLVMGetErrorMessage(err);
    ICE("%s: %s", what, msg);
}

Jit *jit_compile(KFunc **fns, int nfns, const EmitOpts *o) {
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    Emit E = {0};
    E.ctx = LLVMOrcThreadSafeContextGetContext(tsc);
    E.mod = LLVMModuleCreateWithNameInContext("dlc", E.ctx);
    E.b = LLVMCreateBuilderInContext(E.ctx);

    char *triple = LLVMGetDefaultTargetTriple();
    char *cpu = LLVMGetHostCPUName();
    char *features = LLVMGetHostCPUFeatures();
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &err)) ICE("no LLVM target for %s: %s", triple, err);
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelAggressive,
                                                      LLVMRelocDefault, LLVMCodeModelJITDefault);
    LLVMSetTarget(E.mod, triple);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
    char *dls = LLVMCopyStringRepOfTargetData(dl);
    LLVMSetDataLayout(E.mod, dls);

    for (int i = 0; i < nfns; i++) emit_function(&E, fns[i], cpu, features);
    if (LLVMVerifyModule(E.mod, LLVMReturnStatusAction, &err)) ICE("generated LLVM IR is invalid: %s", err);
    LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(pbo, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(pbo, 1);
    check(LLVMRunPasses(E.mod, o->opt_level >= 3 ? "default<O3>" : o->opt_level == 2 ? "default<O2>" : "default<O1>",
                        tm, pbo), "LLVM optimization");
    if (o->dump_llvm) {
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
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(E.mod, tsc);
    check(LLVMOrcLLJITAddLLVMIRModule(j->lljit, LLVMOrcLLJITGetMainJITDylib(j->lljit), tsm), "adding the module");
    LLVMDisposeBuilder(E.b);
    LLVMOrcDisposeThreadSafeContext(tsc);
    return j;
}

StepFn jit_lookup(Jit *j, const char *name) {
    LLVMOrcExecutorAddress addr = 0;
    check(LLVMOrcLLJITLookup(j->lljit, &addr, name), fmt("looking up %s", name));
    StepFn f;
    void *p = (void *)(uintptr_t)addr;
    memcpy(&f, &p, sizeof f);
    return f;
}
