/* Hand-off latency of the pool (issue 11 item 3): the round trip of a synchronous job, from the call to
 * its return, median and 90th percentile of many, for
 *   - an "empty" job: one gcd_brute item of gcd(1, 1), so all of the time is hand-off;
 *   - a two-task job: two such items, one task each (a worker must take part unless the caller does both);
 *   - a small reduction: reduce_sum over 4,096 doubles in two tasks of 2,048 (0.3 us of work each);
 * on pools of 1 and 2 workers, with the spin window off and at PC_POOL_DEFAULT_SPIN_NS, by
 *   sync  pc_job_run_and_wait: the caller runs its own job's tasks, then spins for the rest;
 *   wait  pc_job_start + pc_job_wait (what pc_job_start_and_wait does): the caller only sleeps; with spin 0 this is the hand-off before
 *         issue 11 (workers slept at once, the caller slept on the job's condition variable).
 * Back to back (the next job starts as soon as the last returned) and after 1 ms of idleness (past the
 * window: the workers are asleep again). A measurement, not a test: run it by hand, on a quiet machine
 * if you can, and state its load beside the numbers:
 *     handoff_latency [iterations]      (default 20000 back to back, a tenth of it with idle gaps)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcompute.h"

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void* a, const void* b) {
    int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
    return (x > y) - (x < y);
}

typedef struct {
    const char* name;
    int32_t kernel;
    pc_args args;
    uint64_t n;
    uint64_t chunk;
} shape;

/* Runs `iterations` jobs of the shape and prints the median and p90 round trip, in microseconds. */
static int measure(pc_pool* pool, const shape* s, int sync, int iterations, long gap_ns, const char* label) {
    int64_t* times = malloc((size_t)iterations * sizeof *times);
    if (times == NULL) return 1;
    int warmup = iterations / 10;
    for (int i = -warmup; i < iterations; i++) {
        if (gap_ns > 0) {
            struct timespec gap = {0, gap_ns};
            nanosleep(&gap, NULL);
        }
        pc_job* job = NULL;
        if (pc_job_create(pool, s->kernel, &s->args, s->n, s->chunk, &job, NULL) != PC_OK) return 1;
        int64_t t0 = now_ns();
        pc_status st;
        if (sync) {
            st = pc_job_run_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL);
        } else {
            st = pc_job_start(job);
            if (st == PC_OK) st = pc_job_wait(job, -1);
        }
        int64_t t1 = now_ns();
        pc_job_free(job);
        if (st != PC_OK) {
            fprintf(stderr, "job failed: %s\n", pc_strerror(st));
            return 1;
        }
        if (i >= 0) times[i] = t1 - t0;
    }
    qsort(times, (size_t)iterations, sizeof *times, cmp_i64);
    printf("%-26s %-5s %-11s median %8.2f us   p90 %8.2f us\n", s->name, sync ? "sync" : "wait", label,
           (double)times[iterations / 2] / 1e3, (double)times[iterations * 9 / 10] / 1e3);
    free(times);
    return 0;
}

int main(int argc, char** argv) {
    int iterations = argc > 1 ? atoi(argv[1]) : 20000;
    if (iterations < 10) iterations = 10;
    static int64_t ones[2] = {1, 1}, out[2];
    static double xs[4096], sums[2];
    for (int i = 0; i < 4096; i++) xs[i] = (double)i * 0.5;
    pc_args pair = {.in = {ones, ones}, .out = {out}, .in_bytes = {sizeof ones, sizeof ones}, .out_bytes = {sizeof out}};
    pc_args reduce = {.in = {xs}, .out = {sums}, .iparam = {2048}, .in_bytes = {sizeof xs}, .out_bytes = {sizeof sums}};
    const shape shapes[] = {
        {.name = "empty (1 trivial task)", .kernel = PC_KERNEL_GCD_BRUTE, .args = pair, .n = 1, .chunk = 1},
        {.name = "2 trivial tasks", .kernel = PC_KERNEL_GCD_BRUTE, .args = pair, .n = 2, .chunk = 1},
        {.name = "reduce_sum 4096, 2 tasks", .kernel = PC_KERNEL_REDUCE_SUM, .args = reduce, .n = 4096, .chunk = 2048},
    };
    printf("pcompute %s hand-off latency: %d online CPUs, %d jobs per line back to back, %d with 1 ms gaps\n",
           pc_version(), (int)pc_cpu_count(), iterations, iterations / 10);
    const int32_t workers[] = {1, 2};
    const int64_t spins[] = {0, PC_POOL_DEFAULT_SPIN_NS};
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
        for (size_t p = 0; p < sizeof spins / sizeof spins[0]; p++) {
            pc_pool* pool = NULL;
            if (pc_pool_create(workers[w], &pool) != PC_OK || pc_pool_set_spin_ns(pool, spins[p]) != PC_OK) return 1;
            printf("-- %d worker(s), spin window %lld ns\n", (int)workers[w], (long long)spins[p]);
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                for (int sync = 0; sync <= 1; sync++) {
                    if (measure(pool, &shapes[s], sync, iterations, 0, "back2back") != 0) return 1;
                    if (measure(pool, &shapes[s], sync, iterations / 10, 1000000, "1ms-gaps") != 0) return 1;
                }
            }
            pc_pool_destroy(pool);
        }
    }
    return 0;
}
