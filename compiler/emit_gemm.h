/* emit_gemm.h — the GEMM generator's interface to emit_llvm.c (the two files that use llvm-c). */
#ifndef DLC_EMIT_GEMM_H
#define DLC_EMIT_GEMM_H

#include <llvm-c/Core.h>
#include <stdbool.h>

typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    const char *cpu, *features;   /* function attributes of everything generated */
    int vector_bytes;             /* widest profitable vector: 64 (AVX-512), 32 (AVX2), 16 */
    LLVMValueRef parallel_for;    /* global: void (*)(void (*)(void *, int64_t), void *, int64_t) */
} GemmTarget;

/* void gemm(i64 m, i64 n, i64 k, ptr a, ptr b, ptr c, ptr ws, i64 ldb, ptr bias) computing KGemm's
 * arithmetic for element type `elem` (float or double) and the given transposes; made once per
 * module.  A null ws means no workspace: an untransposed B is then read in place, never packed.
 * A null bias adds none. */
LLVMValueRef gemm_function(const GemmTarget *t, LLVMTypeRef elem, bool ta, bool tb);
/* the same arguments (ldb: B's dense row stride, k) for KGemm's dot form */
LLVMValueRef gemm_dot_function(const GemmTarget *t, LLVMTypeRef elem);

#endif
