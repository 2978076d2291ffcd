/* Cancel-to-idle per kernel on adversarial inputs: a measurement for the benchmark report, not a test.
 * For each case, a job is submitted to a pool of 2 workers (two tasks, one per worker, so each task is
 * long), the program sleeps, cancels, and times how long pc_job_wait takes to return: the time the
 * workers need to notice the cancel and stop. Prints one row per case; the goal is <= 10 ms (the kernels
 * look at the flag about every 0.3 ms of work). Needs about 1.5 GiB of memory. On a loaded machine the
 * worst case mostly measures the scheduler (a 4 ms tick), the median and best the kernels.
 *   build/pcompute_cancel_latency [repeats]   (default 5 repeats; median, worst and best reported) */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcompute.h"

/* Sets buffer slot i of a pc_args and its length in bytes. */
#define SET_IN_BYTES(args, i, ptr, bytes) ((args).in[i] = (ptr), (args).in_bytes[i] = (bytes))
#define SET_OUT_BYTES(args, i, ptr, bytes) ((args).out[i] = (ptr), (args).out_bytes[i] = (bytes))

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct cancel_case {
    const char* name;
    const char* input;
    int32_t kernel;
    pc_args args;
    uint64_t n;
    uint64_t chunk;
    long sleep_ms;
} cancel_case;

/* One measurement: ms from pc_job_cancel to pc_job_wait's return, or -1 if the job had already finished
   (cancelled too late to say anything), or -2 on an error. */
static double measure(pc_pool* pool, const cancel_case* c) {
    pc_job* job = NULL;
    pc_status st = pc_job_submit(pool, c->kernel, &c->args, c->n, c->chunk, &job, NULL);
    if (st != PC_OK) {
        fprintf(stderr, "%s: submit failed: %s\n", c->name, pc_strerror(st));
        return -2;
    }
    sleep_ms(c->sleep_ms);
    double t0 = now_ms();
    pc_job_cancel(job);
    st = pc_job_wait(job, INT64_C(60000000000));
    double t1 = now_ms();
    if (st == PC_ERR_TIMEOUT) {
        fprintf(stderr, "%s: still running 60 s after the cancel\n", c->name);
        exit(2);
    }
    pc_job_free(job);
    return st == PC_ERR_CANCELLED ? t1 - t0 : -1;
}

int main(int argc, char** argv) {
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (repeats < 1 || repeats > 100) repeats = 5;

    /* shared inputs */
    const uint64_t pairs = 4000000;
    int64_t* a = malloc(pairs * sizeof *a);
    int64_t* b = malloc(pairs * sizeof *b);
    int64_t* out = malloc(16000000 * sizeof *out);
    const uint64_t OUT_BYTES = 16000000 * sizeof *out;
    const uint64_t values = UINT64_C(1) << 26; /* 512 MiB of doubles */
    double* x = malloc(values * sizeof *x);
    double* partials = malloc(2 * values * sizeof *partials);
    int64_t* bins = malloc(2 * (UINT64_C(1) << 24) * sizeof *bins);
    const int64_t rows = 4096, k = 256, cols = 4096;
    double* ma = malloc((size_t)(rows * k) * sizeof *ma);
    double* mb = malloc((size_t)(k * cols) * sizeof *mb);
    double* mc = malloc((size_t)(rows * cols) * sizeof *mc);
    if (!a || !b || !out || !x || !partials || !bins || !ma || !mb || !mc) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (uint64_t i = 0; i < values; i++) x[i] = (double)(i % 1000) / 1000.0;
    for (int64_t i = 0; i < rows * k; i++) ma[i] = 1.0 / (double)(i + 1);
    for (int64_t i = 0; i < k * cols; i++) mb[i] = 1.0 / (double)(i + 2);

    cancel_case cases[16];
    int count = 0;
    pc_args args;

#define ADD(NAME, INPUT, KERNEL, N, CHUNK, SLEEP)                                                  \
    cases[count++] = (cancel_case){NAME, INPUT, KERNEL, args, (uint64_t)(N), (uint64_t)(CHUNK), SLEEP}

    for (uint64_t i = 0; i < pairs; i++) a[i] = 60013, b[i] = 60017;
    memset(&args, 0, sizeof args);
    SET_IN_BYTES(args, 0, a, pairs * 8), SET_IN_BYTES(args, 1, b, pairs * 8), SET_OUT_BYTES(args, 0, out, OUT_BYTES);
    ADD("gcd_brute", "200k coprime pairs ~6e4 (below the old 65,536 check)", PC_KERNEL_GCD_BRUTE, 200000, 100000, 50);

    int64_t* fa = malloc(pairs * sizeof *fa);
    int64_t* fb = malloc(pairs * sizeof *fb);
    for (uint64_t i = 0; i < pairs; i++) fa[i] = INT64_MAX - (int64_t)i, fb[i] = 1 + 3 * (int64_t)i;
    SET_IN_BYTES(args, 0, fa, pairs * 8), SET_IN_BYTES(args, 1, fb, pairs * 8);
    ADD("gcd_fast", "4M pairs near 2^63, 2 tasks", PC_KERNEL_GCD_FAST, pairs, pairs / 2, 50);

    memset(&args, 0, sizeof args);
    SET_OUT_BYTES(args, 0, out, OUT_BYTES);
    args.iparam[0] = 0, args.iparam[1] = INT64_C(1) << 20;
    ADD("primes_trial", "[0, 2^33): small items", PC_KERNEL_PRIMES_TRIAL, UINT64_C(1) << 33, UINT64_C(1) << 32, 50);
    args.iparam[0] = (INT64_C(1) << 62) - (INT64_C(1) << 20), args.iparam[1] = 1;
    ADD("primes_trial", "[2^62 - 2^20, 2^62): long items", PC_KERNEL_PRIMES_TRIAL, UINT64_C(1) << 20, UINT64_C(1) << 19, 50);
    args.iparam[0] = PC_PRIMES_SIEVE_MAX_END - (INT64_C(1) << 32), args.iparam[1] = INT64_C(1) << 31;
    ADD("primes_sieve", "2 blocks of 2^31 below 10^12", PC_KERNEL_PRIMES_SIEVE, UINT64_C(1) << 32, UINT64_C(1) << 31, 50);
    args.iparam[0] = 0, args.iparam[1] = 16384;
    ADD("primes_sieve", "[0, 10^11), blocks of 2^14", PC_KERNEL_PRIMES_SIEVE, UINT64_C(100000000000),
        UINT64_C(16384) * 3051758, 50);

    memset(&args, 0, sizeof args);
    SET_OUT_BYTES(args, 0, out, OUT_BYTES);
    args.iparam[0] = 4000, args.iparam[1] = 65000;
    args.dparam[0] = -2.0, args.dparam[1] = -1.5, args.dparam[2] = 3.0 / 4000, args.dparam[3] = 3.0 / 4000;
    ADD("mandelbrot", "4000x4000, max_iter 65000", PC_KERNEL_MANDELBROT, 16000000, 8000000, 50);

    int64_t* starts = malloc(16000000 * sizeof *starts);
    for (int64_t i = 0; i < 16000000; i++) starts[i] = PC_COLLATZ_MAX_START - i;
    memset(&args, 0, sizeof args);
    SET_IN_BYTES(args, 0, starts, 16000000 * 8), SET_OUT_BYTES(args, 0, out, OUT_BYTES);
    ADD("collatz_steps", "16M starts below 10^9", PC_KERNEL_COLLATZ_STEPS, 16000000, 8000000, 50);

    memset(&args, 0, sizeof args);
    SET_IN_BYTES(args, 0, x, values * 8), SET_IN_BYTES(args, 1, x, values * 8);
    SET_OUT_BYTES(args, 0, partials, values * 8), SET_OUT_BYTES(args, 1, partials + values, values * 8);
    args.iparam[0] = (int64_t)(values / 2);
    ADD("reduce_sum", "2^26 values, 2 blocks", PC_KERNEL_REDUCE_SUM, values, values / 2, 10);
    ADD("reduce_sum_neumaier", "2^26 values, 2 blocks", PC_KERNEL_REDUCE_SUM_NEUMAIER, values, values / 2, 10);
    ADD("reduce_dot", "2^26 values, 2 blocks", PC_KERNEL_REDUCE_DOT, values, values / 2, 10);
    ADD("reduce_minmax", "2^26 values, 2 blocks", PC_KERNEL_REDUCE_MINMAX, values, values / 2, 10);

    memset(&args, 0, sizeof args);
    SET_IN_BYTES(args, 0, x, values * 8), SET_OUT_BYTES(args, 0, bins, 2 * (UINT64_C(1) << 24) * 8);
    args.iparam[0] = INT64_C(1) << 24, args.iparam[1] = (int64_t)(values / 2);
    args.dparam[0] = 0.0, args.dparam[1] = 1.0, args.dparam[2] = (double)(INT64_C(1) << 24);
    ADD("histogram", "2^26 values, 2^24 bins, 2 blocks", PC_KERNEL_HISTOGRAM, values, values / 2, 10);

    memset(&args, 0, sizeof args);
    SET_IN_BYTES(args, 0, ma, (uint64_t)(rows * k) * 8), SET_IN_BYTES(args, 1, mb, (uint64_t)(k * cols) * 8);
    SET_OUT_BYTES(args, 0, mc, (uint64_t)(rows * cols) * 8);
    args.iparam[0] = k, args.iparam[1] = cols;
    ADD("matmul", "4096x256 * 256x4096 (one slice of B)", PC_KERNEL_MATMUL, rows, rows / 2, 50);

    pc_pool* pool = NULL;
    if (pc_pool_create(2, &pool) != PC_OK) return 1;
    printf("cancel-to-idle on a pool of 2 workers, %d runs each (ms from pc_job_cancel to pc_job_wait's return)\n",
           repeats);
    printf("%-20s %-55s %8s %8s %8s\n", "kernel", "input", "median", "worst", "best");
    for (int i = 0; i < count; i++) {
        double ms[100];
        int got = 0, finished_early = 0;
        for (int r = 0; r < repeats; r++) {
            double m = measure(pool, &cases[i]);
            if (m == -1) finished_early++;
            if (m >= 0) ms[got++] = m;
        }
        for (int p = 1; p < got; p++) { /* insertion sort */
            for (int q = p; q > 0 && ms[q - 1] > ms[q]; q--) {
                double t = ms[q];
                ms[q] = ms[q - 1], ms[q - 1] = t;
            }
        }
        if (got == 0) {
            printf("%-20s %-55s %8s %8s %8s\n", cases[i].name, cases[i].input, "n/a", "n/a", "n/a");
        } else {
            printf("%-20s %-55s %8.3f %8.3f %8.3f%s\n", cases[i].name, cases[i].input, ms[got / 2], ms[got - 1], ms[0],
                   finished_early ? "  (some runs finished before the cancel)" : "");
        }
        fflush(stdout);
    }
    pc_pool_destroy(pool);
    free(a), free(b), free(fa), free(fb), free(out), free(x), free(partials), free(bins), free(ma), free(mb), free(mc),
        free(starts);
    return 0;
}
