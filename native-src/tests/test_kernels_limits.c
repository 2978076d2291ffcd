/* Kernel limits and bounded cancellation (issue 8, items 3-6 and the cancellation bound).
 *
 * Built from the library's sources rather than linked to libpcompute.so, so that it can call a kernel's
 * run() directly with a cancel flag that is already set: a kernel that honours its work budget returns
 * PC_ERR_CANCELLED after at most PC_CANCEL_BUDGET work units, which the tests check by counting the
 * outputs written -- a bound in units of work, not of time, so loaded machines cannot make it flaky.
 * malloc and calloc are wrapped (-Wl,--wrap) to record the largest single allocation.
 * Prints "N passed, N failed" and exits non-zero on any failure; an argument runs only the tests whose
 * name contains it. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pc_internal.h"
#include "pcompute.h"

#include "pc_test.h"

static const char* only; /* argv[1]: run only the tests whose name contains it */

static void run_test(const char* name, void (*fn)(void)) {
    if (only != NULL && strstr(name, only) == NULL) return;
    int before = checks_failed;
    fn();
    record_test(name, before);
}

/* ---- allocation tracking ------------------------------------------------------------------------ */

void* __real_malloc(size_t size);
void* __real_calloc(size_t count, size_t size);
void* __wrap_malloc(size_t size);
void* __wrap_calloc(size_t count, size_t size);

static _Atomic size_t largest_allocation;

static void note_allocation(size_t bytes) {
    size_t seen = atomic_load(&largest_allocation);
    while (bytes > seen && !atomic_compare_exchange_weak(&largest_allocation, &seen, bytes)) {
    }
}

void* __wrap_malloc(size_t size) {
    note_allocation(size);
    return __real_malloc(size);
}

void* __wrap_calloc(size_t count, size_t size) {
    note_allocation(count * size);
    return __real_calloc(count, size);
}

/* ---- helpers ------------------------------------------------------------------------------------ */

static uint64_t rng_state = 0x2545F4914F6CDD1Du;
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* Doubles of wildly different magnitudes and both signs, so any change in the order of additions shows. */
static double random_double(void) {
    double unit = (double)(next_random() >> 11) / 9007199254740992.0 - 0.5;
    return unit * pow(10.0, (double)(next_random() % 24) - 8.0);
}

static pc_args empty_args(void) {
    pc_args args;
    memset(&args, 0, sizeof args);
    return args;
}

static const atomic_int CANCEL_SET = 1;
static const atomic_int CANCEL_CLEAR = 0;

static pc_status run_direct(int32_t kernel, const pc_args* args, uint64_t n, const atomic_int* cancel) {
    const pc_kernel_def* def = pc_kernel_def_of(kernel);
    uint64_t bad = 0;
    pc_status st = pc_validate_call(def, args, n, &bad);
    if (st != PC_OK) return st;
    return def->run(args, 0, n, cancel);
}

static uint64_t count_not_equal(const int64_t* out, uint64_t n, int64_t sentinel) {
    uint64_t written = 0;
    for (uint64_t k = 0; k < n; k++) written += out[k] != sentinel;
    return written;
}

static void fill(int64_t* out, uint64_t n, int64_t value) {
    for (uint64_t k = 0; k < n; k++) out[k] = value;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The most items a run may complete with the flag set from the start: the first look comes once
   PC_CANCEL_BUDGET units are spent, and every item costs at least `units_per_item`. */
static uint64_t items_within_budget(int64_t units_per_item) {
    return (uint64_t)(PC_CANCEL_BUDGET / units_per_item) + 1;
}

/* ---- item 3: histogram scale ------------------------------------------------------------------- */

/* The Java reference's bin, with Java's saturating (long) conversion emulated. */
static int64_t java_bin(double v, double lo, double scale, int64_t bins) {
    double t = (v - lo) * scale;
    int64_t bin = t >= 9223372036854775807.0 ? INT64_MAX : (int64_t)t; /* t >= 0 here */
    return bin < bins - 1 ? bin : bins - 1;
}

static void histogram_reference(const double* x, uint64_t n, int64_t bins, int64_t block, double lo, double hi,
                                double scale, int64_t* partials) {
    uint64_t nblocks = pc_blocks(n, (uint64_t)block);
    memset(partials, 0, nblocks * (uint64_t)bins * sizeof *partials);
    for (uint64_t i = 0; i < n; i++) {
        if (x[i] >= lo && x[i] < hi) partials[(i / (uint64_t)block) * (uint64_t)bins + (uint64_t)java_bin(x[i], lo, scale, bins)]++;
    }
}

/* x: x_count doubles; counts: counts_count int64s. */
static pc_args histogram_args(const double* x, uint64_t x_count, int64_t* counts, uint64_t counts_count, int64_t bins,
                              int64_t block, double lo, double hi, double scale) {
    pc_args args = empty_args();
    SET_IN_BYTES(args, 0, x, x_count * sizeof *x);
    SET_OUT_BYTES(args, 0, counts, counts_count * sizeof *counts);
    args.iparam[0] = bins;
    args.iparam[1] = block;
    args.dparam[0] = lo;
    args.dparam[1] = hi;
    args.dparam[2] = scale;
    return args;
}

static void test_histogram_rejects_a_scale_inconsistent_with_its_bins(void) {
    double x[4] = {0.0, 0.25, 0.5, 0.999};
    int64_t counts[10];
    pc_args args = histogram_args(x, 4, counts, 10, 10, 4, 0.0, 1.0, 1e300); /* the hostile scale */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    args.dparam[2] = 20.0; /* twice bins / (hi - lo): half the values would land in the last bin */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    args.dparam[2] = 5.0; /* half: the upper bins would stay empty */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    args.dparam[2] = 10.0 * (1 + 1e-9);
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    args.dparam[2] = 10.0;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    CHECK(counts[0] == 1 && counts[2] == 1 && counts[5] == 1 && counts[9] == 1);
    /* the neighbouring doubles of the exact quotient pass: they are what another rounding gives */
    args.dparam[2] = nextafter(10.0, 0.0);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    args.dparam[2] = nextafter(10.0, 20.0);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
}

static void test_histogram_accepts_every_scale_java_computes_and_matches_its_reference(void) {
    /* Java's Histogram passes scale = bins / (hi - lo), computed in double: its edge cases and random ranges */
    const double cases[][3] = {{0, 1, 10}, {0, 1, 1}, {0, 1, 7}, {0.1, 0.3 + 0.6, 3}, {-1e300, 1e300, 1 << 20},
                               {-2.5, 2.5, 33}, {-8e307, 8e307, 1} /* a subnormal scale */,
                               {1e-300, 3e-300, 1 << 20}, {0, 1e-300, 1000}, {-100, -99.999, 299}};
    enum { N = 3 * 16384 + 13 };
    double* x = malloc(N * sizeof *x);
    int64_t* counts = malloc((1 << 21) * sizeof *counts);
    int64_t* expected = malloc((1 << 21) * sizeof *expected);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0] + 200; c++) {
        double lo, hi;
        int64_t bins;
        if (c < sizeof cases / sizeof cases[0]) {
            lo = cases[c][0], hi = cases[c][1], bins = (int64_t)cases[c][2];
        } else { /* Histogram.random: lo in [-100, 100), hi = lo + [1e-3, 200), bins in [1, 300) */
            lo = (double)(next_random() >> 11) / 9007199254740992.0 * 200 - 100;
            hi = lo + 1e-3 + (double)(next_random() >> 11) / 9007199254740992.0 * 200;
            bins = 1 + (int64_t)(next_random() % 299);
        }
        double scale = (double)bins / (hi - lo);
        uint64_t n = bins > 1000 ? 1000 : N;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t r = next_random() % 16;
            double u = (double)(next_random() >> 11) / 9007199254740992.0;
            x[i] = r == 0 ? lo : r == 1 ? nextafter(hi, lo) : r == 2 ? hi : r == 3 ? NAN : lo + u * (hi - lo);
        }
        int64_t block = c % 2 == 0 ? 16384 : (int64_t)n;
        pc_args args = histogram_args(x, N, counts, 1 << 21, bins, block, lo, hi, scale);
        pc_status st = pc_run(PC_KERNEL_HISTOGRAM, &args, n, NULL);
        if (st != PC_OK) {
            fprintf(stderr, "case %zu: [%g, %g) bins %" PRId64 " scale %.17g rejected (%d)\n", c, lo, hi, bins, scale,
                    (int)st);
        }
        CHECK_STATUS(PC_OK, st);
        histogram_reference(x, n, bins, block, lo, hi, scale, expected);
        size_t count = pc_blocks(n, (uint64_t)block) * (size_t)bins;
        CHECK(memcmp(counts, expected, count * sizeof *counts) == 0);
    }
    free(x), free(counts), free(expected);
}

static void test_histogram_bin_conversion_is_defined_for_any_scale(void) {
    /* Straight into run(), past validation: even a hostile scale cannot reach an out-of-range
       double -> integer conversion (UBSan's float-cast-overflow watches this build), and every
       counted value lands in a valid bin, where Java's saturating conversion would put it. */
    double x[6] = {0.0, 1e-300, 0.25, 0.5, 0.75, 0.999};
    int64_t counts[10];
    int64_t expected[10];
    const double scales[] = {1e300, 1e20, 4e18, 1e10, 10.0};
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++) {
        pc_args args = histogram_args(x, 6, counts, 10, 10, 6, 0.0, 1.0, scales[s]);
        CHECK_STATUS(PC_OK, pc_def_histogram.run(&args, 0, 6, NULL));
        histogram_reference(x, 6, 10, 6, 0.0, 1.0, scales[s], expected);
        CHECK(memcmp(counts, expected, sizeof counts) == 0);
    }
}

/* ---- item 4: matmul sizes ---------------------------------------------------------------------- */

static void test_matmul_rejects_sizes_whose_buffers_overflow(void) {
    double a[4] = {0}, b[4] = {0}, c[4] = {0};
    pc_args args = empty_args();
    SET_IN(args, 0, a);
    SET_IN(args, 1, b);
    SET_OUT(args, 0, c);
    args.iparam[0] = INT64_MAX; /* the case: n = 0, k = cols = INT64_MAX returned PC_OK */
    args.iparam[1] = INT64_MAX;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MATMUL, &args, 0, NULL));
    args.iparam[0] = 1; /* B = k x cols: 8 * 2^61 bytes overflows */
    args.iparam[1] = INT64_C(1) << 61;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MATMUL, &args, 0, NULL));
    args.iparam[0] = INT64_C(1) << 32; /* k * cols overflows 64 bits */
    args.iparam[1] = INT64_C(1) << 32;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MATMUL, &args, 1, NULL));
    args.iparam[0] = INT64_C(1) << 30; /* A = n x k overflows: n * k = 2^64 */
    args.iparam[1] = 1;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MATMUL, &args, UINT64_C(1) << 34, NULL));
    args.iparam[0] = 1; /* C = n x cols: 8 * 2^60 bytes overflows */
    args.iparam[1] = INT64_C(1) << 30;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MATMUL, &args, UINT64_C(1) << 30, NULL));
    /* at the limit, n == 0: B of 2^60 - 1 doubles fits (never read: no rows) */
    args.iparam[0] = 1;
    args.iparam[1] = (INT64_C(1) << 60) - 1;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_MATMUL, &args, 0, NULL));
    args.iparam[1] = INT64_C(1) << 60;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MATMUL, &args, 0, NULL));
    args.iparam[0] = 2;
    args.iparam[1] = 2;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_MATMUL, &args, 2, NULL));
}

static void test_matmul_wide_and_deep_matches_the_documented_order(void) {
    /* wider than one column slice and deeper than one slice of B: blocking must not reorder any sum */
    enum { N = 5, K = 300, COLS = 2 * 1024 + 37 };
    double* a = malloc(N * K * sizeof *a);
    double* b = malloc(K * COLS * sizeof *b);
    double* c = malloc(N * COLS * sizeof *c);
    double* expected = malloc(N * COLS * sizeof *expected);
    for (int i = 0; i < N * K; i++) a[i] = random_double();
    for (int i = 0; i < K * COLS; i++) b[i] = random_double();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < COLS; j++) {
            double sum = 0.0;
            for (int p = 0; p < K; p++) sum += a[i * K + p] * b[p * COLS + j];
            expected[i * COLS + j] = sum;
        }
    }
    pc_args args = empty_args();
    SET_IN_BYTES(args, 0, a, (uint64_t)(N * K) * sizeof *a);
    SET_IN_BYTES(args, 1, b, (uint64_t)(K * COLS) * sizeof *b);
    SET_OUT_BYTES(args, 0, c, (uint64_t)(N * COLS) * sizeof *c);
    args.iparam[0] = K;
    args.iparam[1] = COLS;
    for (int i = 0; i < N * COLS; i++) c[i] = NAN; /* C's old contents must not matter */
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_MATMUL, &args, N, NULL));
    CHECK(memcmp(c, expected, N * COLS * sizeof *c) == 0);
    for (int i = 0; i < N * COLS; i++) c[i] = NAN;
    CHECK_STATUS(PC_OK, pc_def_matmul.run(&args, 0, N, &CANCEL_CLEAR));
    CHECK(memcmp(c, expected, N * COLS * sizeof *c) == 0);
    free(a), free(b), free(c), free(expected);
}

/* ---- item 5: sieve memory ---------------------------------------------------------------------- */

static void test_sieve_allocates_for_the_task_not_the_block(void) {
    int64_t counts[1] = {-1};
    pc_args args = empty_args();
    SET_OUT(args, 0, counts);
    args.iparam[0] = 90; /* [90, 100): 97 */
    args.iparam[1] = INT64_C(1) << 32; /* the case: 4 GiB for 10 numbers */
    atomic_store(&largest_allocation, 0);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, 10, NULL));
    CHECK(counts[0] == 1);
    CHECK(atomic_load(&largest_allocation) < 4096);
    /* a huge block over a long range: one bounded segment, whatever the block */
    args.iparam[0] = 0;
    args.iparam[1] = INT64_C(1) << 40;
    atomic_store(&largest_allocation, 0);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, 10000000, NULL));
    CHECK(counts[0] == 664579);
    CHECK(atomic_load(&largest_allocation) <= 1 << 20);
}

static void test_sieve_segments_count_like_small_blocks_and_trial_division(void) {
    /* blocks of several segments (2^20 numbers each), of exactly one, and partial ones, summed from
       blocks of 4,096 numbers (one segment each, as before segments existed); near 10^12 too */
    enum { N = 3000000, FINE = 4096 };
    const int64_t los[] = {0, PC_PRIMES_SIEVE_MAX_END - N, 123456789};
    const int64_t blocks[] = {1 << 20, (1 << 20) + FINE, (1 << 21) + FINE, 2 * N};
    static int64_t fine[N / FINE + 1], big[N / (1 << 20) + 1];
    for (size_t l = 0; l < sizeof los / sizeof los[0]; l++) {
        pc_args args = empty_args();
        args.iparam[0] = los[l];
        args.iparam[1] = FINE;
        SET_OUT(args, 0, fine);
        CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, N, NULL));
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
            args.iparam[1] = blocks[b];
            SET_OUT(args, 0, big);
            CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, N, NULL));
            uint64_t per = (uint64_t)blocks[b] / FINE;
            for (uint64_t j = 0; j < pc_blocks(N, (uint64_t)blocks[b]); j++) {
                int64_t sum = 0;
                for (uint64_t f = j * per; f < (j + 1) * per && f < pc_blocks(N, FINE); f++) sum += fine[f];
                CHECK(big[j] == sum);
            }
        }
    }
    /* an independent count at the top of the range */
    int64_t sieve[1], trial[1];
    pc_args args = empty_args();
    args.iparam[0] = PC_PRIMES_SIEVE_MAX_END - 3000;
    args.iparam[1] = 3000;
    SET_OUT(args, 0, sieve);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, 3000, NULL));
    SET_OUT(args, 0, trial);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_TRIAL, &args, 3000, NULL));
    CHECK(sieve[0] == trial[0] && sieve[0] > 50);
}

/* ---- item 6: every limit is the header's ------------------------------------------------------- */

static pc_status validate_only(int32_t kernel, const pc_args* args, uint64_t n) {
    return pc_validate_call(pc_kernel_def_of(kernel), args, n, NULL);
}

static void test_validation_enforces_exactly_the_documented_limits(void) {
    int64_t out[4] = {0};
    double dx[4] = {0};
    pc_args args = empty_args();
    SET_OUT(args, 0, out);
    args.iparam[1] = 1;
    /* primes: lo + n up to the documented end, not one more */
    args.iparam[0] = PC_PRIMES_SIEVE_MAX_END - 4;
    CHECK_STATUS(PC_OK, validate_only(PC_KERNEL_PRIMES_SIEVE, &args, 4));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(PC_KERNEL_PRIMES_SIEVE, &args, 5));
    args.iparam[0] = PC_PRIMES_TRIAL_MAX_END - 4;
    CHECK_STATUS(PC_OK, validate_only(PC_KERNEL_PRIMES_TRIAL, &args, 4));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(PC_KERNEL_PRIMES_TRIAL, &args, 5));
    /* ... and the counts buffer: one int64 per block, 2^62 of them overflow 2^63 - 1 bytes */
    args.iparam[0] = 0;
    args.out_bytes[0] = UINT64_MAX; /* validation only, nothing runs: a length that never limits */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(PC_KERNEL_PRIMES_TRIAL, &args, (uint64_t)PC_PRIMES_TRIAL_MAX_END));
    args.iparam[1] = 16;
    CHECK_STATUS(PC_OK, validate_only(PC_KERNEL_PRIMES_TRIAL, &args, (uint64_t)PC_PRIMES_TRIAL_MAX_END));
    /* histogram bins */
    args = histogram_args(dx, 4, out, 4, PC_HISTOGRAM_MAX_BINS, 1, 0.0, 1.0, (double)PC_HISTOGRAM_MAX_BINS);
    CHECK_STATUS(PC_OK, validate_only(PC_KERNEL_HISTOGRAM, &args, 0));
    args = histogram_args(dx, 4, out, 4, PC_HISTOGRAM_MAX_BINS + 1, 1, 0.0, 1.0, (double)(PC_HISTOGRAM_MAX_BINS + 1));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(PC_KERNEL_HISTOGRAM, &args, 0));
    /* histogram partials: nblocks * bins int64 */
    args = histogram_args(dx, 4, out, 4, 1 << 20, 1, 0.0, 1.0, (double)(1 << 20));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(PC_KERNEL_HISTOGRAM, &args, UINT64_C(1) << 50));
    /* collatz start values */
    int64_t starts[2] = {PC_COLLATZ_MAX_START, PC_COLLATZ_MAX_START + 1};
    args = empty_args();
    SET_IN(args, 0, starts);
    SET_OUT(args, 0, out);
    CHECK_STATUS(PC_OK, validate_only(PC_KERNEL_COLLATZ_STEPS, &args, 1));
    uint64_t bad = 99;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_validate_call(pc_kernel_def_of(PC_KERNEL_COLLATZ_STEPS), &args, 2, &bad));
    CHECK(bad == 1);
    /* arrays of n items whose bytes overflow are rejected before a single item is read */
    args = empty_args();
    SET_IN(args, 0, dx);
    SET_IN(args, 1, dx);
    SET_OUT(args, 0, out);
    SET_OUT(args, 1, out);
    args.iparam[0] = INT64_MAX;
    args.iparam[1] = 10;
    const int32_t array_kernels[] = {PC_KERNEL_GCD_BRUTE, PC_KERNEL_GCD_FAST, PC_KERNEL_MANDELBROT,
                                     PC_KERNEL_REDUCE_SUM, PC_KERNEL_REDUCE_SUM_NEUMAIER, PC_KERNEL_REDUCE_DOT,
                                     PC_KERNEL_REDUCE_MINMAX, PC_KERNEL_COLLATZ_STEPS};
    for (size_t k = 0; k < sizeof array_kernels / sizeof array_kernels[0]; k++) {
        CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(array_kernels[k], &args, UINT64_C(1) << 60));
    }
    /* minmax writes two values per block: 2^59 blocks of one item are 2^63 bytes */
    args.iparam[0] = 1;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, validate_only(PC_KERNEL_REDUCE_MINMAX, &args, UINT64_C(1) << 59));
}

/* ---- bounded cancellation ---------------------------------------------------------------------- */

/* A run over many small gcd items (each below 65,536 candidates, which the old per-item counter never
   reached) with the flag set stops within the budget. */
static void test_gcd_brute_stops_within_budget_across_small_items(void) {
    enum { N = 2000 };
    static int64_t a[N], b[N], out[N];
    for (int k = 0; k < N; k++) a[k] = 30011, b[k] = 30013; /* coprime: 30,010 candidates each */
    pc_args args = empty_args();
    SET_IN(args, 0, a), SET_IN(args, 1, b), SET_OUT(args, 0, out);
    fill(out, N, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_GCD_BRUTE, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(out, N, -1) <= items_within_budget(30010 * PC_UNITS_GCD_BRUTE_STEP));
    /* and inside one long item: min(a, b) = 2^40 candidates */
    a[0] = INT64_C(1) << 40, b[0] = (INT64_C(1) << 40) + 1;
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_GCD_BRUTE, &args, 1, &CANCEL_SET));
}

static void test_gcd_fast_stops_within_budget(void) {
    enum { N = 200000 };
    int64_t* a = malloc(N * sizeof *a);
    int64_t* b = malloc(N * sizeof *b);
    int64_t* out = malloc(N * sizeof *out);
    for (int k = 0; k < N; k++) a[k] = INT64_MAX - k, b[k] = 1 + 3 * (int64_t)k;
    pc_args args = empty_args();
    SET_IN_BYTES(args, 0, a, (uint64_t)(N) * sizeof *a), SET_IN_BYTES(args, 1, b, (uint64_t)(N) * sizeof *b), SET_OUT_BYTES(args, 0, out, (uint64_t)(N) * sizeof *out);
    fill(out, N, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_GCD_FAST, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(out, N, -1) <= items_within_budget(PC_UNITS_GCD_FAST_ITEM));
    CHECK_STATUS(PC_OK, run_direct(PC_KERNEL_GCD_FAST, &args, N, &CANCEL_CLEAR));
    CHECK(count_not_equal(out, N, -1) == N);
    free(a), free(b), free(out);
}

static void test_primes_trial_stops_within_budget_across_small_items(void) {
    /* numbers near 10^8 need at most 5,000 divisions each: the old per-item counter never reached 65,536 */
    enum { N = 1 << 17 };
    static int64_t counts[N];
    pc_args args = empty_args();
    SET_OUT(args, 0, counts);
    args.iparam[0] = 100000000;
    args.iparam[1] = 1;
    fill(counts, N, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_PRIMES_TRIAL, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(counts, N, -1) <= items_within_budget(PC_UNITS_ITEM));
    CHECK(count_not_equal(counts, N, -1) < N / 2);
}

static void test_mandelbrot_stops_within_budget_across_pixels(void) {
    /* every pixel in the set, 60,000 iterations each: below the old per-pixel check interval */
    enum { N = 4000 };
    static int64_t out[N];
    pc_args args = empty_args();
    SET_OUT(args, 0, out);
    args.iparam[0] = 100;
    args.iparam[1] = 60000;
    args.dparam[0] = -0.1, args.dparam[1] = -0.1, args.dparam[2] = 0.001, args.dparam[3] = 0.001;
    fill(out, N, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_MANDELBROT, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(out, N, -1) <= items_within_budget(60000 * PC_UNITS_MANDELBROT_STEP));
}

static void test_collatz_stops_within_budget(void) {
    enum { N = 1 << 20 };
    int64_t* x = malloc(N * sizeof *x);
    int64_t* out = malloc(N * sizeof *out);
    for (int k = 0; k < N; k++) x[k] = PC_COLLATZ_MAX_START - k;
    pc_args args = empty_args();
    SET_IN_BYTES(args, 0, x, (uint64_t)(N) * sizeof *x), SET_OUT_BYTES(args, 0, out, (uint64_t)(N) * sizeof *out);
    fill(out, N, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_COLLATZ_STEPS, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(out, N, -1) <= items_within_budget(PC_UNITS_ITEM + PC_UNITS_COLLATZ_STEP));
    free(x), free(out);
}

/* Reductions and the histogram over one block (a long item) and over blocks of one item (many small). */
static void test_memory_bound_kernels_stop_within_budget(void) {
    enum { N = 1 << 22 };
    double* x = malloc(N * sizeof *x);
    int64_t* out0 = malloc(2 * (size_t)N * sizeof *out0);
    int64_t* out1 = malloc(2 * (size_t)N * sizeof *out1);
    for (int k = 0; k < N; k++) x[k] = 1.0;
    const int32_t kernels[] = {PC_KERNEL_REDUCE_SUM, PC_KERNEL_REDUCE_SUM_NEUMAIER, PC_KERNEL_REDUCE_DOT,
                               PC_KERNEL_REDUCE_MINMAX};
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        pc_args args = empty_args();
        SET_IN_BYTES(args, 0, x, (uint64_t)(N) * sizeof *x), SET_IN_BYTES(args, 1, x, (uint64_t)(N) * sizeof *x);
        SET_OUT_BYTES(args, 0, out0, (uint64_t)(2 * N) * sizeof *out0), SET_OUT_BYTES(args, 1, out1, (uint64_t)(2 * N) * sizeof *out1);
        args.iparam[0] = N;
        CHECK_STATUS(PC_ERR_CANCELLED, run_direct(kernels[k], &args, N, &CANCEL_SET));
        args.iparam[0] = 1;
        fill(out1, 2 * (uint64_t)N, -1);
        CHECK_STATUS(PC_ERR_CANCELLED, run_direct(kernels[k], &args, N, &CANCEL_SET));
        uint64_t per_block = kernels[k] == PC_KERNEL_REDUCE_MINMAX ? 2 : 1;
        if (kernels[k] != PC_KERNEL_REDUCE_SUM && kernels[k] != PC_KERNEL_REDUCE_DOT) { /* out[1] is written */
            CHECK(count_not_equal(out1, 2 * (uint64_t)N, -1) <= per_block * items_within_budget(PC_UNITS_ITEM));
        }
    }
    pc_args args = histogram_args(x, N, out0, 2 * (uint64_t)N, 4, N, 0.0, 2.0, 2.0);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_HISTOGRAM, &args, N, &CANCEL_SET));
    args = histogram_args(x, N, out0, 2 * (uint64_t)N, 1, 1, 0.0, 2.0, 0.5);
    fill(out0, N, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_HISTOGRAM, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(out0, N, -1) <= items_within_budget(PC_UNITS_ITEM + 1));
    /* 2^24 bins are cleared in stretches too */
    args = histogram_args(x, N, out0, 2 * (uint64_t)N, PC_HISTOGRAM_MAX_BINS, N, 0.0, 2.0, (double)PC_HISTOGRAM_MAX_BINS / 2.0);
    int64_t* many_bins = malloc(PC_HISTOGRAM_MAX_BINS * sizeof *many_bins);
    SET_OUT_BYTES(args, 0, many_bins, PC_HISTOGRAM_MAX_BINS * sizeof *many_bins);
    fill(many_bins, PC_HISTOGRAM_MAX_BINS, -1);
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_HISTOGRAM, &args, N, &CANCEL_SET));
    CHECK(count_not_equal(many_bins, PC_HISTOGRAM_MAX_BINS, -1) < PC_HISTOGRAM_MAX_BINS / 2);
    free(many_bins), free(x), free(out0), free(out1);
}

/* Kernels that looked at the flag once before their first item (matmul per slice of B, the sieve per
   block) but not inside it: the flag is set by another thread while the run is inside that item. */
typedef struct late_cancel {
    atomic_int flag;
    long delay_ms;
} late_cancel;

static void* cancel_later(void* arg) {
    late_cancel* lc = arg;
    sleep_ms(lc->delay_ms);
    atomic_store(&lc->flag, 1);
    return NULL;
}

static pc_status run_cancelled_after(int32_t kernel, const pc_args* args, uint64_t n, long delay_ms) {
    late_cancel lc = {0, delay_ms};
    pthread_t thread;
    if (pthread_create(&thread, NULL, cancel_later, &lc) != 0) return PC_ERR_THREAD;
    pc_status st = run_direct(kernel, args, n, &lc.flag);
    pthread_join(thread, NULL);
    return st;
}

static void test_matmul_and_sieve_stop_inside_one_long_item(void) {
    /* matmul: one slice of B (k <= 256), 16,384 rows x 1,024 columns = 4.3e9 multiply-adds (seconds) */
    enum { ROWS = 16384, K = 256, COLS = 1024 };
    double* a = calloc((size_t)ROWS * K, sizeof *a);
    double* b = calloc((size_t)K * COLS, sizeof *b);
    double* c = calloc((size_t)ROWS * COLS, sizeof *c); /* touched now, so clearing it later is quick */
    memset(c, 1, (size_t)ROWS * COLS * sizeof *c);
    pc_args args = empty_args();
    SET_IN_BYTES(args, 0, a, (uint64_t)(ROWS * K) * sizeof *a), SET_IN_BYTES(args, 1, b, (uint64_t)(K * COLS) * sizeof *b);
    SET_OUT_BYTES(args, 0, c, (uint64_t)(ROWS * COLS) * sizeof *c);
    args.iparam[0] = K;
    args.iparam[1] = COLS;
    CHECK_STATUS(PC_ERR_CANCELLED, run_cancelled_after(PC_KERNEL_MATMUL, &args, ROWS, 200));
    free(a), free(b), free(c);
    /* sieve: one block of 2^30 numbers near 10^12 (seconds, and 1 GiB of segment before) */
    int64_t counts[1];
    args = empty_args();
    SET_OUT(args, 0, counts);
    args.iparam[0] = PC_PRIMES_SIEVE_MAX_END - (INT64_C(1) << 30);
    args.iparam[1] = INT64_C(1) << 30;
    CHECK_STATUS(PC_ERR_CANCELLED, run_cancelled_after(PC_KERNEL_PRIMES_SIEVE, &args, UINT64_C(1) << 30, 50));
}

/* A task near 10^12 first sieves the base primes up to 10^6 (millions of steps) for 10 numbers. */
static void test_sieve_stops_while_sieving_its_base_primes(void) {
    int64_t counts[1] = {-1};
    pc_args args = empty_args();
    SET_OUT(args, 0, counts);
    args.iparam[0] = PC_PRIMES_SIEVE_MAX_END - 10;
    args.iparam[1] = 10;
    CHECK_STATUS(PC_ERR_CANCELLED, run_direct(PC_KERNEL_PRIMES_SIEVE, &args, 10, &CANCEL_SET));
    CHECK(counts[0] == -1);
}

/* The same through the pool: a job of one task over many small items stops after a cancel. */
static void test_pool_job_of_small_items_stops_after_cancel(void) {
    enum { N = 2000000 };
    int64_t* a = malloc(N * sizeof *a);
    int64_t* b = malloc(N * sizeof *b);
    int64_t* out = malloc(N * sizeof *out);
    for (int k = 0; k < N; k++) a[k] = 60013, b[k] = 60017; /* minutes of work in one task */
    fill(out, N, -1);
    pc_args args = empty_args();
    SET_IN_BYTES(args, 0, a, (uint64_t)(N) * sizeof *a), SET_IN_BYTES(args, 1, b, (uint64_t)(N) * sizeof *b), SET_OUT_BYTES(args, 0, out, (uint64_t)(N) * sizeof *out);
    pc_pool* pool = NULL;
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, N, N, &job, NULL));
    sleep_ms(50);
    CHECK_STATUS(PC_OK, pc_job_cancel(job));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, INT64_C(30000000000))); /* 30 s: 1,000x the bound */
    CHECK(count_not_equal(out, N, -1) < N);
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    free(a), free(b), free(out);
}

/* Cancellable runs that are not cancelled compute exactly what pc_run computes, across stretch edges. */
static void test_budgeted_runs_equal_uncancellable_runs(void) {
    enum { N = 3 * 16384 + 13 };
    double* x = malloc(N * sizeof *x);
    double* y = malloc(N * sizeof *y);
    double* o0 = malloc(2 * N * sizeof *o0);
    double* o1 = malloc(2 * N * sizeof *o1);
    double* r0 = malloc(2 * N * sizeof *r0);
    double* r1 = malloc(2 * N * sizeof *r1);
    for (int k = 0; k < N; k++) x[k] = random_double(), y[k] = random_double();
    x[N / 2] = NAN, x[40000] = -0.0, x[16383] = 0.0;
    const int32_t kernels[] = {PC_KERNEL_REDUCE_SUM, PC_KERNEL_REDUCE_SUM_NEUMAIER, PC_KERNEL_REDUCE_DOT,
                               PC_KERNEL_REDUCE_MINMAX};
    const int64_t blocks[] = {N, 16384, 16385, 40000, 8, 3};
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        for (size_t bl = 0; bl < sizeof blocks / sizeof blocks[0]; bl++) {
            pc_args args = empty_args();
            SET_IN_BYTES(args, 0, x, (uint64_t)(N) * sizeof *x), SET_IN_BYTES(args, 1, y, (uint64_t)(N) * sizeof *y);
            SET_OUT_BYTES(args, 0, r0, (uint64_t)(2 * N) * sizeof *r0), SET_OUT_BYTES(args, 1, r1, (uint64_t)(2 * N) * sizeof *r1);
            args.iparam[0] = blocks[bl];
            CHECK_STATUS(PC_OK, pc_run(kernels[k], &args, N, NULL));
            SET_OUT_BYTES(args, 0, o0, (uint64_t)(2 * N) * sizeof *o0), SET_OUT_BYTES(args, 1, o1, (uint64_t)(2 * N) * sizeof *o1);
            CHECK_STATUS(PC_OK, run_direct(kernels[k], &args, N, &CANCEL_CLEAR));
            size_t count = pc_blocks(N, (uint64_t)blocks[bl]) * (kernels[k] == PC_KERNEL_REDUCE_MINMAX ? 2 : 1);
            CHECK(memcmp(o0, r0, count * sizeof *o0) == 0);
            if (kernels[k] == PC_KERNEL_REDUCE_SUM_NEUMAIER || kernels[k] == PC_KERNEL_REDUCE_MINMAX) {
                CHECK(memcmp(o1, r1, count * sizeof *o1) == 0);
            }
        }
    }
    free(x), free(y), free(o0), free(o1), free(r0), free(r1);
}

/* The documented orders, recomputed here independently, over blocks longer than one stretch. */
static void test_reductions_over_long_blocks_follow_the_documented_order(void) {
    enum { N = 5 * 16384 + 5 };
    double* x = malloc(N * sizeof *x);
    double* y = malloc(N * sizeof *y);
    double sums[2], comps[2], values[4];
    int64_t idx[4];
    for (int k = 0; k < N; k++) x[k] = random_double(), y[k] = random_double();
    x[70000] = NAN;
    const int64_t block = 3 * 16384 + 3; /* two blocks, the first over three stretches plus a tail */
    for (int bl = 0; bl < 2; bl++) {
        uint64_t from = (uint64_t)(bl * block), to = bl == 0 ? (uint64_t)block : N;
        double ls[8] = {0}, ld[8] = {0}, ns[8] = {0}, nc[8] = {0};
        double lo = INFINITY, hi = -INFINITY;
        int64_t ilo = -1, ihi = -1;
        for (uint64_t i = from; i < to; i++) {
            int j = (int)((i - from) % 8);
            ls[j] += x[i];
            ld[j] += x[i] * y[i];
            double t = ns[j] + x[i], bv = t - ns[j];
            nc[j] += (ns[j] - (t - bv)) + (x[i] - bv);
            ns[j] = t;
            if (x[i] < lo) lo = x[i], ilo = (int64_t)i;
            if (x[i] > hi) hi = x[i], ihi = (int64_t)i;
        }
        double sum = ((ls[0] + ls[1]) + (ls[2] + ls[3])) + ((ls[4] + ls[5]) + (ls[6] + ls[7]));
        double dot = ((ld[0] + ld[1]) + (ld[2] + ld[3])) + ((ld[4] + ld[5]) + (ld[6] + ld[7]));
        double total = 0.0, comp = 0.0;
        for (int j = 0; j < 8; j++) {
            double t = total + ns[j], bv = t - total;
            comp += (total - (t - bv)) + (ns[j] - bv);
            total = t;
        }
        for (int j = 0; j < 8; j++) comp += nc[j];
        pc_args args = empty_args();
        SET_IN_BYTES(args, 0, x, (uint64_t)(N) * sizeof *x), SET_IN_BYTES(args, 1, y, (uint64_t)(N) * sizeof *y);
        SET_OUT(args, 0, sums), SET_OUT(args, 1, comps);
        args.iparam[0] = block;
        CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_SUM, &args, N, NULL));
        CHECK(memcmp(&sums[bl], &sum, sizeof sum) == 0);
        CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_DOT, &args, N, NULL));
        CHECK(memcmp(&sums[bl], &dot, sizeof dot) == 0);
        CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_SUM_NEUMAIER, &args, N, NULL));
        CHECK(memcmp(&sums[bl], &total, sizeof total) == 0 && memcmp(&comps[bl], &comp, sizeof comp) == 0);
        SET_OUT(args, 0, values), SET_OUT(args, 1, idx);
        CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, N, NULL));
        CHECK(idx[2 * bl] == ilo && idx[2 * bl + 1] == ihi && values[2 * bl] == lo && values[2 * bl + 1] == hi);
    }
    free(x), free(y);
}

int main(int argc, char** argv) {
    only = argc > 1 ? argv[1] : NULL;
    printf("seed 0x%016" PRIx64 "\n", rng_state);
    run_test("histogram_rejects_a_scale_inconsistent_with_its_bins", test_histogram_rejects_a_scale_inconsistent_with_its_bins);
    run_test("histogram_accepts_every_scale_java_computes_and_matches_its_reference",
             test_histogram_accepts_every_scale_java_computes_and_matches_its_reference);
    run_test("histogram_bin_conversion_is_defined_for_any_scale", test_histogram_bin_conversion_is_defined_for_any_scale);
    run_test("matmul_rejects_sizes_whose_buffers_overflow", test_matmul_rejects_sizes_whose_buffers_overflow);
    run_test("matmul_wide_and_deep_matches_the_documented_order", test_matmul_wide_and_deep_matches_the_documented_order);
    run_test("sieve_allocates_for_the_task_not_the_block", test_sieve_allocates_for_the_task_not_the_block);
    run_test("sieve_segments_count_like_small_blocks_and_trial_division",
             test_sieve_segments_count_like_small_blocks_and_trial_division);
    run_test("validation_enforces_exactly_the_documented_limits", test_validation_enforces_exactly_the_documented_limits);
    run_test("gcd_brute_stops_within_budget_across_small_items", test_gcd_brute_stops_within_budget_across_small_items);
    run_test("gcd_fast_stops_within_budget", test_gcd_fast_stops_within_budget);
    run_test("primes_trial_stops_within_budget_across_small_items", test_primes_trial_stops_within_budget_across_small_items);
    run_test("mandelbrot_stops_within_budget_across_pixels", test_mandelbrot_stops_within_budget_across_pixels);
    run_test("collatz_stops_within_budget", test_collatz_stops_within_budget);
    run_test("memory_bound_kernels_stop_within_budget", test_memory_bound_kernels_stop_within_budget);
    run_test("matmul_and_sieve_stop_inside_one_long_item", test_matmul_and_sieve_stop_inside_one_long_item);
    run_test("sieve_stops_while_sieving_its_base_primes", test_sieve_stops_while_sieving_its_base_primes);
    run_test("pool_job_of_small_items_stops_after_cancel", test_pool_job_of_small_items_stops_after_cancel);
    run_test("budgeted_runs_equal_uncancellable_runs", test_budgeted_runs_equal_uncancellable_runs);
    run_test("reductions_over_long_blocks_follow_the_documented_order",
             test_reductions_over_long_blocks_follow_the_documented_order);
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
