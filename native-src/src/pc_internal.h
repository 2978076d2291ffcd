/* Internal contract between the pool and the kernels; not part of the public API. */
#ifndef PC_INTERNAL_H
#define PC_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "pcompute.h"

/* Internal functions and data shared between source files stay out of the library's exported symbols. */
#define PC_INTERNAL __attribute__((visibility("hidden")))

/* Function multiversioning (an AVX2 clone picked at load time by an ifunc resolver) for compute-bound
   loops. The resolver runs before ThreadSanitizer is initialised and crashes a TSan build at load, so
   sanitizer builds define PC_NO_TARGET_CLONES (CMake: -DPC_TARGET_CLONES=OFF): only the portable
   "default" version is compiled, and the C tests exercise it. Both versions compute the same bits. */
#ifdef PC_NO_TARGET_CLONES
#define PC_TARGET_CLONES(...)
#else
#define PC_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#endif

/* ---- bounded cancellation ------------------------------------------------------------------------
 * A kernel's run() carries one work budget across every item of its task. Loops spend "work units" on
 * it as they go, each unit about 1 ns of work on the reference machine (AMD EPYC, gcc 12 -O3); when the
 * budget runs out the kernel looks at the cancel flag (a relaxed load) and refills the budget. So the
 * work between two looks is bounded by PC_CANCEL_BUDGET units plus the largest single spend, however
 * the work is split into items: many tiny items and one huge item alike. The spend itself is a
 * subtract-and-branch the loop's real work hides. With cancel == NULL (pc_run) the budget is never
 * checked.
 *
 * Units per counted step: the cost measured on the reference machine (ns in brackets), rounded up; steps
 * bound by a 64-bit division are weighted for older x86 cores, whose dividers are 3-10x slower, and the
 * histogram's items by how far its bins spill out of cache (scattered increments of 2^24 bins measured
 * ~65 ns each, 17 ms between looks when counted as 1 unit):
 *   gcd_brute     one candidate divisor (two 64-bit remainders)       PC_UNITS_GCD_BRUTE_STEP  [1.9-3.1]
 *   gcd_fast      one pair (at most ~128 binary steps)                PC_UNITS_GCD_FAST_ITEM   [58-86]
 *   primes_trial  one odd divisor tried (a 64-bit division)           PC_UNITS_TRIAL_STEP      [2.4-2.7]
 *   primes_sieve  one number of a segment counted (clearing: 1/8)     PC_UNITS_SIEVE_NUMBER    [~1]
 *                 one base prime visited per segment (a division)     PC_UNITS_SIEVE_PRIME     [~3]
 *                 one multiple of a base prime marked                 1                        [~1]
 *   mandelbrot    one iteration z = z^2 + c                           PC_UNITS_MANDELBROT_STEP [2.7]
 *   collatz       one step                                            PC_UNITS_COLLATZ_STEP    [1.2]
 *   matmul        one multiply-add                                    1                        [0.2-0.3]
 *   reductions    one item (memory-bound)                             1                        [0.1-0.6]
 *   histogram     one item, bins in L1 / L2 / beyond                  pc_histogram_item_units  [1 / - / 65]
 * Every item also costs PC_UNITS_ITEM, so an empty item (gcd of 1, mandelbrot escaping at once) counts.
 * Memory-bound loops spend per stretch of PC_CANCEL_STRIDE items, so their vectorized loops are
 * untouched. PC_CANCEL_BUDGET = 2^18 units is ~0.26 ms on the reference machine: cancel-to-idle stays
 * far below the 1 ms goal (tests/cancel_latency.c measures it per kernel on a pool). */
#define PC_CANCEL_BUDGET PC_KERNEL_CANCEL_BUDGET
#define PC_CANCEL_STRIDE 16384u
#define PC_UNITS_ITEM 2
#define PC_UNITS_GCD_BRUTE_STEP 12
#define PC_UNITS_GCD_FAST_ITEM 100
#define PC_UNITS_TRIAL_STEP 12
#define PC_UNITS_SIEVE_NUMBER 2
#define PC_UNITS_SIEVE_PRIME 12
#define PC_UNITS_MANDELBROT_STEP 3
#define PC_UNITS_COLLATZ_STEP 2

/* Units per histogram item: an increment of one of `bins` counters, cheap while they stay in L1
   (4,096 counters = 32 KiB), a cache miss when they spill out of L2 (65,536 = 512 KiB). */
static inline int64_t pc_histogram_item_units(uint64_t bins) {
    return bins <= 4096 ? 1 : bins <= 65536 ? 8 : 64;
}

/* The public helper of pcompute_kernel.h: the built-in kernels budget exactly as kernel authors do. */
typedef pc_kernel_budget pc_budget;
#define pc_budget_start pc_kernel_budget_start
#define pc_budget_spend pc_kernel_budget_spend

/* The public length checks of pcompute_kernel.h, under the internal names. */
#define pc_need_in pc_kernel_need_in
#define pc_need_out pc_kernel_need_out

/* Whether an array of `count` elements of `size` bytes fits in PC_MAX_BUFFER_BYTES (no overflow). */
static inline int pc_buffer_fits(uint64_t count, uint64_t size) {
    uint64_t bytes;
    return !__builtin_mul_overflow(count, size, &bytes) && bytes <= (uint64_t)PC_MAX_BUFFER_BYTES;
}

/* ceil(n / block) for block >= 1, without overflow. */
static inline uint64_t pc_blocks(uint64_t n, uint64_t block) {
    return n / block + (n % block != 0);
}

/* Kernel families, each in its own source file. */
PC_INTERNAL extern const pc_kernel_def pc_def_gcd_brute, pc_def_gcd_fast;
PC_INTERNAL extern const pc_kernel_def pc_def_primes_trial, pc_def_primes_sieve, pc_def_mandelbrot,
    pc_def_collatz_steps;
PC_INTERNAL extern const pc_kernel_def pc_def_reduce_sum, pc_def_reduce_sum_neumaier, pc_def_reduce_dot,
    pc_def_reduce_minmax, pc_def_histogram;
PC_INTERNAL extern const pc_kernel_def pc_def_matmul;

/* gcd_brute of one pair (a, b >= 1) on SIMD path `level` (pc_simd_level()), pc_gcd_simd.c: the first d
   from min(a, b) down that divides both, or 0 when the budget ran out with the cancel flag set. Pairs
   above 2^53 take the scalar loop on every path. pc_gcd_brute_scalar is the scalar path itself. */
PC_INTERNAL int64_t pc_gcd_brute_pair(int64_t a, int64_t b, int32_t level, pc_budget* budget);
PC_INTERNAL int64_t pc_gcd_brute_scalar(int64_t a, int64_t b, pc_budget* budget);

/* gcd_fast (pc_gcd_simd.c): pc_gcd_fast_scalar is one pair (a, b >= 0) on the scalar path. When
   pc_gcd_fast_vectorized(level) (pc_simd_level(): the AVX-512 path; AVX2 has no 64-bit lane minimum,
   absolute value or bit count, so it runs the scalar loop), pc_gcd_fast_lanes computes PC_GCD_FAST_LANES
   pairs at once, the same bits. */
#define PC_GCD_FAST_LANES 64
PC_INTERNAL int64_t pc_gcd_fast_scalar(int64_t a, int64_t b);
PC_INTERNAL int pc_gcd_fast_vectorized(int32_t level);
PC_INTERNAL void pc_gcd_fast_lanes(const int64_t* a, const int64_t* b, int64_t* out);

/* The kernel registered under `id`, or NULL. */
PC_INTERNAL const pc_kernel_def* pc_kernel_lookup(int32_t id);

/* Shared entry-point validation: descriptor usable (non-NULL, ABI version, run, masks, block_param), args
   non-NULL, required buffers non-NULL, block size >= 1, items valid (validate() mapped to the ABI). */
PC_INTERNAL pc_status pc_validate_call(const pc_kernel_def* def, const pc_args* args, uint64_t n,
                                       uint64_t* bad_index);

/* A run() status as the library reports it: the ones the ABI allows run() to return pass, PC_ERR_CANCELLED
   only when the flag is set, anything else becomes PC_ERR_KERNEL_STATUS. */
PC_INTERNAL pc_status pc_run_status(pc_status st, const pc_cancel_flag* cancel);

/* A copy of *args (non-NULL) with its buffer pointers replaced by the given ones: the *_buffers entry
   points, whose callers pass the buffers as call arguments. */
PC_INTERNAL pc_args pc_args_with_buffers(const pc_args* args, const void* in0, const void* in1, const void* in2,
                                         const void* in3, void* out0, void* out1);

/* The block size a kernel's partials use (1 for kernels without partials). Args must be valid. */
PC_INTERNAL uint64_t pc_granularity(const pc_kernel_def* def, const pc_args* args);

/* Whether pc_test_plant_bug enabled the deliberate bug of `kernel` (relaxed read). Only the test build
   (PC_TEST_HOOKS) has the hook; in the release build no bug can be planted and the branches fold away. */
#ifdef PC_TEST_HOOKS
PC_INTERNAL int pc_bug_planted(int32_t kernel);
#else
static inline int pc_bug_planted(int32_t kernel) {
    (void)kernel;
    return 0;
}
#endif

/* The CPU limit of the process's cgroup (v1 or v2 quota, rounded up, at least 1) read from the files
   under `root` ("" for the real file system; see pc_cpu.c), or 0 when there is none or it cannot be read. */
PC_INTERNAL int32_t pc_cgroup_cpu_limit(const char* root);

/* min(affinity, pc_cgroup_cpu_limit(root)), at least 1: pc_cpu_count() with the files under `root`. */
PC_INTERNAL int32_t pc_cpu_count_at(const char* root, int32_t affinity);

#endif
