/*
 * Shared by the libFuzzer harnesses: a reader over the fuzz input, and a decoder that turns bytes into
 * one kernel call (kernel id, pc_args, n) with buffers of exactly the sizes the header's contract
 * gives for those arguments, so AddressSanitizer flags any access past what the contract allows.
 *
 * Inputs that would be slow or large under the contract (claimed buffers above FUZZ_MAX_BYTES, work
 * above FUZZ_MAX_WORK) are rejected before any library call. A buffer whose contractual size does not
 * fit in 64 bits is passed as a one-element buffer: the library must reject such a call without
 * touching it (issue 8, item 4). pc_args carries each buffer's real length; some calls lie: one buffer
 * the kernel needs is really allocated shorter than its contract size (and its length says so), and
 * the library must answer PC_ERR_BUFFER_SIZE naming that slot, never touch past the end (ASan).
 * Header-only on purpose: every harness is one translation unit.
 */
#ifndef PC_FUZZ_COMMON_H
#define PC_FUZZ_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcompute.h"

#ifndef PC_MAX_THREADS /* headers before the pool section defined it */
#define PC_MAX_THREADS 1024
#endif

#define FUZZ_MAX_BYTES (4u << 20)      /* per buffer */
#define FUZZ_MAX_WORK (UINT64_C(1) << 21) /* inner steps of one call, by the contract's cost model */

/* A failed expectation: print it and abort, which libFuzzer reports as a crash with the input. */
#define FUZZ_CHECK(cond, ...)                                                                          \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                              \
            fputc('\n', stderr);                                                                       \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

/* ---- reading the input (past its end, bytes come from a generator seeded by the input) ------------- */

typedef struct fuzz_reader {
    const uint8_t* data;
    size_t size;
    size_t pos;
    uint64_t rng;
} fuzz_reader;

static inline fuzz_reader fuzz_reader_of(const uint8_t* data, size_t size) {
    fuzz_reader r = {data, size, 0, 0x9E3779B97F4A7C15u ^ size};
    for (size_t i = 0; i < size && i < 64; i++) r.rng = (r.rng ^ data[i]) * 0x100000001B3u;
    if (r.rng == 0) r.rng = 1;
    return r;
}

static inline uint8_t fuzz_u8(fuzz_reader* r) {
    if (r->pos < r->size) return r->data[r->pos++];
    r->rng ^= r->rng << 13, r->rng ^= r->rng >> 7, r->rng ^= r->rng << 17; /* xorshift64 */
    return (uint8_t)(r->rng >> 24);
}

static inline uint64_t fuzz_bytes(fuzz_reader* r, unsigned count) {
    uint64_t v = 0;
    for (unsigned i = 0; i < count; i++) v |= (uint64_t)fuzz_u8(r) << (8 * i);
    return v;
}

static inline int fuzz_empty(const fuzz_reader* r) {
    return r->pos >= r->size;
}

/* Integers biased towards the edges of every range the library checks. */
static inline int64_t fuzz_int(fuzz_reader* r) {
    static const int64_t special[] = {0, 1, 2, -1, INT64_MIN, INT64_MAX, INT64_MAX - 1, INT64_C(1) << 31,
                                      INT64_C(1) << 32, INT64_C(1) << 62, (INT64_C(1) << 62) + 1,
                                      INT64_C(1000000000000), INT64_C(1) << 24, (INT64_C(1) << 24) + 1,
                                      1000000000, 1000000001};
    uint8_t mode = fuzz_u8(r);
    switch (mode & 7u) {
    case 0: return special[(mode >> 3) % (sizeof special / sizeof special[0])];
    case 1: return (int64_t)fuzz_bytes(r, 8);
    case 2: return (int64_t)fuzz_bytes(r, 4);
    case 3: return -(int64_t)fuzz_bytes(r, 2);
    case 4: return (int64_t)fuzz_bytes(r, 2);
    default: return mode >> 3;
    }
}

static inline double fuzz_double(fuzz_reader* r) {
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, NAN, INFINITY, -INFINITY, 1e308,
                                     -1e308, 5e-324, 1e-300, 4.0, -2.0, 3.0};
    uint8_t mode = fuzz_u8(r);
    switch (mode & 3u) {
    case 0: return special[(mode >> 2) % (sizeof special / sizeof special[0])];
    case 1: {
        uint64_t bits = fuzz_bytes(r, 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    case 2: return (double)(int16_t)fuzz_bytes(r, 2) / 64.0;
    default: return (double)((int)(mode >> 2) - 32);
    }
}

/* ---- one kernel call ------------------------------------------------------------------------------ */

typedef struct fuzz_call {
    int32_t kernel;
    pc_args args;
    uint64_t n;
    void* in[PC_MAX_INPUTS];  /* owned copies of args.in (NULL when the slot is unused) */
    size_t in_bytes[PC_MAX_INPUTS];
    void* out[PC_MAX_OUTPUTS];
    size_t out_bytes[PC_MAX_OUTPUTS];
    int must_fail; /* the contract says this call cannot return PC_OK (bad parameter, NULL, overflow) */
    int short_slot; /* -1, or the slot (inputs 0.., outputs PC_OUT_SLOT(i)) allocated shorter than needed */
    int only_short; /* short_slot is the only reason the call must fail: PC_ERR_BUFFER_SIZE is due */
    int valid;     /* every parameter valid by the header (items may still be invalid) */
} fuzz_call;

/* a * b, or 0 with *overflow set when it does not fit. */
static inline uint64_t fuzz_mul(uint64_t a, uint64_t b, int* overflow) {
    uint64_t p;
    if (__builtin_mul_overflow(a, b, &p)) {
        *overflow = 1;
        return 0;
    }
    return p;
}

static inline uint64_t fuzz_ceil_div(uint64_t a, uint64_t b) {
    return a / b + (a % b != 0);
}

/* Bytes of `elems` 8-byte elements: 0 and *overflow when they cannot exist in memory. */
static inline uint64_t fuzz_elem_bytes(uint64_t elems, int* overflow) {
    return elems > (UINT64_MAX >> 4) ? (*overflow = 1, 0) : elems * 8;
}

/* Integer items for the kernels reading int64 input: mostly valid, small enough to stay fast. */
static inline int64_t fuzz_item_int(fuzz_reader* r, int32_t kernel) {
    uint8_t mode = fuzz_u8(r);
    if ((mode & 15u) == 0) return fuzz_int(r); /* anything, including invalid items */
    if (kernel == PC_KERNEL_GCD_FAST && (mode & 15u) == 1) return (int64_t)(fuzz_bytes(r, 8) >> 1);
    if (kernel == PC_KERNEL_COLLATZ_STEPS) return 1 + (int64_t)(fuzz_bytes(r, 4) % 1000000000u);
    return (int64_t)(fuzz_bytes(r, 2) & 0xffffu); /* gcd values < 2^16 keep brute force fast */
}

/* Allocates `bytes` (a zero-size allocation is real, so n == 0 calls get non-NULL buffers). */
static inline void* fuzz_alloc(size_t bytes) {
    void* p = malloc(bytes == 0 ? 1 : bytes);
    if (p == NULL) abort();
    return p;
}

static inline void fuzz_call_free(fuzz_call* c) {
    for (int i = 0; i < PC_MAX_INPUTS; i++) free(c->in[i]);
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) free(c->out[i]);
    memset(c, 0, sizeof *c);
}

/* Contract sizes (in elements) of a kernel's buffers for the given args; returns 0 when a parameter is
   invalid by the header (then sizes are meaningless), 1 otherwise. *work is a cost estimate. */
static inline int fuzz_contract(int32_t kernel, const pc_args* a, uint64_t n, uint64_t in_elems[PC_MAX_INPUTS],
                                uint64_t out_elems[PC_MAX_OUTPUTS], int* overflow, uint64_t* work) {
    const int64_t* ip = a->iparam;
    const double* dp = a->dparam;
    memset(in_elems, 0, sizeof(uint64_t) * PC_MAX_INPUTS);
    memset(out_elems, 0, sizeof(uint64_t) * PC_MAX_OUTPUTS);
    *work = n;
    switch (kernel) {
    case PC_KERNEL_GCD_BRUTE:
    case PC_KERNEL_GCD_FAST:
        in_elems[0] = in_elems[1] = out_elems[0] = n;
        return 1;
    case PC_KERNEL_PRIMES_TRIAL:
    case PC_KERNEL_PRIMES_SIEVE: {
        if (ip[0] < 0 || ip[1] < 1) return 0;
        if ((uint64_t)ip[0] > (UINT64_C(1) << 62) || n > (UINT64_C(1) << 62) - (uint64_t)ip[0]) return 0;
        out_elems[0] = fuzz_ceil_div(n, (uint64_t)ip[1]);
        double hi = (double)ip[0] + (double)n;
        /* the sieve marks every base prime up to sqrt(hi) in every block (2.7 s for 20,000 blocks of 1 near 10^11) */
        double w = kernel == PC_KERNEL_PRIMES_TRIAL ? (double)n * sqrt(hi) / 2
                                                    : (double)n + sqrt(hi) * (4 + (double)out_elems[0] / 8);
        *work = w > 1e18 ? UINT64_MAX : (uint64_t)w;
        return 1;
    }
    case PC_KERNEL_MANDELBROT:
        if (ip[0] < 1 || ip[1] < 1) return 0;
        for (int i = 0; i < 4; i++) {
            if (!isfinite(dp[i])) return 0;
        }
        out_elems[0] = n;
        *work = n > UINT64_MAX / (uint64_t)ip[1] ? UINT64_MAX : n * (uint64_t)ip[1];
        return 1;
    case PC_KERNEL_REDUCE_SUM:
    case PC_KERNEL_REDUCE_SUM_NEUMAIER:
    case PC_KERNEL_REDUCE_DOT:
    case PC_KERNEL_REDUCE_MINMAX: {
        if (ip[0] < 1) return 0;
        uint64_t blocks = fuzz_ceil_div(n, (uint64_t)ip[0]);
        in_elems[0] = n;
        if (kernel == PC_KERNEL_REDUCE_DOT) in_elems[1] = n;
        out_elems[0] = kernel == PC_KERNEL_REDUCE_MINMAX ? 2 * blocks : blocks;
        if (kernel == PC_KERNEL_REDUCE_SUM_NEUMAIER) out_elems[1] = blocks;
        if (kernel == PC_KERNEL_REDUCE_MINMAX) out_elems[1] = 2 * blocks;
        return 1;
    }
    case PC_KERNEL_MATMUL: {
        if (ip[0] < 1 || ip[1] < 1) return 0;
        uint64_t k = (uint64_t)ip[0], cols = (uint64_t)ip[1];
        in_elems[0] = fuzz_mul(n, k, overflow);
        in_elems[1] = fuzz_mul(k, cols, overflow);
        out_elems[0] = fuzz_mul(n, cols, overflow);
        int ignored = 0;
        *work = fuzz_mul(fuzz_mul(n, k, &ignored), cols, &ignored);
        if (ignored) *work = UINT64_MAX;
        if (n == 0) *work = in_elems[1]; /* the library may still read nothing; B is not touched for n = 0 */
        return 1;
    }
    case PC_KERNEL_HISTOGRAM: {
        if (ip[0] < 1 || ip[1] < 1) return 0;
        if (!isfinite(dp[0]) || !isfinite(dp[1]) || !(dp[0] < dp[1]) || !isfinite(dp[2]) || !(dp[2] > 0)) return 0;
        in_elems[0] = n;
        out_elems[0] = fuzz_mul(fuzz_ceil_div(n, (uint64_t)ip[1]), (uint64_t)ip[0], overflow);
        *work = n + out_elems[0];
        return 1;
    }
    case PC_KERNEL_COLLATZ_STEPS:
        in_elems[0] = out_elems[0] = n;
        *work = n > UINT64_MAX / 1000 ? UINT64_MAX : n * 1000; /* at most ~1000 steps below 10^9 */
        return 1;
    default:
        return 0;
    }
}

/* Work every task of a pool job repeats whatever its size (the sieve's base primes up to sqrt(lo + n)). */
static inline uint64_t fuzz_task_overhead(const fuzz_call* c) {
    if (c->kernel != PC_KERNEL_PRIMES_SIEVE || !c->valid) return 0;
    return (uint64_t)sqrt((double)c->args.iparam[0] + (double)c->n) + 1;
}

/* Which buffers a kernel reads and writes as doubles (bit i = slot i); the rest are int64. */
static inline unsigned fuzz_double_inputs(int32_t kernel) {
    return kernel >= PC_KERNEL_REDUCE_SUM && kernel <= PC_KERNEL_HISTOGRAM ? 0x3u : 0u;
}

/* Checks the status of a call that lied about one buffer (c->short_slot >= 0): PC_ERR_BUFFER_SIZE naming
   that slot when nothing else is wrong by the contract (bad_index: NULL when the caller passed none). The
   contract model here is looser than the kernels' limits for primes, histogram and matmul, which may
   refuse the parameters first (PC_ERR_INVALID_ARGUMENT). */
static inline void fuzz_check_short(const fuzz_call* c, pc_status st, const uint64_t* bad_index) {
    if (c->short_slot < 0 || !c->only_short) return;
    int loose = c->kernel == PC_KERNEL_PRIMES_TRIAL || c->kernel == PC_KERNEL_PRIMES_SIEVE ||
                c->kernel == PC_KERNEL_HISTOGRAM || c->kernel == PC_KERNEL_MATMUL;
    if (loose && st == PC_ERR_INVALID_ARGUMENT) return;
    FUZZ_CHECK(st == PC_ERR_BUFFER_SIZE, "kernel %d n %llu: slot %d short, got %d", c->kernel,
               (unsigned long long)c->n, c->short_slot, (int)st);
    if (bad_index != NULL) {
        FUZZ_CHECK(*bad_index == (uint64_t)c->short_slot, "kernel %d: slot %d short, bad_index %llu", c->kernel,
                   c->short_slot, (unsigned long long)*bad_index);
    }
}

/* Decodes one call from the reader. Returns 0 to reject the input (too slow or too large). */
static inline int fuzz_decode_call(fuzz_reader* r, fuzz_call* c) {
    memset(c, 0, sizeof *c);
    uint8_t sel = fuzz_u8(r);
    c->kernel = sel & 0x80u ? (int32_t)fuzz_bytes(r, 4) : (int32_t)(sel % 16u);
    uint8_t nmode = fuzz_u8(r);
    c->n = (nmode & 3u) == 0 ? (uint64_t)fuzz_int(r) : (nmode & 3u) == 1 ? fuzz_bytes(r, 2) : (uint64_t)(nmode >> 2);
    for (int i = 0; i < PC_MAX_PARAMS; i++) c->args.iparam[i] = fuzz_int(r);
    for (int i = 0; i < PC_MAX_PARAMS; i++) c->args.dparam[i] = fuzz_double(r);
    uint8_t shape = fuzz_u8(r);
    if (shape & 1u) { /* a histogram scale that matches bins / (hi - lo), as valid callers pass it */
        c->args.dparam[2] = (double)c->args.iparam[0] / (c->args.dparam[1] - c->args.dparam[0]);
    }
    if (shape & 2u) c->args.iparam[1] = c->args.iparam[1] & 0xfff; /* small blocks / widths */

    uint64_t in_elems[PC_MAX_INPUTS], out_elems[PC_MAX_OUTPUTS], work = 0;
    int overflow = 0;
    c->valid = fuzz_contract(c->kernel, &c->args, c->n, in_elems, out_elems, &overflow, &work);
    if (pc_kernel_name(c->kernel) == NULL) {
        /* unknown kernel: no buffer is read; give it a few anyway */
        if (c->n > 64) c->n = c->n % 64;
        in_elems[0] = in_elems[1] = out_elems[0] = c->n;
        c->must_fail = 1;
    } else if (!c->valid) {
        /* a bad parameter: the call must fail before touching anything sized by it */
        if (c->n > FUZZ_MAX_BYTES / 8) return 0;
        for (int i = 0; i < 2; i++) in_elems[i] = c->n;
        out_elems[0] = out_elems[1] = 1;
        c->must_fail = 1;
    } else if (work > FUZZ_MAX_WORK) {
        return 0;
    }
    if (overflow) c->must_fail = 1;

    unsigned doubles = fuzz_double_inputs(c->kernel);
    for (int i = 0; i < PC_MAX_INPUTS; i++) {
        int ovf = 0;
        uint64_t bytes = fuzz_elem_bytes(in_elems[i], &ovf);
        if (ovf || (overflow && bytes > FUZZ_MAX_BYTES)) bytes = 8; /* the call must fail: a token buffer */
        if (bytes > FUZZ_MAX_BYTES) return 0;
        if (in_elems[i] == 0 && i >= 2) continue;
        c->in[i] = fuzz_alloc((size_t)bytes);
        c->in_bytes[i] = (size_t)bytes;
        c->args.in_bytes[i] = bytes;
        for (size_t k = 0; k < bytes / 8; k++) {
            if (doubles >> i & 1u) {
                double d = fuzz_double(r);
                memcpy((char*)c->in[i] + 8 * k, &d, 8);
            } else {
                int64_t v = fuzz_item_int(r, c->kernel);
                memcpy((char*)c->in[i] + 8 * k, &v, 8);
            }
        }
        c->args.in[i] = c->in[i];
    }
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) {
        int ovf = 0;
        uint64_t bytes = fuzz_elem_bytes(out_elems[i], &ovf);
        if (ovf || (overflow && bytes > FUZZ_MAX_BYTES)) bytes = 8;
        if (bytes > FUZZ_MAX_BYTES) return 0;
        if (out_elems[i] == 0 && i >= 1) continue;
        c->out[i] = fuzz_alloc((size_t)bytes);
        c->out_bytes[i] = (size_t)bytes;
        c->args.out_bytes[i] = bytes;
        memset(c->out[i], 0xA5, (size_t)bytes);
        c->args.out[i] = c->out[i];
    }
    /* Brute-force gcd costs min(a, b) steps per pair: reject valid inputs that would take long. */
    if (c->kernel == PC_KERNEL_GCD_BRUTE && c->valid && !c->must_fail) {
        const int64_t* a = c->in[0];
        const int64_t* b = c->in[1];
        uint64_t steps = 0;
        int all_valid = 1;
        for (uint64_t k = 0; k < c->n && all_valid; k++) {
            all_valid = a[k] >= 1 && b[k] >= 1;
            steps += all_valid ? (uint64_t)(a[k] < b[k] ? a[k] : b[k]) : 0;
            if (steps > FUZZ_MAX_WORK) return 0;
        }
    }
    /* Optionally lie: reallocate one buffer the kernel needs shorter than its contract size, with the
       length to match; with n > 0 the call must fail with PC_ERR_BUFFER_SIZE before touching it. */
    c->short_slot = -1;
    uint8_t lie = fuzz_u8(r);
    if ((lie & 3u) == 1u && c->n > 0) {
        unsigned slot = (lie >> 2) % (PC_MAX_INPUTS + PC_MAX_OUTPUTS);
        int input = slot < PC_MAX_INPUTS;
        unsigned i = input ? slot : slot - PC_MAX_INPUTS;
        uint64_t need = input ? in_elems[i] : out_elems[i];
        void** buf = input ? &c->in[i] : &c->out[i];
        size_t* bytes = input ? &c->in_bytes[i] : &c->out_bytes[i];
        if (need != 0 && *buf != NULL && *bytes > 0) {
            size_t shorter = *bytes - 1 - (size_t)(fuzz_bytes(r, 4) % *bytes); /* 0 .. bytes - 1 */
            void* p = fuzz_alloc(shorter);
            memcpy(p, *buf, shorter);
            free(*buf);
            *buf = p;
            *bytes = shorter;
            if (input) c->args.in[i] = p, c->args.in_bytes[i] = shorter;
            else c->args.out[i] = p, c->args.out_bytes[i] = shorter;
            c->only_short = !c->must_fail && c->valid;
            c->short_slot = (int)slot;
            c->must_fail = 1;
        }
    }
    /* Optionally drop one buffer: with n > 0 a NULL buffer the kernel needs must be rejected. */
    if (shape & 4u) {
        unsigned slot = (shape >> 3) % (PC_MAX_INPUTS + PC_MAX_OUTPUTS);
        int needed = slot < PC_MAX_INPUTS ? in_elems[slot] != 0 : out_elems[slot - PC_MAX_INPUTS] != 0;
        if (slot < PC_MAX_INPUTS) c->args.in[slot] = NULL;
        else c->args.out[slot - PC_MAX_INPUTS] = NULL;
        if (needed && c->n > 0) c->must_fail = 1, c->only_short = 0;
    }
    return 1;
}

/* True for the status codes a built-in kernel's call may return. */
static inline int fuzz_known_status(pc_status st) {
    return (st >= PC_OK && st <= PC_ERR_UNKNOWN_KERNEL) || st == PC_ERR_BUFFER_SIZE;
}

/* Euclid on the unsigned values: the gcd the header documents, independent of the library's code. */
static inline int64_t gcd_oracle(int64_t a, int64_t b) {
    uint64_t x = (uint64_t)a, y = (uint64_t)b;
    while (y != 0) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return (int64_t)x;
}

#endif
