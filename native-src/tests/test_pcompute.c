/* C unit tests of the pcompute library: kernels against an independent Euclid reference, argument
 * validation at every entry point, and the worker pool (balancing, progress, cancel, timeout,
 * concurrent submitters, destroy with jobs in flight). Prints "N passed, N failed" and exits non-zero
 * on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcompute.h"

#include "pc_test.h"

static void run_test(const char* name, void (*fn)(void)) {
    int before = checks_failed;
    fn();
    record_test(name, before);
}

/* xorshift64*: deterministic inputs; the seed is printed by main. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const int64_t SEED_PAIRS[10][2] = {
    {1963309, 2265973}, {2030677, 3814172}, {1551645, 2229620}, {2039045, 2020802}, {1823712, 1924928},
    {2293129, 1020491}, {1281238, 2273782}, {3823812, 4237281}, {3812741, 4729139}, {1292391, 2123811}};

/* A pair whose brute-force gcd takes about 10^12 iterations: only a cancel ends it. */
#define ENDLESS_A INT64_C(1000000000039)
#define ENDLESS_B INT64_C(1000000000061)

/* a, b and out: arrays (not pointers) of as many elements as a */
#define pair_args(a, b, out) pc_test_pair_args(a, b, out, sizeof(a))

/* ---- common ------------------------------------------------------------------------------------- */

static void test_strerror_names_every_status(void) {
    for (int32_t s = PC_OK; s <= PC_ERR_UNKNOWN_KERNEL; s++) {
        CHECK(pc_strerror(s) != NULL);
        CHECK(strcmp(pc_strerror(s), "unknown status code") != 0);
    }
    CHECK(strcmp(pc_strerror(-1), "unknown status code") == 0);
    CHECK(strcmp(pc_strerror(9999), "unknown status code") == 0);
    CHECK(strcmp(pc_version(), "0.1.0") == 0);
    CHECK(pc_cpu_count() >= 1);
}

/* ---- kernels ------------------------------------------------------------------------------------ */

static void test_gcd_kernels_match_euclid_on_seed_pairs(void) {
    int64_t a[10], b[10], brute[10], fast[10];
    for (int k = 0; k < 10; k++) {
        a[k] = SEED_PAIRS[k][0];
        b[k] = SEED_PAIRS[k][1];
    }
    CHECK_STATUS(PC_OK, pc_gcd_brute(a, b, brute, 10, NULL));
    CHECK_STATUS(PC_OK, pc_gcd_fast(a, b, fast, 10, NULL));
    for (int k = 0; k < 10; k++) {
        CHECK(brute[k] == euclid(a[k], b[k]));
        CHECK(fast[k] == euclid(a[k], b[k]));
    }
}

static void test_gcd_kernels_match_euclid_on_random_and_edge_pairs(void) {
    enum { N = 4000 };
    int64_t* a = malloc(N * sizeof *a);
    int64_t* b = malloc(N * sizeof *b);
    int64_t* brute = malloc(N * sizeof *brute);
    int64_t* fast = malloc(N * sizeof *fast);
    for (int k = 0; k < N; k++) {
        a[k] = (int64_t)(next_random() % 100000) + 1;
        b[k] = (int64_t)(next_random() % 100000) + 1;
    }
    /* edges: ones, equal numbers, primes, powers of two, shared large factors */
    a[0] = 1, b[0] = 1;
    a[1] = 1, b[1] = 99991;
    a[2] = 77777, b[2] = 77777;
    a[3] = 99991, b[3] = 99989;
    a[4] = 65536, b[4] = 1024;
    a[5] = 2 * 3 * 5 * 7 * 11 * 13, b[5] = 3 * 7 * 13 * 17;
    CHECK_STATUS(PC_OK, pc_gcd_brute(a, b, brute, N, NULL));
    CHECK_STATUS(PC_OK, pc_gcd_fast(a, b, fast, N, NULL));
    for (int k = 0; k < N; k++) {
        int64_t expected = euclid(a[k], b[k]);
        if (brute[k] != expected || fast[k] != expected) {
            fprintf(stderr, "pair %d (%" PRId64 ", %" PRId64 "): brute %" PRId64 ", fast %" PRId64
                            ", euclid %" PRId64 "\n", k, a[k], b[k], brute[k], fast[k], expected);
            checks_failed++;
            break;
        }
    }
    free(a), free(b), free(brute), free(fast);
}

static void test_fast_gcd_handles_zero_and_extremes(void) {
    const int64_t a[] = {0, 0, 12, INT64_MAX, INT64_MAX, INT64_C(1) << 62, INT64_C(4611686018427387847)};
    const int64_t b[] = {0, 5, 0, INT64_MAX, INT64_MAX - 1, INT64_C(3) << 40, INT64_C(4611686018427387817)};
    enum { N = sizeof a / sizeof a[0] };
    int64_t out[N];
    CHECK_STATUS(PC_OK, pc_gcd_fast(a, b, out, N, NULL));
    for (int k = 0; k < N; k++) CHECK(out[k] == euclid(a[k], b[k]));
    CHECK(out[0] == 0);
    CHECK(out[3] == INT64_MAX);
    CHECK(out[5] == INT64_C(1) << 40);
}

static void test_kernels_reject_bad_arguments(void) {
    int64_t a[] = {4, 6, -5, 8};
    int64_t b[] = {2, 0, 3, 4};
    int64_t out[4] = {111, 111, 111, 111};
    uint64_t bad = 999;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_gcd_brute(a, b, out, 4, &bad));
    CHECK(bad == 1); /* b[1] == 0 is the first offender for brute force */
    CHECK(out[0] == 111); /* nothing written before validation passed */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_gcd_fast(a, b, out, 4, &bad));
    CHECK(bad == 2); /* zero is fine for the fast kernel; -5 is not */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_gcd_brute(a, b, out, 4, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_gcd_brute(NULL, b, out, 4, &bad));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_gcd_brute(a, NULL, out, 4, &bad));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_gcd_fast(a, b, NULL, 4, &bad));
    CHECK_STATUS(PC_OK, pc_gcd_brute(NULL, NULL, NULL, 0, NULL)); /* empty input needs no buffers */

    pc_args args = pair_args(a, b, out);
    CHECK_STATUS(PC_ERR_UNKNOWN_KERNEL, pc_run(0, &args, 4, NULL));
    CHECK_STATUS(PC_ERR_UNKNOWN_KERNEL, pc_run(42, &args, 4, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run(PC_KERNEL_GCD_FAST, NULL, 4, NULL));
    int64_t ok_a[] = {12, 18}, ok_b[] = {18, 12};
    args = pair_args(ok_a, ok_b, out);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_GCD_BRUTE, &args, 2, NULL));
    CHECK(out[0] == 6 && out[1] == 6);
}

/* ---- pool --------------------------------------------------------------------------------------- */

static void test_pool_create_validates_and_reports_threads(void) {
    pc_pool* pool = (pc_pool*)&checks_failed; /* must be overwritten with NULL on failure */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_pool_create(-1, &pool));
    CHECK(pool == NULL);
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_pool_create(1025, &pool));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_create(2, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_destroy(NULL));
    CHECK_STATUS(PC_OK, pc_pool_create(0, &pool));
    int32_t threads = -1;
    CHECK_STATUS(PC_OK, pc_pool_thread_count(pool, &threads));
    CHECK(threads == pc_cpu_count());
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_thread_count(pool, NULL));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    CHECK_STATUS(PC_OK, pc_pool_create(3, &pool));
    CHECK_STATUS(PC_OK, pc_pool_thread_count(pool, &threads));
    CHECK(threads == 3);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_job_results_match_serial_for_every_chunk_size(void) {
    enum { N = 1003 }; /* not a multiple of any chunk below */
    int64_t a[N], b[N], expected[N], out[N];
    for (int k = 0; k < N; k++) {
        a[k] = (int64_t)(next_random() % 20000) + 1;
        b[k] = (int64_t)(next_random() % 20000) + 1;
        expected[k] = euclid(a[k], b[k]);
    }
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(4, &pool));
    const uint64_t chunks[] = {0, 1, 7, 64, 1000, 1003, 5000};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        for (int32_t kernel = PC_KERNEL_GCD_BRUTE; kernel <= PC_KERNEL_GCD_FAST; kernel++) {
            memset(out, 0, sizeof out);
            pc_args args = pair_args(a, b, out);
            pc_job* job = NULL;
            CHECK_STATUS(PC_OK, pc_job_submit(pool, kernel, &args, N, chunks[c], &job, NULL));
            CHECK_STATUS(PC_OK, pc_job_wait(job, -1));
            uint64_t done = 0, total = 0;
            CHECK_STATUS(PC_OK, pc_job_progress(job, &done, &total));
            CHECK(done == N && total == N);
            CHECK(memcmp(out, expected, sizeof out) == 0);
            CHECK_STATUS(PC_OK, pc_job_free(job));
        }
    }
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_job_submit_validates_arguments(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    int64_t a[] = {3, 4, 5}, b[] = {6, 8, -1}, out[3];
    pc_args args = pair_args(a, b, out);
    pc_job* job = (pc_job*)&checks_failed;
    uint64_t bad = 0;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_submit(pool, PC_KERNEL_GCD_FAST, &args, 3, 1, &job, &bad));
    CHECK(job == NULL);
    CHECK(bad == 2);
    CHECK_STATUS(PC_ERR_UNKNOWN_KERNEL, pc_job_submit(pool, 77, &args, 3, 1, &job, &bad));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_submit(NULL, PC_KERNEL_GCD_FAST, &args, 3, 1, &job, &bad));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_submit(pool, PC_KERNEL_GCD_FAST, NULL, 3, 1, &job, &bad));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_submit(pool, PC_KERNEL_GCD_FAST, &args, 3, 1, NULL, &bad));
    args.out[0] = NULL;
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_submit(pool, PC_KERNEL_GCD_FAST, &args, 3, 1, &job, &bad));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_wait(NULL, 0));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_cancel(NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_progress(NULL, NULL, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_free(NULL));

    /* an empty job is finished at submission */
    args = pair_args(NULL, NULL, NULL);
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, 0, 0, &job, NULL));
    CHECK_STATUS(PC_OK, pc_job_wait(job, 0));
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_cancel_stops_a_job_inside_a_long_item(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    int64_t a[4] = {ENDLESS_A, ENDLESS_A, ENDLESS_A, ENDLESS_A};
    int64_t b[4] = {ENDLESS_B, ENDLESS_B, ENDLESS_B, ENDLESS_B};
    int64_t out[4] = {0};
    pc_args args = pair_args(a, b, out);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, 4, 1, &job, NULL));
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 0));
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 20 * 1000000L)); /* 20 ms: still far from done */
    CHECK_STATUS(PC_ERR_BUSY, pc_job_free(job));                   /* never freed under the workers */
    double start = now_seconds();
    CHECK_STATUS(PC_OK, pc_job_cancel(job));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 5 * 1000000000L));
    CHECK(now_seconds() - start < 1.0); /* the workers checked the flag inside the loop */
    uint64_t done = 99;
    CHECK_STATUS(PC_OK, pc_job_progress(job, &done, NULL));
    CHECK(done == 0);
    CHECK_STATUS(PC_OK, pc_job_cancel(job)); /* cancelling a finished job is a no-op */
    CHECK_STATUS(PC_OK, pc_job_free(job));

    /* the pool is still usable afterwards */
    int64_t x[] = {12}, y[] = {30}, g[1];
    args = pair_args(x, y, g);
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 1, 1, &job, NULL));
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 5 * 1000000L)); /* created, not started */
    CHECK_STATUS(PC_OK, pc_job_start_and_wait(job, x, y, g, NULL, NULL, NULL));
    CHECK_STATUS(PC_OK, pc_job_start(job)); /* a second start does nothing */
    CHECK(g[0] == 6);
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_cancel_of_a_queued_job_finishes_it_without_a_worker(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t a[1] = {ENDLESS_A}, b[1] = {ENDLESS_B}, out[1];
    int64_t c[1] = {10}, d[1] = {4}, out2[1] = {0};
    pc_args blocker_args = pair_args(a, b, out);
    pc_args queued_args = pair_args(c, d, out2);
    pc_job* blocker = NULL;
    pc_job* queued = NULL;
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &blocker_args, 1, 1, &blocker, NULL));
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &queued_args, 1, 1, &queued, NULL));
    sleep_ms(10);
    CHECK_STATUS(PC_OK, pc_job_cancel(queued)); /* the only worker is busy with the blocker */
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(queued, 1000000000L));
    CHECK(out2[0] == 0);
    CHECK_STATUS(PC_OK, pc_job_cancel(blocker));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(blocker, 5 * 1000000000L));
    CHECK_STATUS(PC_OK, pc_job_free(queued));
    CHECK_STATUS(PC_OK, pc_job_free(blocker));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_job_cancelled_before_start_never_runs(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    int64_t a[2] = {12, 30}, b[2] = {18, 45}, out[2] = {0, 0};
    pc_args args = pair_args(a, b, out);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 2, 1, &job, NULL));
    CHECK_STATUS(PC_OK, pc_job_cancel(job));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 0));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_start_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK(out[0] == 0 && out[1] == 0);
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_start(NULL));
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_progress_grows_while_the_job_runs(void) {
    enum { N = 64 };
    int64_t a[N], b[N], out[N];
    for (int k = 0; k < N; k++) {
        a[k] = 3000017 + 2 * k; /* each item costs ~3e6 iterations */
        b[k] = 3000029 + 2 * k;
    }
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    pc_args args = pair_args(a, b, out);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, N, 1, &job, NULL));
    uint64_t last = 0, total = 0;
    int increases = 0;
    while (pc_job_wait(job, 1000000L) == PC_ERR_TIMEOUT) { /* poll every 1 ms */
        uint64_t done = 0;
        CHECK_STATUS(PC_OK, pc_job_progress(job, &done, &total));
        CHECK(done >= last && done <= N);
        if (done > last) increases++;
        last = done;
    }
    CHECK(total == N);
    CHECK(increases >= 2); /* progress was seen between start and end, not just at the end */
    for (int k = 0; k < N; k++) CHECK(out[k] == euclid(a[k], b[k]));
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_destroy_with_jobs_in_flight_cancels_them(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    int64_t a[3] = {ENDLESS_A, ENDLESS_A, ENDLESS_A}, b[3] = {ENDLESS_B, ENDLESS_B, ENDLESS_B}, out[3];
    pc_args args = pair_args(a, b, out);
    pc_job* jobs[5];
    for (int j = 0; j < 5; j++) CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, 3, 1, &jobs[j], NULL));
    sleep_ms(5);
    double start = now_seconds();
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    CHECK(now_seconds() - start < 2.0);
    for (int j = 0; j < 5; j++) {
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(jobs[j], 0)); /* still valid after the pool is gone */
        CHECK_STATUS(PC_OK, pc_job_cancel(jobs[j]));
        CHECK_STATUS(PC_OK, pc_job_free(jobs[j]));
    }
}

typedef struct submitter {
    pc_pool* pool;
    uint64_t seed;
    int failures;
} submitter;

static void* submit_many(void* arg) {
    submitter* s = arg;
    enum { N = 257, JOBS = 25 };
    int64_t a[N], b[N], out[N];
    uint64_t x = s->seed;
    for (int j = 0; j < JOBS; j++) {
        for (int k = 0; k < N; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            a[k] = (int64_t)(x >> 48) + 1;
            b[k] = (int64_t)((x >> 24) & 0xFFFF) + 1;
        }
        pc_args args = pair_args(a, b, out);
        pc_job* job = NULL;
        int32_t kernel = j % 2 ? PC_KERNEL_GCD_FAST : PC_KERNEL_GCD_BRUTE;
        if (pc_job_submit(s->pool, kernel, &args, N, (uint64_t)(j % 7), &job, NULL) != PC_OK ||
            pc_job_wait(job, -1) != PC_OK) {
            s->failures++;
        }
        for (int k = 0; k < N; k++) s->failures += out[k] != euclid(a[k], b[k]);
        if (job != NULL) pc_job_free(job);
    }
    return NULL;
}

static void test_many_concurrent_submitters_share_one_pool(void) {
    enum { SUBMITTERS = 8 };
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(3, &pool));
    pthread_t threads[SUBMITTERS];
    submitter subs[SUBMITTERS];
    for (int t = 0; t < SUBMITTERS; t++) {
        subs[t] = (submitter){pool, (uint64_t)t * 7919u + 1u, 0};
        CHECK(pthread_create(&threads[t], NULL, submit_many, &subs[t]) == 0);
    }
    for (int t = 0; t < SUBMITTERS; t++) {
        pthread_join(threads[t], NULL);
        CHECK(subs[t].failures == 0);
    }
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* ---- kernel catalogue --------------------------------------------------------------------------- */

static int64_t count_primes(int32_t kernel, int64_t lo, int64_t hi, int64_t block, pc_pool* pool) {
    uint64_t n = (uint64_t)(hi - lo);
    uint64_t blocks = (n + (uint64_t)block - 1) / (uint64_t)block;
    int64_t* partial = calloc(blocks + 1, sizeof *partial);
    pc_args args;
    memset(&args, 0, sizeof args);
    args.iparam[0] = lo;
    args.iparam[1] = block;
    SET_OUT_BYTES(args, 0, partial, (blocks + 1) * sizeof *partial);
    pc_status st;
    if (pool == NULL) {
        st = pc_run(kernel, &args, n, NULL);
    } else {
        pc_job* job = NULL;
        st = pc_job_submit(pool, kernel, &args, n, (uint64_t)block * 3, &job, NULL);
        if (st == PC_OK) st = pc_job_wait(job, -1);
        if (job != NULL) pc_job_free(job);
    }
    int64_t total = st == PC_OK ? 0 : -1;
    for (uint64_t b = 0; st == PC_OK && b < blocks; b++) total += partial[b];
    free(partial);
    return total;
}

static void test_prime_counts_match_published_values(void) {
    /* pi(10^k), k = 1..7 */
    const int64_t pi[] = {0, 4, 25, 168, 1229, 9592, 78498, 664579};
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(3, &pool));
    int64_t hi = 1;
    for (int k = 1; k <= 7; k++) {
        hi *= 10;
        CHECK(count_primes(PC_KERNEL_PRIMES_SIEVE, 0, hi, 4096, pool) == pi[k]);
        CHECK(count_primes(PC_KERNEL_PRIMES_SIEVE, 0, hi, 1000, NULL) == pi[k]);
        if (k <= 6) {
            CHECK(count_primes(PC_KERNEL_PRIMES_TRIAL, 0, hi, 777, pool) == pi[k]);
            CHECK(count_primes(PC_KERNEL_PRIMES_TRIAL, 0, hi, 100000, NULL) == pi[k]);
        }
    }
    /* a window far from zero: primes in [10^9, 10^9 + 1000) = 49 */
    CHECK(count_primes(PC_KERNEL_PRIMES_TRIAL, 1000000000, 1000001000, 64, pool) == 49);
    CHECK(count_primes(PC_KERNEL_PRIMES_SIEVE, 1000000000, 1000001000, 64, pool) == 49);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_catalogue_validates_parameters(void) {
    int64_t counts[8];
    double x[4] = {1, 2, 3, 4};
    pc_args args;
    memset(&args, 0, sizeof args);
    SET_OUT(args, 0, counts);
    args.iparam[0] = -1; /* lo */
    args.iparam[1] = 2;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_PRIMES_TRIAL, &args, 4, NULL));
    args.iparam[0] = 0;
    args.iparam[1] = 0; /* block */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, 4, NULL));
    args.iparam[0] = INT64_C(2000000000000); /* beyond the sieve's range */
    args.iparam[1] = 2;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_PRIMES_SIEVE, &args, 4, NULL));
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_PRIMES_TRIAL, &args, 4, NULL));

    memset(&args, 0, sizeof args);
    SET_OUT(args, 0, counts);
    args.iparam[0] = 0; /* width */
    args.iparam[1] = 10;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MANDELBROT, &args, 4, NULL));
    args.iparam[0] = 2;
    args.dparam[2] = NAN;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_MANDELBROT, &args, 4, NULL));

    memset(&args, 0, sizeof args);
    SET_IN(args, 0, x);
    SET_OUT(args, 0, counts);
    args.iparam[0] = 4; /* bins */
    args.iparam[1] = 2;
    args.dparam[0] = 1.0, args.dparam[1] = 1.0, args.dparam[2] = 1.0; /* lo == hi */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    args.dparam[1] = 5.0;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_HISTOGRAM, &args, 4, NULL));
    CHECK(counts[0] == 1 && counts[1] == 1 && counts[2] == 0 && counts[3] == 0); /* block 0: 1, 2 */
    CHECK(counts[4] == 0 && counts[5] == 0 && counts[6] == 1 && counts[7] == 1); /* block 1: 3, 4 */

    memset(&args, 0, sizeof args);
    SET_IN(args, 0, x);
    SET_OUT(args, 0, counts);
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run(PC_KERNEL_REDUCE_DOT, &args, 4, NULL)); /* in[1] missing */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_REDUCE_SUM, &args, 4, NULL)); /* block 0 */

    pc_pool* pool = NULL;
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    args.iparam[0] = 4;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_submit(pool, PC_KERNEL_REDUCE_SUM, &args, 4, 6, &job, NULL));
    CHECK(job == NULL); /* chunk 6 is not a multiple of block 4 */
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_reductions_and_matmul_compute_in_documented_order(void) {
    double x[5] = {1e16, 1.0, -1e16, NAN, -0.0};
    double y[5] = {1.0, 2.0, 1.0, 0.0, 3.0};
    double sums[3], comps[3], values[6];
    int64_t idx[6];
    pc_args args;
    memset(&args, 0, sizeof args);
    SET_IN(args, 0, x);
    SET_IN(args, 1, y);
    args.iparam[0] = 3;
    SET_OUT(args, 0, sums);
    SET_OUT(args, 1, comps);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_SUM, &args, 3, NULL));
    CHECK(sums[0] == 0.0); /* (1e16 + 1) - 1e16 loses the 1 */
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_SUM_NEUMAIER, &args, 3, NULL));
    CHECK(sums[0] + comps[0] == 1.0); /* the compensation keeps it */
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_DOT, &args, 3, NULL));
    CHECK(sums[0] == 2.0); /* 1e16 + 2 is exact (ulp 2), then - 1e16 */
    /* the documented lane order: lane 0 gets x[0] and x[8] (which cancel exactly), lanes 1..7 and lane 1
       again the ones; a single left-to-right chain would lose the seven ones added to 1e16 */
    double lanes_x[10] = {1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, 1};
    double lanes_ones[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    double lanes_sum[1];
    pc_args lanes_args;
    memset(&lanes_args, 0, sizeof lanes_args);
    SET_IN(lanes_args, 0, lanes_x);
    SET_IN(lanes_args, 1, lanes_ones);
    SET_OUT(lanes_args, 0, lanes_sum);
    lanes_args.iparam[0] = 16;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_SUM, &lanes_args, 10, NULL));
    CHECK(lanes_sum[0] == 8.0);
    lanes_sum[0] = 0.0;
    CHECK_STATUS(PC_OK, pc_run_keep(PC_KERNEL_REDUCE_SUM, &lanes_args, 10, NULL, lanes_x, NULL, NULL, NULL));
    CHECK(lanes_sum[0] == 8.0);
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_keep(PC_KERNEL_REDUCE_SUM, NULL, 10, NULL, lanes_x, NULL, NULL, NULL));
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_DOT, &lanes_args, 10, NULL));
    CHECK(lanes_sum[0] == 8.0);
    SET_OUT(args, 0, values);
    SET_OUT(args, 1, idx);
    args.iparam[0] = 4;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, 5, NULL));
    CHECK(values[0] == -1e16 && idx[0] == 2 && values[1] == 1e16 && idx[1] == 0);
    CHECK(values[2] == 0.0 && idx[2] == 4 && idx[3] == 4); /* block 1 holds only -0.0 */

    /* min/max lanes and tail: ties across lanes go to the first index, with its own zero's sign */
    double mm_x[9] = {3, 1, 2, 1, 5, 0.0, 7, -0.0, 0.0};
    double mm_v[2];
    int64_t mm_i[2];
    memset(&args, 0, sizeof args);
    SET_IN(args, 0, mm_x);
    SET_OUT(args, 0, mm_v);
    SET_OUT(args, 1, mm_i);
    args.iparam[0] = 16;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, 9, NULL));
    CHECK(mm_v[0] == 0.0 && !signbit(mm_v[0]) && mm_i[0] == 5 && mm_v[1] == 7 && mm_i[1] == 6);
    double mm_nan_then_4[6] = {NAN, NAN, NAN, NAN, NAN, 4}; /* the only number is in the tail */
    SET_IN(args, 0, mm_nan_then_4);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, 6, NULL));
    CHECK(mm_v[0] == 4 && mm_i[0] == 5 && mm_v[1] == 4 && mm_i[1] == 5);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, 5, NULL)); /* only NaN */
    CHECK(isnan(mm_v[0]) && mm_i[0] == -1 && isnan(mm_v[1]) && mm_i[1] == -1);
    double mm_inf[5] = {NAN, INFINITY, NAN, INFINITY, -INFINITY};
    SET_IN(args, 0, mm_inf);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, 4, NULL)); /* +Inf is a number */
    CHECK(mm_v[0] == INFINITY && mm_i[0] == 1 && mm_v[1] == INFINITY && mm_i[1] == 1);
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_MINMAX, &args, 5, NULL));
    CHECK(mm_v[0] == -INFINITY && mm_i[0] == 4 && mm_v[1] == INFINITY && mm_i[1] == 1);

    double a[6] = {1, 2, 3, 4, 5, 6};   /* 2 x 3 */
    double b[6] = {7, 8, 9, 10, 11, 12}; /* 3 x 2 */
    double c[4];
    memset(&args, 0, sizeof args);
    SET_IN(args, 0, a);
    SET_IN(args, 1, b);
    SET_OUT(args, 0, c);
    args.iparam[0] = 3;
    args.iparam[1] = 2;
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_MATMUL, &args, 2, NULL));
    CHECK(c[0] == 58 && c[1] == 64 && c[2] == 139 && c[3] == 154);
}

static void test_kernel_names_and_planted_bug_switch(void) {
    CHECK(pc_kernel_count() >= PC_KERNEL_HISTOGRAM);
    for (int32_t k = 1; k <= pc_kernel_count(); k++) CHECK(pc_kernel_name(k) != NULL);
    CHECK(strcmp(pc_kernel_name(PC_KERNEL_GCD_BRUTE), "gcd_brute") == 0);
    CHECK(pc_kernel_name(0) == NULL && pc_kernel_name(pc_kernel_count() + 1) == NULL);
    CHECK_STATUS(PC_ERR_UNKNOWN_KERNEL, pc_test_plant_bug(99, 1));
    int64_t a[2] = {10, 3}, b[2] = {4, 9}, out[2];
    CHECK_STATUS(PC_OK, pc_test_plant_bug(PC_KERNEL_GCD_FAST, 1));
    CHECK_STATUS(PC_OK, pc_gcd_fast(a, b, out, 2, NULL));
    CHECK(out[0] == 3 && out[1] == 4); /* a % 7 == 3: both wrong by one */
    CHECK_STATUS(PC_OK, pc_test_plant_bug(PC_KERNEL_GCD_FAST, 0));
    CHECK_STATUS(PC_OK, pc_gcd_fast(a, b, out, 2, NULL));
    CHECK(out[0] == 2 && out[1] == 3);
}

int main(void) {
    printf("pcompute %s C tests, random seed 0x%016" PRIx64 "\n", pc_version(), rng_state);
    run_test("strerror_names_every_status", test_strerror_names_every_status);
    run_test("gcd_kernels_match_euclid_on_seed_pairs", test_gcd_kernels_match_euclid_on_seed_pairs);
    run_test("gcd_kernels_match_euclid_on_random_and_edge_pairs", test_gcd_kernels_match_euclid_on_random_and_edge_pairs);
    run_test("fast_gcd_handles_zero_and_extremes", test_fast_gcd_handles_zero_and_extremes);
    run_test("kernels_reject_bad_arguments", test_kernels_reject_bad_arguments);
    run_test("pool_create_validates_and_reports_threads", test_pool_create_validates_and_reports_threads);
    run_test("job_results_match_serial_for_every_chunk_size", test_job_results_match_serial_for_every_chunk_size);
    run_test("job_submit_validates_arguments", test_job_submit_validates_arguments);
    run_test("cancel_stops_a_job_inside_a_long_item", test_cancel_stops_a_job_inside_a_long_item);
    run_test("cancel_of_a_queued_job_finishes_it_without_a_worker", test_cancel_of_a_queued_job_finishes_it_without_a_worker);
    run_test("job_cancelled_before_start_never_runs", test_job_cancelled_before_start_never_runs);
    run_test("progress_grows_while_the_job_runs", test_progress_grows_while_the_job_runs);
    run_test("destroy_with_jobs_in_flight_cancels_them", test_destroy_with_jobs_in_flight_cancels_them);
    run_test("many_concurrent_submitters_share_one_pool", test_many_concurrent_submitters_share_one_pool);
    run_test("prime_counts_match_published_values", test_prime_counts_match_published_values);
    run_test("catalogue_validates_parameters", test_catalogue_validates_parameters);
    run_test("reductions_and_matmul_compute_in_documented_order", test_reductions_and_matmul_compute_in_documented_order);
    run_test("kernel_names_and_planted_bug_switch", test_kernel_names_and_planted_bug_switch);
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
