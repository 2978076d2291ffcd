/* gcd_brute's candidate loop on three paths -- scalar, AVX2 (4 doubles or 8 floats per step), AVX-512
 * (8 doubles or 16 floats) --, gcd_fast's binary gcd on two (scalar, AVX-512: 64 pairs at a time; see
 * gcd_fast_avx512), and the process-wide choice between them (pc_simd_force, PCOMPUTE_SIMD; see "SIMD
 * paths" in pcompute.h).
 *
 * Every path runs the origin algorithm: candidates d from min(a, b) down to 1, the first d dividing both
 * wins. The vector paths test several consecutive candidates per step and return the highest lane that
 * divides both, so they return the same d as the scalar loop, bit for bit.
 *
 * Exactness of the vector test "d divides x" in double precision, for integers 1 <= d <= x <= 2^53:
 *   - x and d are exactly representable (every integer of magnitude <= 2^53 is), and so is every
 *     candidate d - k * lanes the loop steps through (integers between 1 and 2^53; subtraction exact).
 *   - q = trunc(fl(x / d)) is an integer. fl(x / d) is within a relative 2^-53 of x / d, so
 *     |q - x / d| < 1 + (x / d) * 2^-53, and the exact value r = x - q * d satisfies
 *     |r| < d + x * 2^-53 <= d + 1 <= 2^53 + 1; r is an integer, so |r| <= 2^53: representable.
 *   - r is computed by one fused multiply-add (fnmadd: x - q * d, rounded once), so the result is r
 *     exactly (the exact value is representable, and rounding leaves it unchanged).
 *   - If d divides x, x / d is an integer <= 2^53, the correctly rounded division is exact, q = x / d and
 *     r = 0. If r == 0 then x == q * d with q an integer: d divides x. So r == 0 <=> d | x.
 * Above 2^53 the first step fails (2^53 + 1 is not a double), so pairs with max(a, b) > 2^53 take the
 * scalar loop on every path (GCD_SIMD_EXACT_MAX).
 *
 * The same argument holds word for word in single precision (24-bit significand) for 1 <= d <= x <= 2^24:
 * pairs with max(a, b) <= 2^24 (GCD_SIMD_FLOAT_MAX; the seed pairs and the scaled seed workload) test
 * twice the candidates per step in floats (8 per AVX2 step, 16 per AVX-512 step), and the divider
 * divides floats faster: 2.4 against 6.4 ms on the seed pairs (tests/gcd_simd_bench.c).
 *
 * The x86 paths are compiled per function with target attributes, so the rest of the library stays
 * baseline x86-64, and chosen at run time (__builtin_cpu_supports, which also checks that the OS saves
 * the vector registers). No ifunc is involved, so they work in TSan builds (PC_TARGET_CLONES=OFF). Other
 * architectures build the scalar path only.
 *
 * Cancellation: a vector step spends PC_UNITS_GCD_BRUTE_STEP per candidate, as the scalar loop does. A
 * vector candidate costs less than a scalar one on every x86 core we know of (two 64-bit integer
 * divisions against two lanes of a double division), so the work between two looks at the flag only
 * shrinks: at most PC_CANCEL_BUDGET units as everywhere. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define GCD_SIMD_X86 1
#else
#define GCD_SIMD_X86 0
#endif

#include "pc_internal.h"

/* The largest a and b the vector paths take (see the exactness argument above): 2^53 in doubles, 2^24 in
   floats. */
#define GCD_SIMD_EXACT_MAX (INT64_C(1) << 53)
#define GCD_SIMD_FLOAT_MAX (INT64_C(1) << 24)

/* ---- the paths ---------------------------------------------------------------------------------- */

/* Every path works on a copy of the caller's budget and hands it back at the end: through the pointer
   the compiler loaded and stored it on every candidate (objdump); with the copy the scalar loop is the
   instruction sequence the kernel had before the vector paths existed. */
int64_t pc_gcd_brute_scalar(int64_t a, int64_t b, pc_budget* budget_io) {
    pc_budget budget = *budget_io;
    int64_t i = a < b ? a : b;
    for (; i > 1; --i) {
        if (a % i == 0 && b % i == 0) break;
        if (pc_budget_spend(&budget, PC_UNITS_GCD_BRUTE_STEP)) {
            i = 0;
            break;
        }
    }
    *budget_io = budget;
    return i; /* 1 when no candidate above 1 divides both */
}

/* The scalar loop over the last candidates top .. 2 of a vector path (fewer than one step's lanes). */
static int64_t scalar_tail(int64_t a, int64_t b, int64_t top) {
    for (; top > 1; --top) {
        if (a % top == 0 && b % top == 0) break;
    }
    return top;
}

#if GCD_SIMD_X86
/* 1 <= a, b <= GCD_SIMD_EXACT_MAX, in doubles. Steps of 8 candidates [top, top - 7] while top - 7 >= 1
   (a lane with d == 1 always hits, as the scalar loop ends at 1); the last < 8 candidates by the scalar
   loop.
   b's remainders are computed only when a lane divides a: divisors of a are rare among consecutive
   candidates, so this halves the divisions. The loop is bound by the divider's throughput: computing both
   every step was 2.1x slower on the seed pairs (in doubles), and on the reference machine (AMD EPYC
   Zen 5, 2.6 GHz) AVX-512 is no faster than AVX2 in doubles (0.32 against 0.31 ns per candidate; scalar
   1.9 ns): tests/gcd_simd_bench.c measures it. */
__attribute__((target("avx512f"))) static int64_t gcd_brute_avx512(int64_t a, int64_t b, pc_budget* budget_io) {
    pc_budget budget = *budget_io;
    int64_t top = a < b ? a : b, g = -1;
    const __m512d va = _mm512_set1_pd((double)a);
    const __m512d vb = _mm512_set1_pd((double)b);
    const __m512d zero = _mm512_setzero_pd();
    const __m512d step = _mm512_set1_pd(8.0);
    __m512d d = _mm512_sub_pd(_mm512_set1_pd((double)top), _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7));
    for (; top >= 8; top -= 8) {
        __m512d qa = _mm512_roundscale_pd(_mm512_div_pd(va, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        __mmask8 hit = _mm512_cmp_pd_mask(_mm512_fnmadd_pd(qa, d, va), zero, _CMP_EQ_OQ);
        if (hit != 0) {
            __m512d qb = _mm512_roundscale_pd(_mm512_div_pd(vb, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            hit &= _mm512_cmp_pd_mask(_mm512_fnmadd_pd(qb, d, vb), zero, _CMP_EQ_OQ);
            if (hit != 0) {
                g = top - __builtin_ctz(hit);
                break;
            }
        }
        if (pc_budget_spend(&budget, 8 * PC_UNITS_GCD_BRUTE_STEP)) {
            g = 0;
            break;
        }
        d = _mm512_sub_pd(d, step);
    }
    *budget_io = budget;
    return g >= 0 ? g : scalar_tail(a, b, top);
}

/* As gcd_brute_avx512, in floats, 16 candidates per step: 1 <= a, b <= GCD_SIMD_FLOAT_MAX. */
__attribute__((target("avx512f"))) static int64_t gcd_brute_avx512_float(int64_t a, int64_t b, pc_budget* budget_io) {
    pc_budget budget = *budget_io;
    int64_t top = a < b ? a : b, g = -1;
    const __m512 va = _mm512_set1_ps((float)a);
    const __m512 vb = _mm512_set1_ps((float)b);
    const __m512 zero = _mm512_setzero_ps();
    const __m512 step = _mm512_set1_ps(16.0f);
    __m512 d = _mm512_sub_ps(_mm512_set1_ps((float)top),
                             _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    for (; top >= 16; top -= 16) {
        __m512 qa = _mm512_roundscale_ps(_mm512_div_ps(va, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        __mmask16 hit = _mm512_cmp_ps_mask(_mm512_fnmadd_ps(qa, d, va), zero, _CMP_EQ_OQ);
        if (hit != 0) {
            __m512 qb = _mm512_roundscale_ps(_mm512_div_ps(vb, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            hit &= _mm512_cmp_ps_mask(_mm512_fnmadd_ps(qb, d, vb), zero, _CMP_EQ_OQ);
            if (hit != 0) {
                g = top - __builtin_ctz(hit);
                break;
            }
        }
        if (pc_budget_spend(&budget, 16 * PC_UNITS_GCD_BRUTE_STEP)) {
            g = 0;
            break;
        }
        d = _mm512_sub_ps(d, step);
    }
    *budget_io = budget;
    return g >= 0 ? g : scalar_tail(a, b, top);
}

/* As gcd_brute_avx512, in floats, 8 candidates per step: 1 <= a, b <= GCD_SIMD_FLOAT_MAX. */
__attribute__((target("avx2,fma"))) static int64_t gcd_brute_avx2_float(int64_t a, int64_t b, pc_budget* budget_io) {
    pc_budget budget = *budget_io;
    int64_t top = a < b ? a : b, g = -1;
    const __m256 va = _mm256_set1_ps((float)a);
    const __m256 vb = _mm256_set1_ps((float)b);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 step = _mm256_set1_ps(8.0f);
    __m256 d = _mm256_sub_ps(_mm256_set1_ps((float)top), _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7));
    for (; top >= 8; top -= 8) {
        __m256 qa = _mm256_round_ps(_mm256_div_ps(va, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_fnmadd_ps(qa, d, va), zero, _CMP_EQ_OQ));
        if (hit != 0) {
            __m256 qb = _mm256_round_ps(_mm256_div_ps(vb, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            hit &= _mm256_movemask_ps(_mm256_cmp_ps(_mm256_fnmadd_ps(qb, d, vb), zero, _CMP_EQ_OQ));
            if (hit != 0) {
                g = top - __builtin_ctz((unsigned)hit);
                break;
            }
        }
        if (pc_budget_spend(&budget, 8 * PC_UNITS_GCD_BRUTE_STEP)) {
            g = 0;
            break;
        }
        d = _mm256_sub_ps(d, step);
    }
    *budget_io = budget;
    return g >= 0 ? g : scalar_tail(a, b, top);
}

/* As gcd_brute_avx512, 4 candidates per step. */
__attribute__((target("avx2,fma"))) static int64_t gcd_brute_avx2(int64_t a, int64_t b, pc_budget* budget_io) {
    pc_budget budget = *budget_io;
    int64_t top = a < b ? a : b, g = -1;
    const __m256d va = _mm256_set1_pd((double)a);
    const __m256d vb = _mm256_set1_pd((double)b);
    const __m256d zero = _mm256_setzero_pd();
    const __m256d step = _mm256_set1_pd(4.0);
    __m256d d = _mm256_sub_pd(_mm256_set1_pd((double)top), _mm256_setr_pd(0, 1, 2, 3));
    for (; top >= 4; top -= 4) {
        __m256d qa = _mm256_round_pd(_mm256_div_pd(va, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        int hit = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_fnmadd_pd(qa, d, va), zero, _CMP_EQ_OQ));
        if (hit != 0) {
            __m256d qb = _mm256_round_pd(_mm256_div_pd(vb, d), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            hit &= _mm256_movemask_pd(_mm256_cmp_pd(_mm256_fnmadd_pd(qb, d, vb), zero, _CMP_EQ_OQ));
            if (hit != 0) {
                g = top - __builtin_ctz((unsigned)hit);
                break;
            }
        }
        if (pc_budget_spend(&budget, 4 * PC_UNITS_GCD_BRUTE_STEP)) {
            g = 0;
            break;
        }
        d = _mm256_sub_pd(d, step);
    }
    *budget_io = budget;
    return g >= 0 ? g : scalar_tail(a, b, top);
}
#endif

int64_t pc_gcd_brute_pair(int64_t a, int64_t b, int32_t level, pc_budget* budget) {
#if GCD_SIMD_X86
    if (a <= GCD_SIMD_FLOAT_MAX && b <= GCD_SIMD_FLOAT_MAX) {
        if (level == PC_SIMD_AVX512) return gcd_brute_avx512_float(a, b, budget);
        if (level == PC_SIMD_AVX2) return gcd_brute_avx2_float(a, b, budget);
    } else if (a <= GCD_SIMD_EXACT_MAX && b <= GCD_SIMD_EXACT_MAX) {
        if (level == PC_SIMD_AVX512) return gcd_brute_avx512(a, b, budget);
        if (level == PC_SIMD_AVX2) return gcd_brute_avx2(a, b, budget);
    }
#else
    (void)level;
#endif
    return pc_gcd_brute_scalar(a, b, budget);
}

/* ---- gcd_fast: Stein's binary gcd, 64 pairs at a time ------------------------------------------- */

/* The scalar gcd_fast of one pair (a, b >= 0): Stein's binary gcd, O(log max) steps, no division. The
   min/max step is written for conditional moves: the branchy swap mispredicts half the time on random
   inputs and was 2.6x slower (the kernel benchmark caught it). */
int64_t pc_gcd_fast_scalar(int64_t a64, int64_t b64) {
    uint64_t u = (uint64_t)a64;
    uint64_t v = (uint64_t)b64;
    if (u == 0) return (int64_t)v;
    if (v == 0) return (int64_t)u;
    int shift = __builtin_ctzll(u | v);
    u >>= __builtin_ctzll(u);
    do {
        v >>= __builtin_ctzll(v);
        uint64_t lo = u < v ? u : v;
        uint64_t hi = u < v ? v : u;
        u = lo;
        v = hi - lo;
    } while (v != 0);
    return (int64_t)(u << shift);
}

#if GCD_SIMD_X86
/* Vectors of 8 lanes per call of gcd_fast_avx512. */
#define GCD_FAST_VECTORS (PC_GCD_FAST_LANES / 8)

/* Trailing zeros of each lane: 63 - lzcnt(x & -x); -1 for x == 0, a count that shifts a lane to 0. */
__attribute__((target("avx512f,avx512cd"))) static inline __m512i trailing_zeros(__m512i x) {
    __m512i lowest = _mm512_and_si512(x, _mm512_sub_epi64(_mm512_setzero_si512(), x));
    return _mm512_sub_epi64(_mm512_set1_epi64(63), _mm512_lzcnt_epi64(lowest));
}

/* gcd_fast of PC_GCD_FAST_LANES pairs (a, b >= 0) in 8 vectors of 8 lanes, interleaved to hide the
   latency of each step's chain (tests/gcd_simd_bench.c, 65,536 random pairs below 2^63 on the reference
   machine: 7.1x the scalar loop with 8 vectors, 5.8x with 4, 5.5x with 2; more vectors than registers
   spill, but every lane runs until the slowest of its call's 64 has finished).
   Each lane runs the binary gcd in the form with the shortest chain per step (x = |y - x| >> tz(y - x),
   y = min(x, y); as in Algorithmica's "Binary GCD", en.algorithmica.org/hpc/algorithms/gcd): for x, y odd,
   gcd(x, y) = gcd(|y - x|, min(x, y)) and |y - x| is even, so every step keeps the gcd and shrinks
   max(x, y) until x == 0, leaving y = the odd part of the gcd; shifted back by tz(a | b), the largest power
   of 2 dividing both. The gcd of two integers is unique, so this is the scalar loop's value bit for bit
   (the tests compare them, and with Euclid). Inputs are below 2^63, so y - x and |y - x| fit in int64. A
   lane with a zero input has gcd a | b (gcd(0, b) = b, gcd(a, 0) = a, gcd(0, 0) = 0) and takes no step.
   A lane that has finished (x == 0) is masked out of the updates while others go on: at most ~2 x 63
   steps. */
__attribute__((target("avx512f,avx512cd"))) static void gcd_fast_avx512(const int64_t* a, const int64_t* b,
                                                                       int64_t* out) {
    __m512i x[GCD_FAST_VECTORS], y[GCD_FAST_VECTORS], xz[GCD_FAST_VECTORS], shift[GCD_FAST_VECTORS];
    __m512i either[GCD_FAST_VECTORS];
    __mmask8 zero[GCD_FAST_VECTORS];
    for (int h = 0; h < GCD_FAST_VECTORS; h++) {
        __m512i va = _mm512_loadu_si512(a + 8 * h);
        __m512i vb = _mm512_loadu_si512(b + 8 * h);
        either[h] = _mm512_or_si512(va, vb);
        zero[h] = _mm512_testn_epi64_mask(va, va) | _mm512_testn_epi64_mask(vb, vb);
        shift[h] = trailing_zeros(either[h]);
        x[h] = _mm512_maskz_mov_epi64((__mmask8)~zero[h], va); /* 0: the lane takes no step */
        xz[h] = trailing_zeros(x[h]);
        y[h] = _mm512_srlv_epi64(vb, trailing_zeros(vb));
    }
    for (;;) {
        __mmask8 active[GCD_FAST_VECTORS];
        __mmask8 any = 0;
        for (int h = 0; h < GCD_FAST_VECTORS; h++) {
            active[h] = _mm512_test_epi64_mask(x[h], x[h]);
            any |= active[h];
        }
        if (any == 0) break;
        for (int h = 0; h < GCD_FAST_VECTORS; h++) {
            __m512i odd = _mm512_srlv_epi64(x[h], xz[h]);
            __m512i diff = _mm512_sub_epi64(y[h], odd);
            xz[h] = trailing_zeros(diff);
            y[h] = _mm512_mask_min_epu64(y[h], active[h], odd, y[h]);
            x[h] = _mm512_mask_abs_epi64(x[h], active[h], diff);
        }
    }
    for (int h = 0; h < GCD_FAST_VECTORS; h++) {
        __m512i g = _mm512_sllv_epi64(y[h], shift[h]);
        _mm512_storeu_si512(out + 8 * h, _mm512_mask_mov_epi64(g, zero[h], either[h]));
    }
}
#endif

int pc_gcd_fast_vectorized(int32_t level) {
#if GCD_SIMD_X86
    return level == PC_SIMD_AVX512;
#else
    (void)level;
    return 0;
#endif
}

void pc_gcd_fast_lanes(const int64_t* a, const int64_t* b, int64_t* out) {
#if GCD_SIMD_X86
    gcd_fast_avx512(a, b, out);
#else
    for (int k = 0; k < PC_GCD_FAST_LANES; k++) out[k] = pc_gcd_fast_scalar(a[k], b[k]);
#endif
}

/* ---- the process-wide choice -------------------------------------------------------------------- */

/* The path in effect (PC_SIMD_SCALAR .. PC_SIMD_AVX512), or -1 before the first use has read
   PCOMPUTE_SIMD. Relaxed: the paths compute the same bits, so a kernel seeing an older choice is only
   slower or faster, never wrong. */
static atomic_int simd_level = -1;

int32_t pc_simd_supported(int32_t level) {
    switch (level) {
        case PC_SIMD_AUTO:
        case PC_SIMD_SCALAR: return 1;
#if GCD_SIMD_X86
        case PC_SIMD_AVX2:
            __builtin_cpu_init();
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case PC_SIMD_AVX512:
            __builtin_cpu_init();
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd");
#endif
        default: return 0;
    }
}

/* The widest path this CPU runs. */
static int32_t best_level(void) {
    if (pc_simd_supported(PC_SIMD_AVX512)) return PC_SIMD_AVX512;
    if (pc_simd_supported(PC_SIMD_AVX2)) return PC_SIMD_AVX2;
    return PC_SIMD_SCALAR;
}

/* The level PCOMPUTE_SIMD asks for, or the widest one when it is unset, unknown or unsupported. */
static int32_t level_from_environment(void) {
    const char* value = getenv("PCOMPUTE_SIMD");
    int32_t wanted = PC_SIMD_AUTO;
    if (value != NULL) {
        if (strcmp(value, "scalar") == 0) wanted = PC_SIMD_SCALAR;
        else if (strcmp(value, "avx2") == 0) wanted = PC_SIMD_AVX2;
        else if (strcmp(value, "avx512") == 0) wanted = PC_SIMD_AVX512;
    }
    return wanted != PC_SIMD_AUTO && pc_simd_supported(wanted) ? wanted : best_level();
}

int32_t pc_simd_level(void) {
    int level = atomic_load_explicit(&simd_level, memory_order_relaxed);
    if (level < 0) {
        int expected = -1;
        level = level_from_environment();
        /* a concurrent first use or pc_simd_force may have won: theirs stands */
        if (!atomic_compare_exchange_strong_explicit(&simd_level, &expected, level, memory_order_relaxed,
                                                     memory_order_relaxed)) {
            level = expected;
        }
    }
    return level;
}

pc_status pc_simd_force(int32_t level) {
    if (!pc_simd_supported(level)) return PC_ERR_INVALID_ARGUMENT;
    atomic_store_explicit(&simd_level, level == PC_SIMD_AUTO ? best_level() : level, memory_order_relaxed);
    return PC_OK;
}
