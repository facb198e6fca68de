/* rng.c — counter-based random numbers for the dlc runtime.
 *
 * dlrt_rand_u64(seed, stream, counter) is Philox4x32-10 (Salmon et al., "Parallel Random
 * Numbers: As Easy as 1, 2, 3", SC'11): the 64-bit seed is the key and (counter, stream)
 * form the 128-bit counter block; the result is the first 64 bits of the output block.  It is
 * a pure function, so any element of any stream can be computed independently, in any order,
 * on any thread, and the numbers match the Random123 known-answer vectors.
 *
 * dlrt_shuffle is a Fisher-Yates shuffle whose draws come from stream `epoch` with counter i
 * for the swap at position i, reduced to [0, i] without modulo bias by rejection. */
#include "dlrt.h"

/* Philox4x32 multipliers and Weyl key increments (from the paper). */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Ten Philox rounds applied to c[0..3] in place under key (k0, k1). */
static void philox4x32_10(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) { /* bump the key between rounds */
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
        uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
        uint32_t n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
        uint32_t n3 = (uint32_t)p0;
        c[0] = n0;
        c[1] = n1;
        c[2] = n2;
        c[3] = n3;
    }
}

uint64_t dlrt_rand_u64(uint64_t seed, uint64_t stream, uint64_t counter) {
    uint32_t c[4] = {(uint32_t)counter, (uint32_t)(counter >> 32), (uint32_t)stream,
                     (uint32_t)(stream >> 32)};
    philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    return (uint64_t)c[0] | (uint64_t)c[1] << 32;
}

double dlrt_rand_uniform(uint64_t seed, uint64_t stream, uint64_t counter) {
    /* The top 53 bits scaled by 2^-53: uniform on the doubles k/2^53, always < 1. */
    return (double)(dlrt_rand_u64(seed, stream, counter) >> 11) * 0x1p-53;
}

/* Uniform integer in [0, range) for the swap at position i of an n-element shuffle.  Draws
 * below 2^64 mod range are rejected so each residue is equally likely; a retry r uses counter
 * i + r*n, which never collides with another position's draws (i < n). */
static uint64_t bounded_draw(uint64_t seed, uint64_t stream, uint64_t i, uint64_t n,
                             uint64_t range) {
    uint64_t threshold = (0 - range) % range; /* 2^64 mod range */
    for (uint64_t r = 0;; r++) {
        uint64_t x = dlrt_rand_u64(seed, stream, i + r * n);
        if (x >= threshold) return x % range;
    }
}

void dlrt_shuffle(int64_t *idx, int64_t n, uint64_t seed, uint64_t epoch) {
    if (!idx || n < 2) return;
    for (int64_t i = n - 1; i > 0; i--) {
        uint64_t j = bounded_draw(seed, epoch, (uint64_t)i, (uint64_t)n, (uint64_t)i + 1);
        int64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
