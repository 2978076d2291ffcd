/* Reductions over native memory, 1 vs 2 threads (issue 11 item 5): how close reduce_sum, reduce_dot and
 * reduce_minmax on the pool come to a plain C streaming read of the same 256 MiB, and how they scale.
 *   read      plain C: 16 lanes of additions over the buffer (memory-bound on one core), split in halves
 *             over 1 or 2 pthreads created per run: the streaming-read bandwidth this machine gives;
 *   pool      the kernel as a job of block 4096 (pcompute's Java block) on a pool of 1 or 2 workers, spin
 *             off, pc_job_start + pc_job_wait (so the caller does not help), for several chunk sizes:
 *             4096 (a task per block), 65536 (the Java layer's minimum chunk), n / 16 and n / 2;
 *   run       the kernel through pc_run on the calling thread (no pool), the one-thread ceiling.
 * Best of `runs` (default 7) per line, in GB/s of input read: the best run is the one least disturbed
 * by other processes, so state the machine's load beside the numbers. "per CPU-s" divides the bytes by
 * the CPU time the process spent instead (the waiting caller uses none): it tells a thread stalled on
 * memory (per CPU-s falls when a second thread reads at once) from one that was not scheduled (per CPU-s
 * stays, only the wall clock suffers), which matters on a machine shared with other work.
 * A measurement, not a test:
 *     reduce_scaling [runs]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcompute.h"

#define BYTES (256u << 20)
#define N (BYTES / sizeof(double))
#define BLOCK 4096

typedef double v4d __attribute__((vector_size(32)));

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_times[100]; /* process CPU seconds of each run, beside its wall time */

typedef struct {
    const double* x;
    size_t from, to;
    double sum;
} slice;

static void* read_slice(void* arg) {
    slice* s = arg;
    /* four chains of four lanes: two chains are bound by the latency of vaddpd, not by memory */
    v4d a[4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    for (size_t i = s->from; i + 16 <= s->to; i += 16) {
        for (int k = 0; k < 4; k++) {
            v4d u;
            memcpy(&u, s->x + i + 4 * k, sizeof u);
            a[k] += u;
        }
    }
    v4d c = (a[0] + a[1]) + (a[2] + a[3]);
    s->sum = (c[0] + c[1]) + (c[2] + c[3]);
    return NULL;
}

static double plain_read(const double* x, int threads) {
    slice s[2];
    pthread_t t[2];
    double t0 = now_s(), c0 = cpu_s();
    for (int k = 0; k < threads; k++) {
        s[k] = (slice){.x = x, .from = N / (size_t)threads * (size_t)k, .to = N / (size_t)threads * (size_t)(k + 1)};
        if (pthread_create(&t[k], NULL, read_slice, &s[k]) != 0) return -1;
    }
    for (int k = 0; k < threads; k++) pthread_join(t[k], NULL);
    double took = now_s() - t0;
    cpu_times[0] = cpu_s() - c0;
    volatile double sink = s[0].sum;
    (void)sink;
    return took;
}

static double best(double* times, int runs) {
    double b = times[0];
    for (int i = 1; i < runs; i++) b = times[i] < b ? times[i] : b;
    return b;
}

int main(int argc, char** argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 7;
    if (runs < 1 || runs > 100) runs = 7;
    double* x = aligned_alloc(64, BYTES);
    double* partials = malloc((N / BLOCK) * 2 * sizeof(double));
    int64_t* indexes = malloc((N / BLOCK) * 2 * sizeof(int64_t));
    if (x == NULL || partials == NULL || indexes == NULL) return 1;
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++) { /* every page touched before timing */
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        x[i] = (double)(seed >> 11) * 0x1.0p-53 - 0.5;
    }
    double gb = (double)BYTES / 1e9;
    double times[100];
    printf("pcompute %s reductions over %u MiB, block %d, best of %d, %d online CPUs\n", pc_version(),
           (unsigned)(BYTES >> 20), BLOCK, runs, (int)pc_cpu_count());

    double read1 = 0, read2 = 0;
    for (int threads = 1; threads <= 2; threads++) {
        double cpus[100];
        for (int r = 0; r < runs; r++) times[r] = plain_read(x, threads), cpus[r] = cpu_times[0];
        double gbs = gb / best(times, runs);
        printf("read   %d thread(s)                 %6.2f GB/s  %6.2f GB per CPU-s\n", threads, gbs,
               gb / best(cpus, runs));
        if (threads == 1) read1 = gbs; else read2 = gbs;
    }
    printf("read   2 threads / 1 thread         %6.2fx\n", read2 / read1);

    /* dot: two halves of the buffer, so it reads the same 256 MiB */
    uint64_t pbytes = (N / BLOCK) * 2 * sizeof(double);
    pc_args sum = {.in = {x}, .out = {partials}, .iparam = {BLOCK}, .in_bytes = {BYTES}, .out_bytes = {pbytes}};
    pc_args dot = {.in = {x, x + N / 2}, .out = {partials}, .iparam = {BLOCK}, .in_bytes = {BYTES / 2, BYTES / 2},
                   .out_bytes = {pbytes}};
    pc_args minmax = {.in = {x}, .out = {partials, indexes}, .iparam = {BLOCK}, .in_bytes = {BYTES},
                      .out_bytes = {pbytes, pbytes}};
    struct {
        const char* name;
        int32_t kernel;
        const pc_args* args;
        uint64_t n;
    } kernels[] = {{"sum", PC_KERNEL_REDUCE_SUM, &sum, N},
                   {"dot", PC_KERNEL_REDUCE_DOT, &dot, N / 2},
                   {"minmax", PC_KERNEL_REDUCE_MINMAX, &minmax, N}};
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        double t0;
        for (int r = 0; r < runs; r++) {
            t0 = now_s();
            if (pc_run(kernels[k].kernel, kernels[k].args, kernels[k].n, NULL) != PC_OK) return 1;
            times[r] = now_s() - t0;
        }
        double serial = gb / best(times, runs);
        printf("%-6s run (calling thread)           %6.2f GB/s  %4.0f%% of read\n", kernels[k].name, serial,
               100 * serial / read1);
        uint64_t chunks[] = {BLOCK, 16 * BLOCK, kernels[k].n / 16, kernels[k].n / 2};
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            double gbs[3] = {0}, per_cpu[3] = {0}, cpus[100];
            for (int32_t threads = 1; threads <= 2; threads++) {
                pc_pool* pool = NULL;
                if (pc_pool_create(threads, &pool) != PC_OK || pc_pool_set_spin_ns(pool, 0) != PC_OK) return 1;
                for (int r = 0; r < runs; r++) {
                    pc_job* job = NULL;
                    t0 = now_s();
                    double c0 = cpu_s();
                    if (pc_job_create(pool, kernels[k].kernel, kernels[k].args, kernels[k].n, chunks[c], &job, NULL) !=
                        PC_OK)
                        return 1;
                    pc_status st = pc_job_start(job);
                    if (st == PC_OK) st = pc_job_wait(job, -1);
                    times[r] = now_s() - t0;
                    cpus[r] = cpu_s() - c0;
                    pc_job_free(job);
                    if (st != PC_OK) return 1;
                }
                gbs[threads] = gb / best(times, runs);
                per_cpu[threads] = gb / best(cpus, runs);
                pc_pool_destroy(pool);
            }
            printf("%-6s pool chunk %9llu  1 worker %6.2f GB/s (%3.0f%% of read)  2 workers %6.2f GB/s (%3.0f%%)  "
                   "%.2fx   per CPU-s %6.2f / %6.2f\n",
                   kernels[k].name, (unsigned long long)chunks[c], gbs[1], 100 * gbs[1] / read1, gbs[2],
                   100 * gbs[2] / read2, gbs[2] / gbs[1], per_cpu[1], per_cpu[2]);
        }
    }
    free(x);
    free(partials);
    free(indexes);
    return 0;
}
