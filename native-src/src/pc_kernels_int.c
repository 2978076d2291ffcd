/* Prime counting (trial division, segmented sieve) and Mandelbrot escape counts. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pc_internal.h"

/* A sieve task works through its blocks in segments of at most this many numbers (bytes): its memory
   does not grow with the block size. Every segment visits every base prime (a division each: 78,498
   of them near 10^12), so smaller segments cost time: 2^18 made 10^6 numbers near 10^12 1.6x slower. */
#define SIEVE_SEGMENT (1u << 20)

/* ---- primes ------------------------------------------------------------------------------------- */

static pc_status primes_validate(const pc_args* args, uint64_t n, int64_t max_end, uint64_t* bad_index) {
    int64_t lo = args->iparam[0];
    if (lo < 0 || lo > max_end || n > (uint64_t)(max_end - lo)) return PC_ERR_INVALID_ARGUMENT;
    /* the block size is >= 1 (pc_validate_call); one int64 count per block */
    uint64_t blocks = pc_blocks(n, (uint64_t)args->iparam[1]);
    if (!pc_buffer_fits(blocks, sizeof(int64_t))) return PC_ERR_INVALID_ARGUMENT;
    return pc_need_out(args, 0, blocks, sizeof(int64_t), bad_index);
}

static pc_status primes_trial_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return primes_validate(args, n, PC_PRIMES_TRIAL_MAX_END, bad_index);
}

static pc_status primes_sieve_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return primes_validate(args, n, PC_PRIMES_SIEVE_MAX_END, bad_index);
}

/* 1 if prime, 0 if not, -1 if cancelled. */
static int is_prime_trial(int64_t m, pc_budget* budget) {
    if (m < 2) return 0;
    if (m < 4) return 1;
    if (m % 2 == 0) return 0;
    for (int64_t d = 3; d <= m / d; d += 2) {
        if (m % d == 0) return 0;
        if (pc_budget_spend(budget, PC_UNITS_TRIAL_STEP)) return -1;
    }
    return 1;
}

static pc_status primes_trial_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    int64_t lo = args->iparam[0];
    uint64_t block = (uint64_t)args->iparam[1];
    int64_t* counts = args->out[0];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t stop = (b + 1) * block < end ? (b + 1) * block : end;
        int64_t count = 0;
        for (uint64_t k = b * block; k < stop; k++) {
            if (pc_budget_spend(&budget, PC_UNITS_ITEM)) return PC_ERR_CANCELLED;
            int p = is_prime_trial(lo + (int64_t)k, &budget);
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
    pc_budget budget = pc_budget_start(cancel);

    /* one segment buffer for the whole task, sized for what the task needs: begin is a multiple of block */
    size_t seg_max = SIEVE_SEGMENT;
    if (block < seg_max) seg_max = (size_t)block;
    if (end - begin < seg_max) seg_max = (size_t)(end - begin);

    /* base primes up to root, by a plain sieve */
    unsigned char* small = calloc((size_t)root + 1, 1);
    int64_t* base = malloc(sizeof *base * ((size_t)root / 2 + 2));
    unsigned char* seg = malloc(seg_max);
    if (small == NULL || base == NULL || seg == NULL) {
        free(small), free(base), free(seg);
        return PC_ERR_OUT_OF_MEMORY;
    }
    pc_status st = PC_OK;
    size_t nbase = 0;
    for (int64_t p = 2; p <= root; p++) {
        int64_t marks = 0;
        if (!small[p]) {
            base[nbase++] = p;
            if (p <= root / p) {
                for (int64_t q = p * p; q <= root; q += p) small[q] = 1;
                marks = (root - p * p) / p;
            }
        }
        if (pc_budget_spend(&budget, 1 + marks)) {
            st = PC_ERR_CANCELLED;
            break;
        }
    }
    free(small);

    int bug = pc_bug_planted(PC_KERNEL_PRIMES_SIEVE);
    for (uint64_t b = begin / block; st == PC_OK && b * block < end; b++) {
        uint64_t bend = (b + 1) * block < end ? (b + 1) * block : end;
        int64_t count = 0;
        for (uint64_t from = b * block; from < bend; from += seg_max) {
            int64_t seg_lo = lo + (int64_t)from;
            int64_t seg_hi = lo + (int64_t)(bend - from < seg_max ? bend : from + seg_max);
            size_t len = (size_t)(seg_hi - seg_lo);
            for (size_t i = 0, stop; i < len; i = stop) { /* clearing, in stretches */
                stop = len - i > PC_CANCEL_STRIDE ? i + PC_CANCEL_STRIDE : len;
                if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)(stop - i) / 8)) {
                    st = PC_ERR_CANCELLED;
                    break;
                }
                memset(seg + i, 0, stop - i); /* 0 = candidate prime */
            }
            if (st != PC_OK) break;
            for (size_t i = 0; i < nbase; i++) {
                int64_t p = base[i];
                if (p > (seg_hi - 1) / p) break;
                /* p's marks, at most len / p + 1 <= len >> floor(log2(p)) + 1: no division to count them */
                if (pc_budget_spend(&budget, PC_UNITS_SIEVE_PRIME + (int64_t)(len >> (63 - __builtin_clzll((uint64_t)p))))) {
                    st = PC_ERR_CANCELLED;
                    break;
                }
                int64_t start = p * p > seg_lo ? p * p : (seg_lo + p - 1) / p * p;
                for (int64_t q = start; q < seg_hi; q += p) seg[q - seg_lo] = 1;
            }
            if (st != PC_OK) break;
            for (size_t i = 0, stop; i < len; i = stop) { /* counting, in stretches */
                stop = len - i > PC_CANCEL_STRIDE ? i + PC_CANCEL_STRIDE : len;
                if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)(stop - i) * PC_UNITS_SIEVE_NUMBER)) {
                    st = PC_ERR_CANCELLED;
                    break;
                }
                for (size_t j = i; j < stop; j++) {
                    int64_t m = seg_lo + (int64_t)j;
                    count += !seg[j] && (m >= 2 || (bug && m == 1)); /* the planted bug counts 1 as prime */
                }
            }
            if (st != PC_OK) break;
        }
        if (st == PC_OK) counts[b] = count;
    }
    free(base);
    free(seg);
    return st;
}

/* ---- mandelbrot --------------------------------------------------------------------------------- */

static pc_status mandelbrot_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    if (args->iparam[0] < 1 || args->iparam[1] < 1) return PC_ERR_INVALID_ARGUMENT;
    if (!pc_buffer_fits(n, sizeof(int64_t))) return PC_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < 4; i++) {
        if (!isfinite(args->dparam[i])) return PC_ERR_INVALID_ARGUMENT;
    }
    return pc_need_out(args, 0, n, sizeof(int64_t), bad_index);
}

static pc_status mandelbrot_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    uint64_t width = (uint64_t)args->iparam[0];
    int64_t max_iter = args->iparam[1];
    double x0 = args->dparam[0], y0 = args->dparam[1], dx = args->dparam[2], dy = args->dparam[3];
    int64_t* out = args->out[0];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        if (pc_budget_spend(&budget, PC_UNITS_ITEM)) return PC_ERR_CANCELLED;
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
            if (pc_budget_spend(&budget, PC_UNITS_MANDELBROT_STEP)) return PC_ERR_CANCELLED;
        }
        out[k] = iter;
    }
    return PC_OK;
}

const pc_kernel_def pc_def_primes_trial = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "primes_trial",
    .validate = primes_trial_validate, .run = primes_trial_run, .inputs_mask = 0x0u, .outputs_mask = 0x1u, .block_param = 1};
const pc_kernel_def pc_def_primes_sieve = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "primes_sieve",
    .validate = primes_sieve_validate, .run = primes_sieve_run, .inputs_mask = 0x0u, .outputs_mask = 0x1u, .block_param = 1};
const pc_kernel_def pc_def_mandelbrot = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "mandelbrot",
    .validate = mandelbrot_validate, .run = mandelbrot_run, .inputs_mask = 0x0u, .outputs_mask = 0x1u, .block_param = -1};

/* ---- collatz ------------------------------------------------------------------------------------ */

static pc_status collatz_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    if (!pc_buffer_fits(n, sizeof(int64_t))) return PC_ERR_INVALID_ARGUMENT;
    pc_status st = pc_need_in(args, 0, n, sizeof(int64_t), bad_index);
    if (st == PC_OK) st = pc_need_out(args, 0, n, sizeof(int64_t), bad_index);
    if (st != PC_OK) return st;
    const int64_t* x = args->in[0];
    for (uint64_t k = 0; k < n; k++) {
        if (x[k] < 1 || x[k] > PC_COLLATZ_MAX_START) {
            if (bad_index != NULL) *bad_index = k;
            return PC_ERR_INVALID_ARGUMENT;
        }
    }
    return PC_OK;
}

static pc_status collatz_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const int64_t* x = args->in[0];
    int64_t* out = args->out[0];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        int64_t m = x[k], steps = 0;
        while (m != 1) {
            m = m % 2 == 0 ? m / 2 : 3 * m + 1;
            steps++;
        }
        out[k] = steps;
        /* below 10^9 every trajectory is short (under 1000 steps): spend after the item */
        if (pc_budget_spend(&budget, PC_UNITS_ITEM + steps * PC_UNITS_COLLATZ_STEP)) return PC_ERR_CANCELLED;
    }
    return PC_OK;
}

const pc_kernel_def pc_def_collatz_steps = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "collatz_steps",
    .validate = collatz_validate, .run = collatz_run, .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1};
