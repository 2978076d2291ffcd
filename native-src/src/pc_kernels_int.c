/* Prime counting (trial division, segmented sieve) and Mandelbrot escape counts. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pc_internal.h"

#define PRIMES_TRIAL_MAX_HI (INT64_C(1) << 62)
#define PRIMES_SIEVE_MAX_HI INT64_C(1000000000000) /* 10^12: base primes up to 10^6 */

static int cancelled(const atomic_int* cancel) {
    return cancel != NULL && atomic_load_explicit(cancel, memory_order_relaxed);
}

/* ---- primes ------------------------------------------------------------------------------------- */

static pc_status primes_validate(const pc_args* args, uint64_t n, int64_t max_hi) {
    int64_t lo = args->iparam[0];
    if (lo < 0 || lo > max_hi || n > (uint64_t)(max_hi - lo)) return PC_ERR_INVALID_ARGUMENT;
    return PC_OK;
}

static pc_status primes_trial_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)bad_index;
    return primes_validate(args, n, PRIMES_TRIAL_MAX_HI);
}

static pc_status primes_sieve_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)bad_index;
    return primes_validate(args, n, PRIMES_SIEVE_MAX_HI);
}

/* 1 if prime, 0 if not, -1 if cancelled. */
static int is_prime_trial(int64_t m, const atomic_int* cancel) {
    if (m < 2) return 0;
    if (m < 4) return 1;
    if (m % 2 == 0) return 0;
    uint64_t steps = 0;
    for (int64_t d = 3; d <= m / d; d += 2) {
        if (m % d == 0) return 0;
        if ((++steps & (PC_CANCEL_CHECK_INTERVAL - 1)) == 0 && cancelled(cancel)) return -1;
    }
    return 1;
}

static pc_status primes_trial_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    int64_t lo = args->iparam[0];
    uint64_t block = (uint64_t)args->iparam[1];
    int64_t* counts = args->out[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t stop = (b + 1) * block < end ? (b + 1) * block : end;
        int64_t count = 0;
        for (uint64_t k = b * block; k < stop; k++) {
            int p = is_prime_trial(lo + (int64_t)k, cancel);
            if (p < 0) return PC_ERR_CANCELLED;
            count += p;
        }
        counts[b] = count;
    }
    return PC_OK;
}

static int64_t isqrt(int64_t m) {
    int64_t r = (int64_t)sqrt((double)m);
    while (r > 0 && r > m / r) r--;
    while ((r + 1) <= m / (r + 1)) r++;
    return r;
}

static pc_status primes_sieve_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    int64_t lo = args->iparam[0];
    uint64_t block = (uint64_t)args->iparam[1];
    int64_t* counts = args->out[0];
    int64_t hi = lo + (int64_t)end; /* this task's numbers end here */
    int64_t root = isqrt(hi > 0 ? hi - 1 : 0);

    /* base primes up to root, by a plain sieve */
    unsigned char* small = calloc((size_t)root + 1, 1);
    int64_t* base = malloc(sizeof *base * ((size_t)root / 2 + 2));
    unsigned char* seg = malloc((size_t)block);
    if (small == NULL || base == NULL || seg == NULL) {
        free(small), free(base), free(seg);
        return PC_ERR_OUT_OF_MEMORY;
    }
    size_t nbase = 0;
    for (int64_t p = 2; p <= root; p++) {
        if (small[p]) continue;
        base[nbase++] = p;
        for (int64_t q = p * p; q <= root; q += p) small[q] = 1;
    }
    free(small);

    int bug = pc_bug_planted(PC_KERNEL_PRIMES_SIEVE);
    pc_status st = PC_OK;
    for (uint64_t b = begin / block; b * block < end; b++) {
        if (cancelled(cancel)) {
            st = PC_ERR_CANCELLED;
            break;
        }
        int64_t seg_lo = lo + (int64_t)(b * block);
        int64_t seg_hi = lo + (int64_t)((b + 1) * block < end ? (b + 1) * block : end);
        size_t len = (size_t)(seg_hi - seg_lo);
        memset(seg, 0, len); /* 0 = candidate prime */
        for (size_t i = 0; i < nbase; i++) {
            int64_t p = base[i];
            if (p > (seg_hi - 1) / p) break;
            int64_t start = p * p > seg_lo ? p * p : (seg_lo + p - 1) / p * p;
            for (int64_t q = start; q < seg_hi; q += p) seg[q - seg_lo] = 1;
        }
        int64_t count = 0;
        for (size_t i = 0; i < len; i++) {
            int64_t m = seg_lo + (int64_t)i;
            count += !seg[i] && (m >= 2 || (bug && m == 1)); /* the planted bug counts 1 as prime */
        }
        counts[b] = count;
    }
    free(base);
    free(seg);
    return st;
}

/* ---- mandelbrot --------------------------------------------------------------------------------- */

static pc_status mandelbrot_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)n, (void)bad_index;
    if (args->iparam[0] < 1 || args->iparam[1] < 1) return PC_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < 4; i++) {
        if (!isfinite(args->dparam[i])) return PC_ERR_INVALID_ARGUMENT;
    }
    return PC_OK;
}

static pc_status mandelbrot_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    uint64_t width = (uint64_t)args->iparam[0];
    int64_t max_iter = args->iparam[1];
    double x0 = args->dparam[0], y0 = args->dparam[1], dx = args->dparam[2], dy = args->dparam[3];
    int64_t* out = args->out[0];
    for (uint64_t k = begin; k < end; k++) {
        double cx = x0 + (double)(k % width) * dx;
        double cy = y0 + (double)(k / width) * dy;
        double zx = 0.0, zy = 0.0;
        int64_t iter = 0;
        while (iter < max_iter) {
            double zx2 = zx * zx;
            double zy2 = zy * zy;
            if (zx2 + zy2 > 4.0) break;
            zy = 2.0 * zx * zy + cy;
            zx = zx2 - zy2 + cx;
            iter++;
            if (((uint64_t)iter & (PC_CANCEL_CHECK_INTERVAL - 1)) == 0 && cancelled(cancel)) return PC_ERR_CANCELLED;
        }
        out[k] = iter;
    }
    return PC_OK;
}

const pc_kernel_def pc_def_primes_trial = {primes_trial_validate, primes_trial_run, 0x0u, 0x1u, 1, "primes_trial"};
const pc_kernel_def pc_def_primes_sieve = {primes_sieve_validate, primes_sieve_run, 0x0u, 0x1u, 1, "primes_sieve"};
const pc_kernel_def pc_def_mandelbrot = {mandelbrot_validate, mandelbrot_run, 0x0u, 0x1u, -1, "mandelbrot"};

/* ---- collatz ------------------------------------------------------------------------------------ */

static pc_status collatz_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    const int64_t* x = args->in[0];
    for (uint64_t k = 0; k < n; k++) {
        if (x[k] < 1 || x[k] > 1000000000) {
            if (bad_index != NULL) *bad_index = k;
            return PC_ERR_INVALID_ARGUMENT;
        }
    }
    return PC_OK;
}

static pc_status collatz_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel; /* below 10^9 every trajectory is short (under 1000 steps) */
    const int64_t* x = args->in[0];
    int64_t* out = args->out[0];
    for (uint64_t k = begin; k < end; k++) {
        int64_t m = x[k], steps = 0;
        while (m != 1) {
            m = m % 2 == 0 ? m / 2 : 3 * m + 1;
            steps++;
        }
        out[k] = steps;
    }
    return PC_OK;
}

const pc_kernel_def pc_def_collatz_steps = {collatz_validate, collatz_run, 0x1u, 0x1u, -1, "collatz_steps"};
