/* C tests of gcd_brute's and gcd_fast's SIMD paths (pc_gcd_simd.c): every path this CPU supports, forced with
 * pc_simd_force, against Euclid (pc_test.h) and against the scalar path, on random pairs, pairs sharing a
 * large factor, primes, 1, equal values, values around 2^24 (floats to doubles), 2^52, 2^53 (where the
 * vector paths hand over to the scalar loop) and INT64_MAX, array lengths 0..17 and every min(a, b) up to 40 (the partial last
 * vector step); cancellation inside a long vector scan; the path switch itself and PCOMPUTE_SIMD.
 * Paths the CPU lacks are skipped and named. Prints "N passed, N failed"; exits non-zero on a failure.
 *
 * PCOMPUTE_SIMD: if the variable is set, the first test checks that it chose the path; if it is not set,
 * the test sets it to "scalar" before the library's first use and checks that. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcompute.h"

#include "pc_test.h"

#define TWO24 (INT64_C(1) << 24)
#define TWO52 (INT64_C(1) << 52)
#define TWO53 (INT64_C(1) << 53)
#define MAX_PAIRS 16384

static const char* const PATH_NAMES[] = {"auto", "scalar", "avx2", "avx512"};
static const int32_t VECTOR_PATHS[] = {PC_SIMD_AVX2, PC_SIMD_AVX512};

/* xorshift64*: deterministic inputs; the seed is printed by main. */
static uint64_t rng_state = 0x5DEECE66D2545F49u;
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* 1 + a random value below `bound`. */
static int64_t random_up_to(int64_t bound) {
    return (int64_t)(next_random() % (uint64_t)bound) + 1;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_test(const char* name, void (*fn)(void)) {
    int before = checks_failed;
    fn();
    record_test(name, before);
}

/* ---- a batch of pairs, checked on every path ------------------------------------------------------ */

static int64_t pa[MAX_PAIRS], pb[MAX_PAIRS];
static int64_t scalar_out[MAX_PAIRS], path_out[MAX_PAIRS];
static size_t npairs;

static void add_pair(int64_t a, int64_t b) {
    if (npairs < MAX_PAIRS) {
        pa[npairs] = a;
        pb[npairs] = b;
        npairs++;
    } else {
        fprintf(stderr, "test bug: more than %d pairs\n", MAX_PAIRS);
        checks_failed++;
    }
}

static int64_t fast_out[MAX_PAIRS];

/* Checks out[0, npairs) of kernel `name` on path `level` against Euclid. */
static void check_against_euclid(const char* name, int32_t level, const int64_t* out) {
    int reported = 0;
    for (size_t k = 0; k < npairs; k++) {
        int64_t want = euclid(pa[k], pb[k]);
        if (out[k] != want && reported++ < 5) {
            fprintf(stderr, "  %s: %s(%" PRId64 ", %" PRId64 ") = %" PRId64 ", Euclid says %" PRId64 "\n",
                    PATH_NAMES[level], name, pa[k], pb[k], out[k], want);
            checks_failed++;
        }
    }
}

/* Runs the batch through gcd_brute and gcd_fast on path `level`, gcd_brute into out, and checks every
   result against Euclid. */
static void run_batch_on(int32_t level, int64_t* out) {
    CHECK_STATUS(PC_OK, pc_simd_force(level));
    CHECK(pc_simd_level() == level);
    memset(out, 0, sizeof(int64_t) * npairs);
    CHECK_STATUS(PC_OK, pc_gcd_brute(pa, pb, out, (uint64_t)npairs, NULL));
    check_against_euclid("gcd_brute", level, out);
    memset(fast_out, 0, sizeof(int64_t) * npairs);
    CHECK_STATUS(PC_OK, pc_gcd_fast(pa, pb, fast_out, (uint64_t)npairs, NULL));
    check_against_euclid("gcd_fast", level, fast_out);
}

/* The batch on the scalar path, then on every supported vector path: each against Euclid and the scalar
   results. Restores PC_SIMD_AUTO. */
static void check_batch_on_every_path(void) {
    run_batch_on(PC_SIMD_SCALAR, scalar_out);
    for (size_t p = 0; p < sizeof VECTOR_PATHS / sizeof VECTOR_PATHS[0]; p++) {
        int32_t level = VECTOR_PATHS[p];
        if (!pc_simd_supported(level)) continue; /* named once by main */
        run_batch_on(level, path_out);
        CHECK(memcmp(path_out, scalar_out, sizeof(int64_t) * npairs) == 0);
    }
    CHECK_STATUS(PC_OK, pc_simd_force(PC_SIMD_AUTO));
    npairs = 0;
}

/* ---- tests ---------------------------------------------------------------------------------------- */

static int32_t level_named(const char* value) {
    if (value == NULL) return PC_SIMD_AUTO;
    for (int32_t level = PC_SIMD_SCALAR; level <= PC_SIMD_AVX512; level++) {
        if (strcmp(value, PATH_NAMES[level]) == 0) return level;
    }
    return PC_SIMD_AUTO;
}

static int32_t widest_supported(void) {
    return pc_simd_supported(PC_SIMD_AVX512) ? PC_SIMD_AVX512 : pc_simd_supported(PC_SIMD_AVX2) ? PC_SIMD_AVX2
                                                                                                : PC_SIMD_SCALAR;
}

/* Must run first: the library reads the variable at its first use of the choice. */
static void test_environment_variable_picks_the_path_at_first_use(void) {
    const char* value = getenv("PCOMPUTE_SIMD");
    if (value == NULL) {
        CHECK(setenv("PCOMPUTE_SIMD", "scalar", 1) == 0);
        value = "scalar";
    }
    int32_t wanted = level_named(value);
    int32_t expected = wanted != PC_SIMD_AUTO && pc_simd_supported(wanted) ? wanted : widest_supported();
    printf("     PCOMPUTE_SIMD=%s -> %s\n", value, PATH_NAMES[expected]);
    CHECK(pc_simd_level() == expected);
    CHECK(pc_simd_level() == expected); /* read once: stays */
}

static void test_force_validates_and_switches_paths(void) {
    CHECK(pc_simd_supported(PC_SIMD_AUTO) == 1);
    CHECK(pc_simd_supported(PC_SIMD_SCALAR) == 1);
    CHECK(pc_simd_supported(-1) == 0);
    CHECK(pc_simd_supported(4) == 0);
    CHECK(pc_simd_supported(INT32_MIN) == 0);
    CHECK_STATUS(PC_OK, pc_simd_force(PC_SIMD_SCALAR));
    CHECK(pc_simd_level() == PC_SIMD_SCALAR);
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_simd_force(-1));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_simd_force(4));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_simd_force(INT32_MAX));
    CHECK(pc_simd_level() == PC_SIMD_SCALAR); /* a refused force changes nothing */
    for (int32_t level = PC_SIMD_AVX2; level <= PC_SIMD_AVX512; level++) {
        if (pc_simd_supported(level)) {
            CHECK_STATUS(PC_OK, pc_simd_force(level));
            CHECK(pc_simd_level() == level);
        } else {
            CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_simd_force(level));
        }
    }
    CHECK_STATUS(PC_OK, pc_simd_force(PC_SIMD_AUTO));
    CHECK(pc_simd_level() == widest_supported()); /* never reports AUTO itself */
}

static void test_random_pairs_match_euclid_on_every_path(void) {
    for (int k = 0; k < 300; k++) add_pair(random_up_to(5000), random_up_to(5000));
    for (int k = 0; k < 20; k++) add_pair(random_up_to(200000), random_up_to(200000));
    for (int k = 0; k < 100; k++) add_pair(random_up_to(20000), TWO24 + random_up_to(TWO53 - TWO24)); /* doubles */
    for (int k = 0; k < 200; k++) { /* one small value, one anywhere up to INT64_MAX */
        int64_t small = random_up_to(3000);
        int64_t big = (int64_t)(next_random() >> 1);
        if (big == 0) big = 1;
        if (k % 2) add_pair(small, big);
        else add_pair(big, small);
    }
    check_batch_on_every_path();
}

static void test_pairs_sharing_large_factors_match_on_every_path(void) {
    /* gcd == min(a, b): found at the first candidate however large. */
    for (int k = 0; k < 200; k++) {
        int64_t m = k < 100 ? random_up_to(TWO53) : (int64_t)(next_random() >> 1) | 1;
        int64_t times = random_up_to(INT64_MAX / m);
        add_pair(m, m * times);
        add_pair(m * times, m);
    }
    /* a = 2g, b = 3g: gcd g after g candidates; also with a shared factor in a vector lane other than 0 */
    for (int k = 0; k < 100; k++) {
        int64_t g = random_up_to(3000);
        int64_t x = random_up_to(40), y = random_up_to(40);
        add_pair(g * x, g * y);
    }
    /* large multiples of one value: the first candidates are large multiples in disguise */
    add_pair(TWO53, TWO53 / 2);
    add_pair(TWO53 / 3 * 2, TWO53 / 3);
    add_pair(INT64_MAX / 7 * 7, INT64_MAX / 7);
    check_batch_on_every_path();
}

static void test_primes_one_and_equal_values_match_on_every_path(void) {
    static const int64_t primes[] = {2, 3, 5, 7, 9973, 65521, 104729, 999983, 2147483647, 4294967291,
                                     INT64_C(9007199254740881), INT64_C(9223372036854775783)};
    const size_t np = sizeof primes / sizeof primes[0];
    for (size_t i = 0; i < np; i++) {
        for (size_t j = 0; j < np; j++) {
            if (primes[i] <= 999983 || primes[j] <= 999983 || i == j) add_pair(primes[i], primes[j]);
        }
        add_pair(primes[i], 1);
        add_pair(1, primes[i]);
    }
    static const int64_t values[] = {1, 2, 8, 9, 16, 17, TWO52 - 1, TWO52, TWO52 + 1, TWO53 - 1, TWO53, TWO53 + 1,
                                     TWO53 + 2, INT64_MAX - 1, INT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        add_pair(values[i], values[i]);
        add_pair(1, values[i]);
        add_pair(values[i], 1);
    }
    check_batch_on_every_path();
}

/* Around 2^24 (floats stop being exact above it: the vector paths must switch to doubles), 2^52, 2^53
   (doubles stop being exact: the vector paths must hand over to the scalar loop) and INT64_MAX, with a
   small partner so the scan is short. gcd(3, 2^53 + 1) = 3, but 2^53 + 1 rounds to 2^53 in a double,
   which 3 does not divide: a vector path given it would answer 1; likewise 2^24 + 1 in a float. */
static void test_values_around_two_to_the_24_52_53_and_int64_max_match_on_every_path(void) {
    static const int64_t centres[] = {TWO24, TWO52, TWO53, INT64_MAX - 64};
    for (size_t c = 0; c < sizeof centres / sizeof centres[0]; c++) {
        for (int64_t delta = -64; delta <= 64; delta++) {
            int64_t big = centres[c] + delta;
            for (int64_t small = 1; small <= 24; small++) add_pair(small, big);
            add_pair(big, random_up_to(1000));
            add_pair(random_up_to(5000), big);
        }
    }
    add_pair(3, TWO53 + 1);
    add_pair(TWO53 + 1, 3);
    add_pair(5, TWO24 + 1); /* 2^24 + 1 = 97 * 257 * 673 */
    add_pair(97, TWO24 + 1);
    /* full scans just below and above the float limit: every candidate of a long run in each tier */
    add_pair(TWO24 - 1, 100003);
    add_pair(TWO24 + 1, 100003);
    add_pair(TWO24, TWO24 - 1);
    check_batch_on_every_path();
}

/* Every min(a, b) from 1 to 40 (full and partial vector steps, the d == 1 lane), with b above and below. */
static void test_every_small_minimum_matches_on_every_path(void) {
    for (int64_t a = 1; a <= 40; a++) {
        for (int64_t b = 1; b <= 40; b++) add_pair(a, b);
        add_pair(a, a * 6 + 1);
        add_pair(a * 6 + 1, a);
    }
    check_batch_on_every_path();
}

/* Arrays of 0..17 pairs: every output written, nothing beyond n. */
static void test_array_lengths_zero_to_seventeen_on_every_path(void) {
    int64_t a[18], b[18], out[19];
    for (int k = 0; k < 18; k++) {
        a[k] = random_up_to(3000) * 6;
        b[k] = random_up_to(3000) * 4;
    }
    for (int32_t level = PC_SIMD_SCALAR; level <= PC_SIMD_AVX512; level++) {
        if (!pc_simd_supported(level)) continue;
        CHECK_STATUS(PC_OK, pc_simd_force(level));
        CHECK_STATUS(PC_OK, pc_gcd_brute(NULL, NULL, NULL, 0, NULL));
        for (uint64_t n = 0; n <= 17; n++) {
            for (int k = 0; k < 19; k++) out[k] = -7;
            CHECK_STATUS(PC_OK, pc_gcd_brute(a, b, out, n, NULL));
            for (uint64_t k = 0; k < n; k++) CHECK(out[k] == euclid(a[k], b[k]));
            for (uint64_t k = n; k < 19; k++) CHECK(out[k] == -7);
        }
    }
    CHECK_STATUS(PC_OK, pc_simd_force(PC_SIMD_AUTO));
}

/* gcd_fast over values gcd_brute could not scan: full-width random pairs (0 .. INT64_MAX), zeros, powers
   of two, INT64_MAX, equal values, one dividing the other, pairs with a large power of 2 in common; lengths
   around whole 64-pair vector blocks, with tails, from an unaligned start; on every path, against
   Euclid. */
static void test_gcd_fast_full_width_zeros_and_every_length_on_every_path(void) {
    enum { N = 4096 };
    static int64_t a[N + 1], b[N + 1], want[N], out[N + 2];
    for (int k = 0; k < N; k++) {
        int64_t x = (int64_t)(next_random() >> 1), y = (int64_t)(next_random() >> 1);
        switch (k % 8) {
            case 0: break;                                              /* full width, mostly coprime */
            case 1: x >>= next_random() % 63; y >>= next_random() % 63; break; /* any widths */
            case 2: { /* a shared odd factor and a shared power of 2 */
                int64_t g = (int64_t)((next_random() >> 40) | 1) << (next_random() % 20);
                x = g * random_up_to(INT64_MAX / g);
                y = g * random_up_to(INT64_MAX / g);
                break;
            }
            case 3: x = k % 3 == 0 ? 0 : x; y = k % 3 == 1 ? 0 : k % 3 == 2 ? 0 : y; break; /* zeros */
            case 4: x = INT64_C(1) << (next_random() % 63); y = INT64_C(1) << (next_random() % 63); break;
            case 5: x = INT64_MAX; y = k % 16 == 5 ? INT64_MAX : y; break;
            case 6: y = x; break;
            default: x = random_up_to(INT64_MAX / 1000); y = x * random_up_to(1000); break;
        }
        a[k + 1] = x; /* from index 1: loads not aligned to 16 bytes */
        b[k + 1] = y;
        want[k] = euclid(x, y);
    }
    a[1] = 0; b[1] = 0; /* gcd(0, 0) = 0 */
    want[0] = 0;
    for (int32_t level = PC_SIMD_SCALAR; level <= PC_SIMD_AVX512; level++) {
        if (!pc_simd_supported(level)) continue;
        CHECK_STATUS(PC_OK, pc_simd_force(level));
        memset(out, 0, sizeof out);
        CHECK_STATUS(PC_OK, pc_gcd_fast(a + 1, b + 1, out + 1, N, NULL));
        int reported = 0;
        for (int k = 0; k < N; k++) {
            if (out[k + 1] != want[k] && reported++ < 5) {
                fprintf(stderr, "  %s: gcd_fast(%" PRId64 ", %" PRId64 ") = %" PRId64 ", Euclid says %" PRId64 "\n",
                        PATH_NAMES[level], a[k + 1], b[k + 1], out[k + 1], want[k]);
                checks_failed++;
            }
        }
        static const uint64_t LENGTHS[] = {0,  1,  2,  3,  5,  8,   15,  16,  17,  31,  32,  33,  40,
                                           63, 64, 65, 96, 127, 128, 129, 191, 192, 193, 200, 255};
        for (size_t i = 0; i < sizeof LENGTHS / sizeof LENGTHS[0]; i++) {
            uint64_t n = LENGTHS[i];
            for (uint64_t k = 0; k < n + 2; k++) out[k] = -7;
            CHECK_STATUS(PC_OK, pc_gcd_fast(a + 1 + n, b + 1 + n, out + 1, n, NULL));
            CHECK(out[0] == -7);
            for (uint64_t k = 0; k < n; k++) CHECK(out[k + 1] == want[n + k]);
            CHECK(out[n + 1] == -7);
        }
    }
    CHECK_STATUS(PC_OK, pc_simd_force(PC_SIMD_AUTO));
}

/* A long scan on each path stops soon after the flag is set: on the kernel's run() with the flag already
   set (at most one budget of work), and through a pool job cancelled while it runs. a = 2^53 and b =
   2^53 - 1 are coprime, so the scan would take 2^53 steps, and small enough for the vector paths. */
static void test_cancel_stops_a_long_vector_scan_on_every_path(void) {
    const pc_kernel_def* def = pc_kernel_def_of(PC_KERNEL_GCD_BRUTE);
    CHECK(def != NULL);
    if (def == NULL) return;
    int64_t a[2] = {TWO53, TWO53}, b[2] = {TWO53 - 1, TWO53 - 1}, out[2] = {0, 0};
    pc_args args = {.in = {a, b}, .out = {out}, .in_bytes = {sizeof a, sizeof b}, .out_bytes = {sizeof out}};
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    for (int32_t level = PC_SIMD_SCALAR; level <= PC_SIMD_AVX512; level++) {
        if (!pc_simd_supported(level)) continue;
        CHECK_STATUS(PC_OK, pc_simd_force(level));
        pc_cancel_flag flag = 1;
        double t0 = now_seconds();
        CHECK_STATUS(PC_ERR_CANCELLED, def->run(&args, 0, 2, &flag));
        double preset = now_seconds() - t0;
        CHECK(preset < 0.25); /* one budget is ~0.3 ms; generous for sanitizers and a loaded machine */

        pc_job* job = NULL;
        CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, 2, 1, &job, NULL));
        if (job == NULL) continue;
        CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 20 * 1000000L)); /* it runs: the scan is endless */
        t0 = now_seconds();
        CHECK_STATUS(PC_OK, pc_job_cancel(job));
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 5 * 1000000000L));
        double latency = now_seconds() - t0;
        CHECK(latency < 1.0);
        printf("     %s: preset flag %.3f ms, cancel to finished %.3f ms\n", PATH_NAMES[level], preset * 1e3,
               latency * 1e3);
        CHECK_STATUS(PC_OK, pc_job_free(job));
    }
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    CHECK_STATUS(PC_OK, pc_simd_force(PC_SIMD_AUTO));
}

int main(void) {
    printf("pcompute %s gcd SIMD tests, random seed 0x%016" PRIx64 "\n", pc_version(), rng_state);
    run_test("environment_variable_picks_the_path_at_first_use",
             test_environment_variable_picks_the_path_at_first_use);
    for (int32_t level = PC_SIMD_AVX2; level <= PC_SIMD_AVX512; level++) {
        if (!pc_simd_supported(level)) printf("skip %s path: this CPU (or OS) lacks it\n", PATH_NAMES[level]);
    }
    run_test("force_validates_and_switches_paths", test_force_validates_and_switches_paths);
    run_test("random_pairs_match_euclid_on_every_path", test_random_pairs_match_euclid_on_every_path);
    run_test("pairs_sharing_large_factors_match_on_every_path", test_pairs_sharing_large_factors_match_on_every_path);
    run_test("primes_one_and_equal_values_match_on_every_path", test_primes_one_and_equal_values_match_on_every_path);
    run_test("values_around_two_to_the_24_52_53_and_int64_max_match_on_every_path",
             test_values_around_two_to_the_24_52_53_and_int64_max_match_on_every_path);
    run_test("every_small_minimum_matches_on_every_path", test_every_small_minimum_matches_on_every_path);
    run_test("array_lengths_zero_to_seventeen_on_every_path", test_array_lengths_zero_to_seventeen_on_every_path);
    run_test("cancel_stops_a_long_vector_scan_on_every_path", test_cancel_stops_a_long_vector_scan_on_every_path);
    run_test("gcd_fast_full_width_zeros_and_every_length_on_every_path",
             test_gcd_fast_full_width_zeros_and_every_length_on_every_path);
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
