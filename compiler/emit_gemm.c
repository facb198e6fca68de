/* emit_gemm.c — the matrix product every MATMUL lowers to, generated as LLVM IR.
 *
 * The Goto/BLIS loop nest:
 *   for jc (GEMM_NC columns)
 *     parallel for (groups of column panels) x (blocks of GEMM_MC rows)
 *       for pc (GEMM_KC of k)  for ic (GEMM_MC rows)  for jr (NR columns)  for ir (MR rows)
 *         micro-kernel: an MR x NR tile of C in vector registers; per k one broadcast of A
 *         per row and NR/VW loads of B, llvm.fma.
 * A is read in place (either layout gives the broadcasts a short stride).  B is packed into
 * NR-wide panels in ws by the task that uses them when it is transposed, or when GEMM_NC
 * columns hold it, PACK_MIN_ROWS rows or more reuse the panels (contiguous panels keep the
 * prefetchers and the TLB happy) and its columns make two tasks or more; otherwise its rows
 * are read in place.  Edges: rows past the end repeat the last row, columns are masked loads
 * and stores (edge tiles of C are read and written in place).
 *
 * Bitwise contract (KGemm in dlc.h): each C element is one fma chain over k in increasing
 * order starting from 0.  The first k-block starts its accumulators at 0, later blocks reload
 * the f32/f64 value the previous block stored, and threads split only rows and columns — so
 * neither blocking, vector width nor the number of threads changes a single bit, and
 * emit_c.c's plain loop computes the same numbers. */
#include <string.h>

#include "dlc.h"
#include "emit_gemm.h"

typedef struct {
    const GemmTarget *t;
    LLVMContextRef ctx;
    LLVMBuilderRef b;
    LLVMValueRef fn;
    LLVMTypeRef i64, ptr, et, vt;
    int esize, vw, mr, nr;   /* element bytes, lanes; register tile mr x nr, nr = 2 vectors */
    const char *suffix;      /* f32 | f64 */
} Gen;

/* ---- small builders --------------------------------------------------------------------- */
static LLVMValueRef c64(Gen *g, int64_t v) { return LLVMConstInt(g->i64, (unsigned long long)v, 1); }
static LLVMValueRef add(Gen *g, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildNSWAdd(g->b, a, b, ""); }
static LLVMValueRef sub(Gen *g, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildNSWSub(g->b, a, b, ""); }
static LLVMValueRef mul(Gen *g, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildNSWMul(g->b, a, b, ""); }
static LLVMValueRef lt(Gen *g, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildICmp(g->b, LLVMIntSLT, a, b, ""); }
static LLVMValueRef imin(Gen *g, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildSelect(g->b, lt(g, a, b), a, b, ""); }
static LLVMValueRef cdiv(Gen *g, LLVMValueRef a, int64_t b) { return LLVMBuildSDiv(g->b, add(g, a, c64(g, b - 1)), c64(g, b), ""); }

/* &p[i] for elements of the GEMM's type */
static LLVMValueRef at(Gen *g, LLVMValueRef p, LLVMValueRef i) { return LLVMBuildInBoundsGEP2(g->b, g->et, p, &i, 1, ""); }
static LLVMValueRef load(Gen *g, LLVMTypeRef t, LLVMValueRef p) {
    LLVMValueRef v = LLVMBuildLoad2(g->b, t, p, "");
    LLVMSetAlignment(v, (unsigned)g->esize);
    return v;
}
static void store(Gen *g, LLVMValueRef v, LLVMValueRef p) { LLVMSetAlignment(LLVMBuildStore(g->b, v, p), (unsigned)g->esize); }

/* An entry-block alloca (so SROA and mem2reg promote it); `count` elements when non-NULL. */
static LLVMValueRef local(Gen *g, LLVMTypeRef t, int64_t count) {
    LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->ctx);
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first) LLVMPositionBuilderBefore(eb, first);
    else LLVMPositionBuilderAtEnd(eb, entry);
    LLVMValueRef a = count ? LLVMBuildArrayAlloca(eb, t, c64(g, count), "") : LLVMBuildAlloca(eb, t, "");
    LLVMSetAlignment(a, 64);
    LLVMDisposeBuilder(eb);
    return a;
}

static LLVMBasicBlockRef block(Gen *g, const char *name) { return LLVMAppendBasicBlockInContext(g->ctx, g->fn, name); }

/* for (v = lo; v < hi; v += step) { ... } — loop_begin returns v for the body */
typedef struct { LLVMValueRef var, step; LLVMBasicBlockRef head, done; } Loop;
static LLVMValueRef loop_begin_by(Gen *g, Loop *l, LLVMValueRef lo, LLVMValueRef hi, LLVMValueRef step) {
    l->var = local(g, g->i64, 0);
    l->step = step;
    LLVMBuildStore(g->b, lo, l->var);
    l->head = block(g, "head");
    LLVMBasicBlockRef body = block(g, "body");
    l->done = block(g, "done");
    LLVMBuildBr(g->b, l->head);
    LLVMPositionBuilderAtEnd(g->b, l->head);
    LLVMValueRef v = LLVMBuildLoad2(g->b, g->i64, l->var, "");
    LLVMBuildCondBr(g->b, lt(g, v, hi), body, l->done);
    LLVMPositionBuilderAtEnd(g->b, body);
    return v;
}
static LLVMValueRef loop_begin(Gen *g, Loop *l, LLVMValueRef lo, LLVMValueRef hi, int64_t step) {
    return loop_begin_by(g, l, lo, hi, c64(g, step));
}
static void loop_end(Gen *g, Loop *l) {
    LLVMBuildStore(g->b, add(g, LLVMBuildLoad2(g->b, g->i64, l->var, ""), l->step), l->var);
    LLVMBuildBr(g->b, l->head);
    LLVMPositionBuilderAtEnd(g->b, l->done);
}

/* if (cond) { ... } else { ... } */
typedef struct { LLVMBasicBlockRef other, done; } If;
static void if_begin(Gen *g, LLVMValueRef cond, If *f) {
    LLVMBasicBlockRef then = block(g, "then");
    f->other = block(g, "else");
    f->done = block(g, "endif");
    LLVMBuildCondBr(g->b, cond, then, f->other);
    LLVMPositionBuilderAtEnd(g->b, then);
}
static void if_else(Gen *g, If *f) {
    LLVMBuildBr(g->b, f->done);
    LLVMPositionBuilderAtEnd(g->b, f->other);
}
static void if_end(Gen *g, If *f) {
    LLVMBuildBr(g->b, f->done);
    LLVMPositionBuilderAtEnd(g->b, f->done);
}

/* An internal function `void name(params...)` with the target's attributes; the builder is
 * left in its entry block. */
static LLVMValueRef begin_function(Gen *g, const char *name, LLVMTypeRef *params, int n) {
    LLVMTypeRef ft = LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), params, (unsigned)n, 0);
    g->fn = LLVMAddFunction(g->t->mod, name, ft);
    LLVMSetLinkage(g->fn, LLVMInternalLinkage);
    LLVMAddTargetDependentFunctionAttr(g->fn, "target-cpu", g->t->cpu);
    LLVMAddTargetDependentFunctionAttr(g->fn, "target-features", g->t->features);
    LLVMPositionBuilderAtEnd(g->b, block(g, "entry"));
    return g->fn;
}
static LLVMValueRef arg(Gen *g, unsigned i) { return LLVMGetParam(g->fn, i); }
static void call(Gen *g, LLVMValueRef f, LLVMValueRef *args, int n) {
    LLVMBuildCall2(g->b, LLVMGlobalGetValueType(f), f, args, (unsigned)n, "");
}

/* ---- packing ------------------------------------------------------------------------------
 * pack_b(ld, b, pc, kc, j0, nj, bp): a transposed B (stored [n, k], rows ld apart) — rows [pc, pc+kc) of
 * op(B), columns [j0, j0+nj) — as panels of NR columns, bp[jp*kc + p*NR + c], zero past the
 * last column (out-of-range lanes read a clamped element and select 0).  Untransposed operands
 * are read in place. */
static LLVMValueRef lane_mask(Gen *g, int v, LLVMValueRef n);

/* r[i][j] -> r[j][i] for VW vectors of VW lanes: at each level b = VW/2 .. 1 swap the b x b
 * blocks off the diagonal (two-input shuffles with constant masks). */
static void transpose(Gen *g, LLVMValueRef *r) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(g->ctx);
    for (int b = g->vw / 2; b >= 1; b /= 2)
        for (int i = 0; i < g->vw; i++) {
            if (i & b) continue;
            LLVMValueRef lo[16], hi[16];   /* lanes of (x, y): x is 0..VW-1, y is VW.. */
            for (int j = 0; j < g->vw; j++) {
                lo[j] = LLVMConstInt(i32, (unsigned long long)(j & b ? g->vw + j - b : j), 0);
                hi[j] = LLVMConstInt(i32, (unsigned long long)(j & b ? g->vw + j : j + b), 0);
            }
            LLVMValueRef x = r[i], y = r[i + b];
            r[i] = LLVMBuildShuffleVector(g->b, x, y, LLVMConstVector(lo, (unsigned)g->vw), "");
            r[i + b] = LLVMBuildShuffleVector(g->b, x, y, LLVMConstVector(hi, (unsigned)g->vw), "");
        }
}

/* A vector of VW elements from p, lanes off in `mask` reading nothing and giving 0. */
static LLVMValueRef masked_load(Gen *g, LLVMValueRef p, LLVMValueRef mask) {
    unsigned id = LLVMLookupIntrinsicID("llvm.masked.load", 16);
    LLVMTypeRef over[2] = {g->vt, g->ptr};
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->t->mod, id, over, 2);
    LLVMValueRef args[4] = {p, LLVMConstInt(LLVMInt32TypeInContext(g->ctx), (unsigned long long)g->esize, 0), mask,
                            LLVMConstNull(g->vt)};
    return LLVMBuildCall2(g->b, LLVMIntrinsicGetType(g->ctx, id, over, 2), f, args, 4, "");
}

/* The arguments every packing routine takes (see pack_b above): starts the function. */
typedef struct { LLVMValueRef ld, src, pc, kc, j0, nj, dst; } PackArgs;
static PackArgs begin_pack(Gen *g, const char *name) {
    LLVMTypeRef i64 = g->i64, ptr = g->ptr;
    LLVMTypeRef ps[7] = {i64, ptr, i64, i64, i64, i64, ptr};
    begin_function(g, name, ps, 7);
    return (PackArgs){arg(g, 0), arg(g, 1), arg(g, 2), arg(g, 3), arg(g, 4), arg(g, 5), arg(g, 6)};
}

static LLVMValueRef pack_function(Gen *g) {
    PackArgs pa = begin_pack(g, fmt("dlc_pack_bt_%s", g->suffix));
    LLVMValueRef ld = pa.ld, src = pa.src, pc = pa.pc, kc = pa.kc, j0 = pa.j0, nj = pa.nj, dst = pa.dst;
    int NR = g->nr, NV = NR / g->vw;
    Loop lp, lk;
    LLVMValueRef jp = loop_begin(g, &lp, c64(g, 0), nj, NR);
    LLVMValueRef width = sub(g, nj, jp);   /* lanes c < width are real columns */
    LLVMValueRef panel = at(g, dst, mul(g, jp, kc)), row[64], mask[4];
    for (int c = 0; c < NR; c++)   /* column c's row of the stored matrix (clamped) */
        row[c] = at(g, src, add(g, mul(g, add(g, add(g, j0, jp), imin(g, c64(g, c), sub(g, width, c64(g, 1)))), ld), pc));
    for (int v = 0; v < NV; v++) mask[v] = lane_mask(g, v, width);
    /* VW k at a time: VW contiguous loads per group of VW columns, a VW x VW transpose in
     * registers, VW stores (the plain loops become gathers or scatters, which are slow) */
    int VW = g->vw;
    LLVMValueRef p = loop_begin(g, &lk, c64(g, 0), sub(g, kc, c64(g, VW - 1)), VW);
    for (int v = 0; v < NV; v++) {
        LLVMValueRef r[16];
        for (int l = 0; l < VW; l++) r[l] = load(g, g->vt, at(g, row[v * VW + l], p));
        transpose(g, r);
        for (int q = 0; q < VW; q++)
            store(g, LLVMBuildSelect(g->b, mask[v], r[q], LLVMConstNull(g->vt), ""),
                  at(g, panel, add(g, mul(g, add(g, p, c64(g, q)), c64(g, NR)), c64(g, v * VW))));
    }
    loop_end(g, &lk);
    /* the last kc % VW k: element by element */
    Loop lt_, lc;
    LLVMValueRef tail = mul(g, LLVMBuildSDiv(g->b, kc, c64(g, VW), ""), c64(g, VW));
    LLVMValueRef pt = loop_begin(g, &lt_, tail, kc, 1);
    LLVMValueRef c = loop_begin(g, &lc, c64(g, 0), c64(g, NR), 1);
    LLVMValueRef src_c = at(g, src, add(g, mul(g, add(g, add(g, j0, jp), imin(g, c, sub(g, width, c64(g, 1)))), ld), pc));
    store(g, LLVMBuildSelect(g->b, lt(g, c, width), load(g, g->et, at(g, src_c, pt)), LLVMConstNull(g->et), ""),
          at(g, panel, add(g, mul(g, pt, c64(g, NR)), c)));
    loop_end(g, &lc);
    loop_end(g, &lt_);
    loop_end(g, &lp);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

/* pack_bn(ld, b, pc, kc, j0, nj, bp): the same panels from an untransposed B (stored [k, n]):
 * per k, NR/VW masked vector loads along a row.  Used when enough rows reuse the panels. */
static LLVMValueRef pack_bn_function(Gen *g) {
    PackArgs pa = begin_pack(g, fmt("dlc_pack_bn_%s", g->suffix));
    LLVMValueRef ld = pa.ld, src = pa.src, pc = pa.pc, kc = pa.kc, j0 = pa.j0, nj = pa.nj, dst = pa.dst;
    int NR = g->nr, NV = NR / g->vw;
    Loop lp, lk;
    LLVMValueRef jp = loop_begin(g, &lp, c64(g, 0), nj, NR);
    LLVMValueRef panel = at(g, dst, mul(g, jp, kc)), mask[4];
    for (int v = 0; v < NV; v++) mask[v] = lane_mask(g, v, sub(g, nj, jp));
    LLVMValueRef p = loop_begin(g, &lk, c64(g, 0), kc, 1);
    LLVMValueRef row = at(g, src, add(g, mul(g, add(g, pc, p), ld), add(g, j0, jp)));
    for (int v = 0; v < NV; v++)
        store(g, masked_load(g, at(g, row, c64(g, v * g->vw)), mask[v]), at(g, panel, add(g, mul(g, p, c64(g, NR)), c64(g, v * g->vw))));
    loop_end(g, &lk);
    loop_end(g, &lp);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

/* ---- micro-kernel ---------------------------------------------------------------------------
 * ukernel(kc, a, ars, aps, b, ldb, c, ldc, mr, nr, first, bias, add_bias): the tile C[0..mr, 0..nr)
 * (+)= A . B with A(r, p) = a[r*ars + p*aps] and B(p, j) = b[p*ldb + j], then + bias[j] when
 * add_bias (the last k block of a product with a bias). */
static LLVMValueRef splat(Gen *g, LLVMValueRef x) {
    LLVMValueRef v = LLVMBuildInsertElement(g->b, LLVMGetPoison(g->vt), x, c64(g, 0), "");
    LLVMValueRef zeros = LLVMConstNull(LLVMVectorType(LLVMInt32TypeInContext(g->ctx), (unsigned)g->vw));
    return LLVMBuildShuffleVector(g->b, v, LLVMGetPoison(g->vt), zeros, "");
}

/* <VW x i1>: lane l of vector v is below n (v*VW + l < n) */
static LLVMValueRef lane_mask(Gen *g, int v, LLVMValueRef n) {
    LLVMTypeRef iv = LLVMVectorType(g->i64, (unsigned)g->vw);
    LLVMValueRef lanes[16];
    for (int l = 0; l < g->vw; l++) lanes[l] = c64(g, v * g->vw + l);
    LLVMValueRef nv = LLVMBuildInsertElement(g->b, LLVMGetPoison(iv), n, c64(g, 0), "");
    nv = LLVMBuildShuffleVector(g->b, nv, LLVMGetPoison(iv), LLVMConstNull(LLVMVectorType(LLVMInt32TypeInContext(g->ctx), (unsigned)g->vw)), "");
    return LLVMBuildICmp(g->b, LLVMIntSLT, LLVMConstVector(lanes, (unsigned)g->vw), nv, "");
}

/* *acc = fma(a, b, *acc) on vectors */
static void fma_into(Gen *g, LLVMValueRef acc, LLVMValueRef a, LLVMValueRef b) {
    unsigned id = LLVMLookupIntrinsicID("llvm.fma", 8);
    LLVMValueRef args[3] = {a, b, LLVMBuildLoad2(g->b, g->vt, acc, "")};
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->t->mod, id, &g->vt, 1);
    LLVMBuildStore(g->b, LLVMBuildCall2(g->b, LLVMIntrinsicGetType(g->ctx, id, &g->vt, 1), f, args, 3, ""), acc);
}

/* acc[r][v] += A(r, p) * B(p, v*VW ..) for p < kc; B's loads masked when `mask` is given */
static void k_loop(Gen *g, LLVMValueRef acc[][4], const LLVMValueRef *arow, LLVMValueRef kc, LLVMValueRef aps,
                   LLVMValueRef bp, LLVMValueRef ldb, const LLVMValueRef *mask) {
    int MR = g->mr, NV = g->nr / g->vw;
    Loop lp;
    LLVMValueRef p = loop_begin(g, &lp, c64(g, 0), kc, 1);
    LLVMValueRef brow = at(g, bp, mul(g, p, ldb)), aoff = mul(g, p, aps), bv[4];
    for (int v = 0; v < NV; v++) {
        LLVMValueRef bptr = at(g, brow, c64(g, v * g->vw));
        bv[v] = mask ? masked_load(g, bptr, mask[v]) : load(g, g->vt, bptr);
    }
    for (int r = 0; r < MR; r++) {
        LLVMValueRef a = splat(g, load(g, g->et, at(g, arow[r], aoff)));
        for (int v = 0; v < NV; v++) fma_into(g, acc[r][v], a, bv[v]);
    }
    loop_end(g, &lp);
}

/* A vector of VW elements stored to p, lanes off in `mask` left alone. */
static void masked_store(Gen *g, LLVMValueRef v, LLVMValueRef p, LLVMValueRef mask) {
    unsigned id = LLVMLookupIntrinsicID("llvm.masked.store", 17);
    LLVMTypeRef over[2] = {g->vt, g->ptr};
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->t->mod, id, over, 2);
    LLVMValueRef args[4] = {v, p, LLVMConstInt(LLVMInt32TypeInContext(g->ctx), (unsigned long long)g->esize, 0), mask};
    LLVMBuildCall2(g->b, LLVMIntrinsicGetType(g->ctx, id, over, 2), f, args, 4, "");
}

/* Ask for the rows of C that the next tile down (MR rows below) reads and writes, for writing:
 * in a large product they are in L3 or memory, and this tile's k loop hides the wait.  Only
 * for long k loops (short ones would pay for the requests).  Below the last row the requests
 * point past C, which is harmless: prefetches do not fault (and the address is not inbounds). */
enum { PREFETCH_MIN_KC = 128 };
static void prefetch_next(Gen *g, const LLVMValueRef *crow, LLVMValueRef ldc, LLVMValueRef kc) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(g->ctx);
    If lng;
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntSGE, kc, c64(g, PREFETCH_MIN_KC), ""), &lng);
    unsigned id = LLVMLookupIntrinsicID("llvm.prefetch", 13);
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->t->mod, id, &g->ptr, 1);
    LLVMTypeRef ft = LLVMIntrinsicGetType(g->ctx, id, &g->ptr, 1);
    LLVMValueRef down = mul(g, ldc, c64(g, g->mr));
    for (int r = 0; r < g->mr; r++)
        for (int line = 0; line < g->nr * g->esize; line += 64) {
            LLVMValueRef off = add(g, down, c64(g, line / g->esize));
            LLVMValueRef args[4] = {LLVMBuildGEP2(g->b, g->et, crow[r], &off, 1, ""), LLVMConstInt(i32, 1, 0), LLVMConstInt(i32, 2, 0),
                                    LLVMConstInt(i32, 1, 0)};
            LLVMBuildCall2(g->b, ft, f, args, 4, "");
        }
    if_else(g, &lng);
    if_end(g, &lng);
}

/* One case of the micro-kernel: acc = first ? 0 : C, the k loop, C = acc; `mask` (columns
 * live) when the tile is narrower than NR, NULL for a full-width one, whose B and C are read
 * and written plainly (masked loads cost registers without AVX-512, and load slots). */
static void tile_case(Gen *g, LLVMValueRef acc[][4], const LLVMValueRef *crow, LLVMValueRef ldc, LLVMValueRef first, const LLVMValueRef *arow,
                      LLVMValueRef kc, LLVMValueRef aps, LLVMValueRef bp, LLVMValueRef ldb, const LLVMValueRef *mask,
                      LLVMValueRef bias, LLVMValueRef add_bias) {
    int MR = g->mr, NV = g->nr / g->vw;
    If fst;
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntNE, first, c64(g, 0), ""), &fst);
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) LLVMBuildStore(g->b, LLVMConstNull(g->vt), acc[r][v]);
    if_else(g, &fst);
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) {
            LLVMValueRef p = at(g, crow[r], c64(g, v * g->vw));
            LLVMBuildStore(g->b, mask ? masked_load(g, p, mask[v]) : load(g, g->vt, p), acc[r][v]);
        }
    if_end(g, &fst);
    prefetch_next(g, crow, ldc, kc);
    k_loop(g, acc, arow, kc, aps, bp, ldb, mask);
    /* the epilogue: after the last k block, + bias[j] (the same bits as adding it afterwards) */
    If eb;
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntNE, add_bias, c64(g, 0), ""), &eb);
    for (int v = 0; v < NV; v++) {
        LLVMValueRef p = LLVMBuildGEP2(g->b, g->et, bias, (LLVMValueRef[]){c64(g, v * g->vw)}, 1, "");
        LLVMValueRef bv = mask ? masked_load(g, p, mask[v]) : load(g, g->vt, p);
        for (int r = 0; r < MR; r++)
            LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->vt, acc[r][v], ""), bv, ""), acc[r][v]);
    }
    if_else(g, &eb);
    if_end(g, &eb);
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) {
            LLVMValueRef x = LLVMBuildLoad2(g->b, g->vt, acc[r][v], ""), p = at(g, crow[r], c64(g, v * g->vw));
            if (mask) masked_store(g, x, p, mask[v]);
            else store(g, x, p);
        }
}

/* Rows past mr repeat the last row: the same A row, the same C row read, so the same values,
 * stored again over that row (no scratch tile, no branch per row); columns past nr are masked. */
static LLVMValueRef ukernel_function(Gen *g) {
    LLVMTypeRef i64 = g->i64, ptr = g->ptr;
    LLVMTypeRef ps[13] = {i64, ptr, i64, i64, ptr, i64, ptr, i64, i64, i64, i64, ptr, i64};
    begin_function(g, fmt("dlc_ukernel_%s", g->suffix), ps, 13);
    LLVMValueRef kc = arg(g, 0), ap = arg(g, 1), ars = arg(g, 2), aps = arg(g, 3), bp = arg(g, 4), ldb = arg(g, 5);
    LLVMValueRef cp = arg(g, 6), ldc = arg(g, 7), mr = arg(g, 8), nr = arg(g, 9), first = arg(g, 10);
    LLVMValueRef bias = arg(g, 11), add_bias = arg(g, 12);   /* bias of the tile's columns; add it when non-zero */
    int MR = g->mr, NV = g->nr / g->vw;
    LLVMValueRef acc[16][4];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = local(g, g->vt, 0);
    /* row r of A starts at a + min(r, mr-1)*ars, of C at c + min(r, mr-1)*ldc; lane l of
     * vector v is live when v*VW + l < nr */
    LLVMValueRef arow[16], crow[16], mask[4];
    for (int r = 0; r < MR; r++) {
        LLVMValueRef rr = imin(g, c64(g, r), sub(g, mr, c64(g, 1)));
        arow[r] = at(g, ap, mul(g, rr, ars));
        crow[r] = at(g, cp, mul(g, rr, ldc));
    }
    for (int v = 0; v < NV; v++) mask[v] = lane_mask(g, v, nr);
    If wide, unit;
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntEQ, nr, c64(g, g->nr), ""), &wide);
    /* A's rows contiguous (not transposed): a constant step lets the rows' loads share offsets */
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntEQ, aps, c64(g, 1), ""), &unit);
    tile_case(g, acc, crow, ldc, first, arow, kc, c64(g, 1), bp, ldb, NULL, bias, add_bias);
    if_else(g, &unit);
    tile_case(g, acc, crow, ldc, first, arow, kc, aps, bp, ldb, NULL, bias, add_bias);
    if_end(g, &unit);
    if_else(g, &wide);
    tile_case(g, acc, crow, ldc, first, arow, kc, aps, bp, ldb, mask, bias, add_bias);
    if_end(g, &wide);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

/* ---- one parallel task ------------------------------------------------------------------------
 * The driver fills a context for each block of GEMM_NC columns.  A task is a group of column
 * panels and, when B is read in place, one block of GEMM_MC rows; it runs every k block.  With
 * a transposed B the task packs its own panels (disjoint parts of ws) for each k block and
 * runs every row block over them. */
enum { CX_M, CX_N, CX_K, CX_A, CX_ARS, CX_APS, CX_B, CX_LDB, CX_WS, CX_PACKED, CX_C, CX_JC, CX_NC, CX_GROUP,
       CX_NGROUPS, CX_BIAS, CX_COUNT };
static bool cx_is_ptr(int i) { return i == CX_A || i == CX_B || i == CX_WS || i == CX_C || i == CX_BIAS; }

static LLVMTypeRef ctx_type(Gen *g) {
    LLVMTypeRef f[CX_COUNT];
    for (int i = 0; i < CX_COUNT; i++) f[i] = cx_is_ptr(i) ? g->ptr : g->i64;
    return LLVMStructTypeInContext(g->ctx, f, CX_COUNT, 0);
}
static LLVMValueRef field(Gen *g, LLVMTypeRef st, LLVMValueRef ctx, int i) {
    return LLVMBuildStructGEP2(g->b, st, ctx, (unsigned)i, "");
}

static LLVMValueRef task_function(Gen *g, bool tb, LLVMValueRef pack_b, LLVMValueRef uk) {   /* pack_b: for tb's layout */
    LLVMTypeRef ps[2] = {g->ptr, g->i64}, st = ctx_type(g);
    begin_function(g, fmt("dlc_gemm_task_%s%s", g->suffix, tb ? "_p" : ""), ps, 2);
    LLVMValueRef cx = arg(g, 0), t = arg(g, 1), v[CX_COUNT];
    for (int i = 0; i < CX_COUNT; i++) v[i] = LLVMBuildLoad2(g->b, cx_is_ptr(i) ? g->ptr : g->i64, field(g, st, cx, i), "");
    LLVMValueRef packed = LLVMBuildICmp(g->b, LLVMIntNE, v[CX_PACKED], c64(g, 0), "");
    /* k blocks: packed panels are reused by every row tile, so long ones (each block reloads
     * and stores C once); B read in place streams kc rows at once, so few enough for the
     * prefetchers to follow.  A transposed A gives a tile's k steps one cache line each, of
     * which it uses MR elements and the tile below the rest: kc of them must stay in L1. */
    LLVMValueRef kcb = tb ? c64(g, GEMM_KC) : LLVMBuildSelect(g->b, packed, c64(g, GEMM_KC), c64(g, GEMM_KC_INPLACE), "");
    LLVMValueRef ta = LLVMBuildICmp(g->b, LLVMIntNE, v[CX_APS], c64(g, 1), "");
    kcb = LLVMBuildSelect(g->b, LLVMBuildAnd(g->b, ta, lt(g, c64(g, GEMM_KC_TA), kcb), ""), c64(g, GEMM_KC_TA), kcb, "");
    /* which columns [j0, j1) of this panel step and rows [r0, r1) */
    LLVMValueRef jg = LLVMBuildSRem(g->b, t, v[CX_NGROUPS], ""), ib = LLVMBuildSDiv(g->b, t, v[CX_NGROUPS], "");
    LLVMValueRef j0 = mul(g, jg, v[CX_GROUP]), j1 = imin(g, v[CX_NC], add(g, j0, v[CX_GROUP]));
    LLVMValueRef r0 = LLVMBuildSelect(g->b, packed, c64(g, 0), mul(g, ib, c64(g, GEMM_MC)), "");
    LLVMValueRef r1 = LLVMBuildSelect(g->b, packed, v[CX_M], imin(g, v[CX_M], add(g, r0, c64(g, GEMM_MC))), "");
    /* this task's panels start at column j0 of a layout min(k, GEMM_KC) high (no k block is
     * taller), so that tasks at different k blocks never share a byte of ws; the whole fits the
     * min(k, GEMM_KC) x (min(n, GEMM_NC) + 32) that plan.c reserves */
    LLVMValueRef mine = at(g, v[CX_WS], mul(g, j0, imin(g, v[CX_K], c64(g, GEMM_KC))));
    /* k blocks in order (each element's chain continues where the last block stopped) */
    Loop lpc, lic, lj, li;
    LLVMValueRef pc = loop_begin_by(g, &lpc, c64(g, 0), v[CX_K], kcb);
    LLVMValueRef kc = imin(g, kcb, sub(g, v[CX_K], pc));
    LLVMValueRef first = LLVMBuildZExt(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, pc, c64(g, 0), ""), g->i64, "");
    If ip;
    if_begin(g, packed, &ip);
    LLVMValueRef pb[7] = {v[CX_LDB], v[CX_B], pc, kc, add(g, v[CX_JC], j0), sub(g, j1, j0), mine};
    call(g, pack_b, pb, 7);
    if_else(g, &ip);
    if_end(g, &ip);
    /* B(p, j) of column panel jr: packed mine[(jr - j0)*kc + p*NR + j], or in place b[(pc + p)*ldb + jc + jr + j] */
    LLVMValueRef ic = loop_begin(g, &lic, r0, r1, GEMM_MC);
    LLVMValueRef mc = imin(g, c64(g, GEMM_MC), sub(g, r1, ic));
    LLVMValueRef jr = loop_begin(g, &lj, j0, j1, g->nr);
    LLVMValueRef bpanel = LLVMBuildSelect(g->b, packed, at(g, mine, mul(g, sub(g, jr, j0), kc)),
                                          at(g, v[CX_B], add(g, mul(g, pc, v[CX_LDB]), add(g, v[CX_JC], jr))), "");
    LLVMValueRef ldb = LLVMBuildSelect(g->b, packed, c64(g, g->nr), v[CX_LDB], "");
    LLVMValueRef ir = loop_begin(g, &li, c64(g, 0), mc, g->mr);
    LLVMValueRef row = add(g, ic, ir), col = add(g, v[CX_JC], jr);
    LLVMValueRef atile = at(g, v[CX_A], add(g, mul(g, row, v[CX_ARS]), mul(g, pc, v[CX_APS])));
    /* the bias after the last k block; its pointer is formed (not inbounds) even when null, unused then */
    LLVMValueRef add_bias = LLVMBuildZExt(g->b, LLVMBuildAnd(g->b, LLVMBuildIsNotNull(g->b, v[CX_BIAS], ""),
                                                             LLVMBuildICmp(g->b, LLVMIntSGE, add(g, pc, kc), v[CX_K], ""), ""), g->i64, "");
    LLVMValueRef uargs[13] = {kc, atile, v[CX_ARS], v[CX_APS], bpanel, ldb,
                              at(g, v[CX_C], add(g, mul(g, row, v[CX_N]), col)), v[CX_N],
                              imin(g, c64(g, g->mr), sub(g, mc, ir)), imin(g, c64(g, g->nr), sub(g, v[CX_NC], jr)), first,
                              LLVMBuildGEP2(g->b, g->et, v[CX_BIAS], &col, 1, ""), add_bias};
    call(g, uk, uargs, 13);
    loop_end(g, &li);
    loop_end(g, &lj);
    loop_end(g, &lic);
    loop_end(g, &lpc);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

/* Tasks per block of columns: about TASK_TARGET (enough for a few threads), each at least
 * TASK_MIN_COLS columns wide; the pool is used only for PARALLEL_MIN_WORK multiply-adds or more. */
enum { TASK_TARGET = 8, TASK_MIN_COLS = 64, PARALLEL_MIN_WORK = 1 << 20, PACK_MIN_ROWS = 256 };

/* task(cx, t) for t < ntasks: through the pool's parallel_for when someone installed one and
 * `work` multiply-adds pay for threads, else in a loop here */
static void run_tasks(Gen *g, LLVMValueRef task, LLVMValueRef cx, LLVMValueRef ntasks, LLVMValueRef work) {
    LLVMValueRef hook = LLVMBuildLoad2(g->b, g->ptr, g->t->parallel_for, "");
    LLVMValueRef par = LLVMBuildAnd(g->b, LLVMBuildIsNotNull(g->b, hook, ""),
                                    LLVMBuildAnd(g->b, lt(g, c64(g, 1), ntasks), lt(g, c64(g, PARALLEL_MIN_WORK), work), ""), "");
    If ip;
    Loop lt_;
    if_begin(g, par, &ip);
    LLVMTypeRef hps[3] = {g->ptr, g->ptr, g->i64};
    LLVMValueRef hargs[3] = {task, cx, ntasks};
    LLVMBuildCall2(g->b, LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), hps, 3, 0), hook, hargs, 3, "");
    if_else(g, &ip);
    LLVMValueRef t = loop_begin(g, &lt_, c64(g, 0), ntasks, 1);
    LLVMValueRef targs[2] = {cx, t};
    call(g, task, targs, 2);
    loop_end(g, &lt_);
    if_end(g, &ip);
}

static LLVMValueRef driver_function(Gen *g, const char *name, bool ta, bool tb, LLVMValueRef task) {
    LLVMTypeRef i64 = g->i64, ptr = g->ptr, st = ctx_type(g);
    LLVMTypeRef ps[9] = {i64, i64, i64, ptr, ptr, ptr, ptr, i64, ptr};
    begin_function(g, name, ps, 9);
    LLVMValueRef m = arg(g, 0), n = arg(g, 1), k = arg(g, 2), a = arg(g, 3), b = arg(g, 4), c = arg(g, 5), ws = arg(g, 6);
    LLVMValueRef ldb = arg(g, 7), bias = arg(g, 8);
    LLVMValueRef cx = local(g, st, 0);
    /* an empty sum is 0 (+ the bias) */
    If empty, hb;
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntSLE, k, c64(g, 0), ""), &empty);
    Loop li, lj;
    LLVMValueRef i = loop_begin(g, &li, c64(g, 0), m, 1);
    LLVMValueRef j = loop_begin(g, &lj, c64(g, 0), n, 1);
    LLVMValueRef zv = local(g, g->et, 0);
    store(g, LLVMConstNull(g->et), zv);
    if_begin(g, LLVMBuildIsNotNull(g->b, bias, ""), &hb);
    store(g, load(g, g->et, at(g, bias, j)), zv);
    if_else(g, &hb);
    if_end(g, &hb);
    store(g, load(g, g->et, zv), at(g, c, add(g, mul(g, i, n), j)));
    loop_end(g, &lj);
    loop_end(g, &li);
    if_else(g, &empty);
    if_end(g, &empty);

    /* row tasks: one when B is packed (its task runs every row block), else one per block */
    /* panels: a transposed B always; an untransposed one when many rows reuse them (and one
     * column block holds it) — otherwise it is read in place */
    LLVMValueRef pack_n = LLVMBuildAnd(g->b, LLVMBuildICmp(g->b, LLVMIntSGE, m, c64(g, PACK_MIN_ROWS), ""),
                                       LLVMBuildICmp(g->b, LLVMIntSLE, n, c64(g, GEMM_NC), ""), "");
    pack_n = LLVMBuildAnd(g->b, pack_n, LLVMBuildIsNotNull(g->b, ws, ""), "");   /* no workspace: in place */
    /* and when the columns make at least two tasks: a packed product splits only its columns,
     * so one narrower than that would run on one thread (in place, its row blocks split) */
    pack_n = LLVMBuildAnd(g->b, pack_n, lt(g, c64(g, TASK_MIN_COLS), n), "");
    LLVMValueRef packed = tb ? c64(g, 1) : LLVMBuildZExt(g->b, pack_n, g->i64, "");
    LLVMValueRef nib = LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntNE, packed, c64(g, 0), ""), c64(g, 1), cdiv(g, m, GEMM_MC), "");
    /* column blocks bound the packed panels; B read in place needs none (one block) */
    int64_t block = tb ? GEMM_NC : INT64_C(1) << 60;
    Loop ljc;
    LLVMValueRef jc = loop_begin(g, &ljc, c64(g, 0), n, block);
    LLVMValueRef nc = imin(g, c64(g, block), sub(g, n, jc));
    LLVMValueRef want = LLVMBuildSDiv(g->b, add(g, c64(g, TASK_TARGET - 1), nib), nib, "");
    LLVMValueRef group = LLVMBuildSDiv(g->b, add(g, nc, sub(g, want, c64(g, 1))), want, "");
    group = LLVMBuildSelect(g->b, lt(g, group, c64(g, TASK_MIN_COLS)), c64(g, TASK_MIN_COLS), group, "");
    group = mul(g, cdiv(g, group, g->nr), c64(g, g->nr));
    LLVMValueRef ngroups = LLVMBuildSDiv(g->b, add(g, nc, sub(g, group, c64(g, 1))), group, "");
    LLVMValueRef vals[CX_COUNT] = {m, n, k, a, ta ? c64(g, 1) : k, ta ? m : c64(g, 1), b, ldb, ws, packed, c, jc, nc,
                                   group, ngroups, bias};
    for (int i = 0; i < CX_COUNT; i++) LLVMBuildStore(g->b, vals[i], field(g, st, cx, i));
    run_tasks(g, task, cx, mul(g, nib, ngroups), mul(g, mul(g, m, nc), k));
    loop_end(g, &ljc);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

/* ---- the dot form (KGemm.dot) ------------------------------------------------------------------
 * C = A . B^T, A [m, k] and B [n, k] read in place along k.  A task is one chunk of GEMM_DOT_KC
 * of k: for each tile of DR rows of A and DC rows of B, GEMM_DOT_LANES lanes of partial sums
 * per pair (GEMM_DOT_LANES / VW vectors), folded by the lane tree at the end of the chunk into
 * C (chunk 0) or its slice of ws (chunks 1..); the driver then adds the slices into C in order.
 * Tile rows and columns past the edge repeat the last one (same values, stored again). */
enum { DX_M, DX_N, DX_K, DX_A, DX_B, DX_LDB, DX_C, DX_WS, DX_COUNT };
static bool dx_is_ptr(int i) { return i == DX_A || i == DX_B || i == DX_C || i == DX_WS; }
static LLVMTypeRef dot_ctx_type(Gen *g) {
    LLVMTypeRef f[DX_COUNT];
    for (int i = 0; i < DX_COUNT; i++) f[i] = dx_is_ptr(i) ? g->ptr : g->i64;
    return LLVMStructTypeInContext(g->ctx, f, DX_COUNT, 0);
}

/* The lane tree of one pair's NL vectors (GEMM_DOT_LANES lanes, lane l in vector l / VW):
 * lane l += lane l + h for h = LANES/2 .. 1, whole vectors while h >= VW, then shuffles. */
static LLVMValueRef lane_tree(Gen *g, LLVMValueRef *v) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(g->ctx);
    for (int h = GEMM_DOT_LANES / 2; h >= 1; h /= 2) {
        if (h >= g->vw) {
            for (int i = 0; i < h / g->vw; i++) v[i] = LLVMBuildFAdd(g->b, v[i], v[i + h / g->vw], "");
            continue;
        }
        LLVMValueRef sh[16];
        for (int l = 0; l < g->vw; l++) sh[l] = LLVMConstInt(i32, (unsigned long long)(l + h < g->vw ? l + h : l), 0);
        LLVMValueRef up = LLVMBuildShuffleVector(g->b, v[0], LLVMGetPoison(g->vt), LLVMConstVector(sh, (unsigned)g->vw), "");
        v[0] = LLVMBuildFAdd(g->b, v[0], up, "");
    }
    return LLVMBuildExtractElement(g->b, v[0], c64(g, 0), "");
}

static LLVMValueRef dot_task_function(Gen *g) {
    int NL = GEMM_DOT_LANES / g->vw;   /* vectors per pair */
    /* the largest tile whose sums, one row of A and one of B fit the vector registers */
    int regs = g->t->vector_bytes == 64 ? 32 : 16, DR = 1, DC = 1;
    for (int r = 1; r <= 4; r++)
        for (int q = r; q <= 8; q++)
            if (NL * (r * q + r + 1) <= regs && r * q > DR * DC) DR = r, DC = q;
    if (DR > 4) DR = 4;
    LLVMTypeRef ps[2] = {g->ptr, g->i64}, st = dot_ctx_type(g);
    begin_function(g, fmt("dlc_gemm_dot_task_%s", g->suffix), ps, 2);
    LLVMValueRef cx = arg(g, 0), t = arg(g, 1), v[DX_COUNT];
    for (int i = 0; i < DX_COUNT; i++) v[i] = LLVMBuildLoad2(g->b, dx_is_ptr(i) ? g->ptr : g->i64, field(g, st, cx, i), "");
    LLVMValueRef m = v[DX_M], n = v[DX_N], k = v[DX_K];
    LLVMValueRef lo = mul(g, t, c64(g, GEMM_DOT_KC)), hi = imin(g, k, add(g, lo, c64(g, GEMM_DOT_KC)));
    LLVMValueRef out = LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, t, c64(g, 0), ""), v[DX_C],
                                       at(g, v[DX_WS], mul(g, sub(g, t, c64(g, 1)), mul(g, m, n))), "");
    LLVMValueRef acc[4][8][4];
    for (int r = 0; r < DR; r++)
        for (int q = 0; q < DC; q++)
            for (int l = 0; l < NL; l++) acc[r][q][l] = local(g, g->vt, 0);
    Loop lj, li, lp;
    LLVMValueRef j0 = loop_begin(g, &lj, c64(g, 0), n, DC);
    LLVMValueRef i0 = loop_begin(g, &li, c64(g, 0), m, DR);
    LLVMValueRef ri[4], cj[8], arow[4], brow[8];
    for (int r = 0; r < DR; r++) {
        ri[r] = imin(g, add(g, i0, c64(g, r)), sub(g, m, c64(g, 1)));
        arow[r] = at(g, v[DX_A], mul(g, ri[r], k));
    }
    for (int q = 0; q < DC; q++) {
        cj[q] = imin(g, add(g, j0, c64(g, q)), sub(g, n, c64(g, 1)));
        brow[q] = at(g, v[DX_B], mul(g, cj[q], v[DX_LDB]));
    }
    for (int r = 0; r < DR; r++)
        for (int q = 0; q < DC; q++)
            for (int l = 0; l < NL; l++) LLVMBuildStore(g->b, LLVMConstNull(g->vt), acc[r][q][l]);
    /* LANES of k per step; the chunk's last part masked (its dead lanes add 0 * 0, which leaves
     * a sum that started at +0 unchanged) */
    for (int tail = 0; tail < 2; tail++) {
        LLVMValueRef p, mask[8] = {0};
        If more;
        if (!tail) {
            p = loop_begin(g, &lp, lo, sub(g, hi, c64(g, GEMM_DOT_LANES - 1)), GEMM_DOT_LANES);
        } else {
            p = add(g, lo, mul(g, LLVMBuildSDiv(g->b, sub(g, hi, lo), c64(g, GEMM_DOT_LANES), ""), c64(g, GEMM_DOT_LANES)));
            if_begin(g, lt(g, p, hi), &more);
            for (int l = 0; l < NL; l++) mask[l] = lane_mask(g, l, sub(g, hi, p));
        }
        LLVMValueRef av[4][4];
        for (int r = 0; r < DR; r++)
            for (int l = 0; l < NL; l++) {
                LLVMValueRef ptr = at(g, arow[r], add(g, p, c64(g, l * g->vw)));
                av[r][l] = tail ? masked_load(g, ptr, mask[l]) : load(g, g->vt, ptr);
            }
        for (int q = 0; q < DC; q++)
            for (int l = 0; l < NL; l++) {
                LLVMValueRef ptr = at(g, brow[q], add(g, p, c64(g, l * g->vw)));
                LLVMValueRef bv = tail ? masked_load(g, ptr, mask[l]) : load(g, g->vt, ptr);
                for (int r = 0; r < DR; r++) fma_into(g, acc[r][q][l], av[r][l], bv);
            }
        if (!tail) loop_end(g, &lp);
        else {
            if_else(g, &more);
            if_end(g, &more);
        }
    }
    for (int r = 0; r < DR; r++)
        for (int q = 0; q < DC; q++) {
            LLVMValueRef lanes[8];
            for (int l = 0; l < NL; l++) lanes[l] = LLVMBuildLoad2(g->b, g->vt, acc[r][q][l], "");
            store(g, lane_tree(g, lanes), at(g, out, add(g, mul(g, ri[r], n), cj[q])));
        }
    loop_end(g, &li);
    loop_end(g, &lj);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

static LLVMValueRef dot_driver_function(Gen *g, LLVMValueRef task) {
    LLVMTypeRef i64 = g->i64, ptr = g->ptr, st = dot_ctx_type(g);
    LLVMTypeRef ps[9] = {i64, i64, i64, ptr, ptr, ptr, ptr, i64, ptr};   /* the last, a bias, is always null */
    begin_function(g, fmt("dlc_gemm_dot_%s", g->suffix), ps, 9);
    LLVMValueRef m = arg(g, 0), n = arg(g, 1), k = arg(g, 2), c = arg(g, 5), ws = arg(g, 6);
    LLVMValueRef vals[DX_COUNT] = {m, n, k, arg(g, 3), arg(g, 4), arg(g, 7), c, ws};
    LLVMValueRef cx = local(g, st, 0);
    for (int i = 0; i < DX_COUNT; i++) LLVMBuildStore(g->b, vals[i], field(g, st, cx, i));
    LLVMValueRef mn = mul(g, m, n);
    /* an empty sum is 0 */
    If empty;
    Loop lz;
    if_begin(g, LLVMBuildICmp(g->b, LLVMIntSLE, k, c64(g, 0), ""), &empty);
    LLVMValueRef z = loop_begin(g, &lz, c64(g, 0), mn, 1);
    store(g, LLVMConstNull(g->et), at(g, c, z));
    loop_end(g, &lz);
    if_else(g, &empty);
    if_end(g, &empty);
    LLVMValueRef chunks = cdiv(g, k, GEMM_DOT_KC);
    run_tasks(g, task, cx, chunks, mul(g, mn, k));
    /* C = chunk 0 + chunk 1 + ... in order */
    Loop lc, le;
    LLVMValueRef ch = loop_begin(g, &lc, c64(g, 1), chunks, 1);
    LLVMValueRef part = at(g, ws, mul(g, sub(g, ch, c64(g, 1)), mn));
    LLVMValueRef e = loop_begin(g, &le, c64(g, 0), mn, 1);
    LLVMValueRef ce = at(g, c, e);
    store(g, LLVMBuildFAdd(g->b, load(g, g->et, ce), load(g, g->et, at(g, part, e)), ""), ce);
    loop_end(g, &le);
    loop_end(g, &lc);
    LLVMBuildRetVoid(g->b);
    return g->fn;
}

/* The generator's state for element type `elem` (float or double) on target t. */
static Gen new_gen(const GemmTarget *t, LLVMTypeRef elem) {
    bool f64 = LLVMGetTypeKind(elem) == LLVMDoubleTypeKind;
    Gen g = {t, t->ctx, LLVMCreateBuilderInContext(t->ctx), NULL, LLVMInt64TypeInContext(t->ctx),
             LLVMPointerTypeInContext(t->ctx, 0), elem, NULL, f64 ? 8 : 4, 0, 0, 0, f64 ? "f64" : "f32"};
    g.vw = t->vector_bytes / g.esize;
    g.vt = LLVMVectorType(elem, (unsigned)g.vw);
    /* 2 vectors of B per k; rows so that accumulators use about half the vector registers */
    g.nr = 2 * g.vw;
    g.mr = t->vector_bytes == 64 ? 8 : 6;
    return g;
}

LLVMValueRef gemm_dot_function(const GemmTarget *t, LLVMTypeRef elem) {
    Gen g = new_gen(t, elem);
    LLVMValueRef have = LLVMGetNamedFunction(t->mod, fmt("dlc_gemm_dot_%s", g.suffix));
    if (!have) have = dot_driver_function(&g, dot_task_function(&g));
    LLVMDisposeBuilder(g.b);
    return have;
}

LLVMValueRef gemm_function(const GemmTarget *t, LLVMTypeRef elem, bool ta, bool tb) {
    const char *suffix = LLVMGetTypeKind(elem) == LLVMDoubleTypeKind ? "f64" : "f32";
    const char *name = fmt("dlc_gemm_%s_%c%c", suffix, ta ? 't' : 'n', tb ? 't' : 'n');
    LLVMValueRef have = LLVMGetNamedFunction(t->mod, name);
    if (have) return have;

    Gen g = new_gen(t, elem);
    /* the helpers are shared by the four transpose variants */
    const char *pname = fmt("dlc_pack_b%c_%s", tb ? 't' : 'n', suffix);
    LLVMValueRef pack_b = LLVMGetNamedFunction(t->mod, pname);
    if (!pack_b) pack_b = tb ? pack_function(&g) : pack_bn_function(&g);
    LLVMValueRef uk = LLVMGetNamedFunction(t->mod, fmt("dlc_ukernel_%s", suffix));
    if (!uk) uk = ukernel_function(&g);
    LLVMValueRef task = LLVMGetNamedFunction(t->mod, fmt("dlc_gemm_task_%s%s", suffix, tb ? "_p" : ""));
    if (!task) task = task_function(&g, tb, pack_b, uk);
    LLVMValueRef fn = driver_function(&g, name, ta, tb, task);
    LLVMDisposeBuilder(g.b);
    return fn;
}
