/*
 * test_checksums_threads.c - the first use of the CRC-32C tables from 8 threads at once, as a job's workers
 * do: every thread must see the tables built once and complete (run() without a prior validate() in this
 * thread, as pcompute's workers call it). Meaningful under ThreadSanitizer (CMake option
 * CHECKSUMS_SANITIZE=-fsanitize=thread); without it, it still checks every thread's result.
 * Exit status 0 when all pass.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t under -std=c11 */
#include "checksums.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 8

static const uint8_t DATA[] = "123456789123456789123456789";
static pthread_barrier_t start;

static void* worker(void* arg) {
    int32_t* out = arg;
    const pc_kernel_def* k = crc32c_chunks_kernel();
    pc_args a = {.in = {DATA}, .out = {out}, .iparam = {9, 27}, .in_bytes = {27}, .out_bytes = {3 * sizeof(int32_t)}};
    pthread_barrier_wait(&start);
    /* half the threads validate first (the caller's thread in pcompute), half go straight to run() */
    if (out[0] % 2 == 0 && k->validate(&a, 3, NULL) != PC_OK) {
        out[0] = -1;
        return NULL;
    }
    if (k->run(&a, 0, 3, NULL) != PC_OK) {
        out[0] = -1;
    }
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS];
    int32_t out[THREADS][3];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int t = 0; t < THREADS; t++) {
        out[t][0] = t; /* even: validate first */
        if (pthread_create(&threads[t], NULL, worker, out[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
    }
    pthread_barrier_destroy(&start);
    int failures = 0;
    for (int t = 0; t < THREADS; t++) {
        for (int c = 0; c < 3; c++) {
            if ((uint32_t)out[t][c] != 0xE3069283u) {
                fprintf(stderr, "thread %d chunk %d: 0x%08x, expected 0xe3069283\n", t, c, (unsigned)out[t][c]);
                failures++;
            }
        }
    }
    printf("test_checksums_threads: %s\n", failures == 0 ? "all passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
