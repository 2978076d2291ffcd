/* Internal contract between the pool and the kernels; not part of the public API. */
#ifndef PC_INTERNAL_H
#define PC_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include "pcompute.h"

/* Internal functions and data shared between source files stay out of the library's exported symbols. */
#define PC_INTERNAL __attribute__((visibility("hidden")))

/* How often (in inner-loop iterations) long-running kernels look at the cancel flag: a power of two. */
#define PC_CANCEL_CHECK_INTERVAL 65536u

/* A kernel, as the pool and pc_run see it: validation over all items, then computation over slices. */
typedef struct pc_kernel_def {
    /* Checks the parameters and every item of args over [0, n) before anything runs; sets *bad_index
       on PC_ERR_INVALID_ARGUMENT when one item is at fault. Required buffers are known non-NULL. */
    pc_status (*validate)(const pc_args* args, uint64_t n, uint64_t* bad_index);
    /* Computes items [begin, end) of valid args. `cancel` may be NULL (not cancellable); otherwise a
       kernel whose single items can run long reads it (relaxed) every PC_CANCEL_CHECK_INTERVAL
       iterations and returns PC_ERR_CANCELLED when it is set. */
    pc_status (*run)(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel);
    /* Which of args->in / args->out must be non-NULL when n > 0 (bit i = slot i). */
    unsigned inputs_mask;
    unsigned outputs_mask;
    /* For kernels with one partial result per block: the iparam index holding the block size (tasks
       must cover whole blocks); -1 for kernels without partials. */
    int block_param;
    const char* name;
} pc_kernel_def;

/* Kernel families, each in its own source file. */
PC_INTERNAL extern const pc_kernel_def pc_def_gcd_brute, pc_def_gcd_fast;
PC_INTERNAL extern const pc_kernel_def pc_def_primes_trial, pc_def_primes_sieve, pc_def_mandelbrot,
    pc_def_collatz_steps;
PC_INTERNAL extern const pc_kernel_def pc_def_reduce_sum, pc_def_reduce_sum_neumaier, pc_def_reduce_dot,
    pc_def_reduce_minmax, pc_def_histogram;
PC_INTERNAL extern const pc_kernel_def pc_def_matmul;

/* The kernel registered under `id`, or NULL. */
PC_INTERNAL const pc_kernel_def* pc_kernel_lookup(int32_t id);

/* Shared entry-point validation: kernel known, args non-NULL, required buffers non-NULL, items valid. */
PC_INTERNAL pc_status pc_validate_call(int32_t kernel, const pc_args* args, uint64_t n, uint64_t* bad_index,
                                       const pc_kernel_def** out_def);

/* The block size a kernel's partials use (1 for kernels without partials). Args must be valid. */
PC_INTERNAL uint64_t pc_granularity(const pc_kernel_def* def, const pc_args* args);

/* Whether pc_test_plant_bug enabled the deliberate bug of `kernel` (relaxed read). */
PC_INTERNAL int pc_bug_planted(int32_t kernel);

#endif
