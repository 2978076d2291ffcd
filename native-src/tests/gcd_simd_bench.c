/* gcd_brute and gcd_fast per SIMD path (a measurement, not a test: run it by hand). For each path this CPU has, times
 * pc_gcd_brute on the origin's ten seed pairs (README, SeedCommand), on random pairs in [1, 10^7]
 * (seeded; statistically the scaled seed workload, not its exact pairs; both in the vector paths' float
 * tier) and on up to 10 random pairs in 2^24 + [1, 10^7] (their double tier), on the calling thread, and prints
 * the best of `rounds` runs in ms, ns per pair and ns per candidate divisor tried (sum of
 * min(a, b) - gcd + 1 over the pairs), plus the speedup over the scalar path. Checks every result
 * against Euclid. Then gcd_fast on 65,536 random pairs of full width and of up to 10^9, ns per pair per path.
 * Usage: pcompute_gcd_simd_bench [rounds=7] [random_pairs=200]. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pcompute.h"

#include "pc_test.h"

static const int64_t SEED_PAIRS[10][2] = {
    {1963309, 2265973}, {2030677, 3814172}, {1551645, 2229620}, {2039045, 2020802}, {1823712, 1924928},
    {2293129, 1020491}, {1281238, 2273782}, {3823812, 4237281}, {3812741, 4729139}, {1292391, 2123811}};
static const char* const PATH_NAMES[] = {"auto", "scalar", "avx2", "avx512"};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 42;
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

typedef pc_status (*gcd_fn)(const int64_t*, const int64_t*, int64_t*, uint64_t, uint64_t*);

/* Best of `rounds` runs of `gcd` over the n pairs on `level`, in seconds; 0 on a wrong result. */
static double best_time(gcd_fn gcd, int32_t level, const int64_t* a, const int64_t* b, int64_t* out, uint64_t n,
                        int rounds) {
    if (pc_simd_force(level) != PC_OK) return 0;
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_seconds();
        if (gcd(a, b, out, n, NULL) != PC_OK) return 0;
        double t = now_seconds() - t0;
        if (t < best) best = t;
    }
    for (uint64_t k = 0; k < n; k++) {
        if (out[k] != euclid(a[k], b[k])) return 0;
    }
    return best;
}

/* `gcd` over the n pairs on every path this CPU has: ms, ns per pair and the speedup over the scalar path;
   for gcd_brute (`candidates`) also ns per candidate divisor tried. */
static void measure(gcd_fn gcd, int candidates, const char* title, const int64_t* a, const int64_t* b, uint64_t n,
                    int rounds) {
    int64_t* out = malloc(sizeof *out * n);
    if (out == NULL) return;
    double tried = 0;
    if (candidates) {
        for (uint64_t k = 0; k < n; k++) tried += (double)((a[k] < b[k] ? a[k] : b[k]) - euclid(a[k], b[k]) + 1);
        printf("%s: %" PRIu64 " pairs, %.3g candidates, best of %d\n", title, n, tried, rounds);
    } else {
        printf("%s: %" PRIu64 " pairs, best of %d\n", title, n, rounds);
    }
    double scalar = 0;
    for (int32_t level = PC_SIMD_SCALAR; level <= PC_SIMD_AVX512; level++) {
        if (!pc_simd_supported(level)) {
            printf("  %-7s skipped: this CPU lacks it\n", PATH_NAMES[level]);
            continue;
        }
        double t = best_time(gcd, level, a, b, out, n, rounds);
        if (t == 0) {
            printf("  %-7s WRONG RESULT\n", PATH_NAMES[level]);
            continue;
        }
        if (level == PC_SIMD_SCALAR) scalar = t;
        printf("  %-7s %9.3f ms  %12.2f ns/pair", PATH_NAMES[level], t * 1e3, t * 1e9 / (double)n);
        if (candidates) printf("  %6.3f ns/candidate", t * 1e9 / tried);
        printf("  %5.2fx scalar\n", scalar > 0 ? scalar / t : 0.0);
    }
    free(out);
}

int main(int argc, char** argv) {
    (void)record_test; /* pc_test.h is here for euclid() only */
    int rounds = argc > 1 ? atoi(argv[1]) : 7;
    uint64_t random_pairs = argc > 2 ? strtoull(argv[2], NULL, 10) : 200;
    if (rounds < 1 || random_pairs < 1) {
        fprintf(stderr, "usage: %s [rounds>=1] [random_pairs>=1]\n", argv[0]);
        return 2;
    }
    int64_t a[10], b[10];
    for (int k = 0; k < 10; k++) a[k] = SEED_PAIRS[k][0], b[k] = SEED_PAIRS[k][1];
    measure(pc_gcd_brute, 1, "seed pairs", a, b, 10, rounds);

    int64_t* ra = malloc(sizeof *ra * random_pairs);
    int64_t* rb = malloc(sizeof *rb * random_pairs);
    if (ra == NULL || rb == NULL) return 1;
    for (uint64_t k = 0; k < random_pairs; k++) {
        ra[k] = (int64_t)(next_random() % 10000000) + 1;
        rb[k] = (int64_t)(next_random() % 10000000) + 1;
    }
    measure(pc_gcd_brute, 1, "random pairs in [1, 10^7], seed 42", ra, rb, random_pairs, rounds);
    for (uint64_t k = 0; k < random_pairs; k++) { /* above 2^24: the vector paths work in doubles */
        ra[k] = (INT64_C(1) << 24) + (int64_t)(next_random() % 10000000) + 1;
        rb[k] = (INT64_C(1) << 24) + (int64_t)(next_random() % 10000000) + 1;
    }
    uint64_t nd = random_pairs < 10 ? random_pairs : 10;
    measure(pc_gcd_brute, 1, "random pairs in 2^24 + [1, 10^7] (doubles), seed 42", ra, rb, nd, rounds);
    free(ra);
    free(rb);

    uint64_t nf = 1u << 16;
    int64_t* fa = malloc(sizeof *fa * nf);
    int64_t* fb = malloc(sizeof *fb * nf);
    if (fa == NULL || fb == NULL) return 1;
    for (uint64_t k = 0; k < nf; k++) {
        fa[k] = (int64_t)(next_random() >> 1);
        fb[k] = (int64_t)(next_random() >> 1);
    }
    measure(pc_gcd_fast, 0, "gcd_fast, random pairs in [0, 2^63), seed 42", fa, fb, nf, rounds);
    for (uint64_t k = 0; k < nf; k++) {
        fa[k] = (int64_t)(next_random() % 1000000000) + 1;
        fb[k] = (int64_t)(next_random() % 1000000000) + 1;
    }
    measure(pc_gcd_fast, 0, "gcd_fast, random pairs in [1, 10^9], seed 42", fa, fb, nf, rounds);
    free(fa);
    free(fb);
    pc_simd_force(PC_SIMD_AUTO);
    return 0;
}
