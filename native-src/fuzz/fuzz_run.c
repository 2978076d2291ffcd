/*
 * fuzz_run: pc_run, pc_run_keep and pc_run_def for every kernel id (unknown ones included) with fuzzed parameters,
 * n and buffers sized exactly as the contract says (see fuzz_common.h).
 *
 * Checks: the status is a defined code; calls the header rules out (unknown kernel, bad parameter,
 * NULL buffer, sizes that overflow) do not return PC_OK; pc_run and pc_run_keep agree bit for bit; and a
 * PC_OK result equals an independent oracle written from the header's text (gcd, primes, collatz, the
 * reductions' documented lane orders, histogram, matmul). Mandelbrot is compared only run against run.
 */
#include "fuzz_common.h"

static int same_double(double a, double b) {
    /* NaN payloads and the sign of a zero are not part of the documented results */
    return (isnan(a) && isnan(b)) || a == b;
}

static int64_t primes_oracle(int64_t from, int64_t to) {
    int64_t count = 0;
    for (int64_t m = from; m < to; m++) {
        if (m < 2) continue;
        int prime = 1;
        for (int64_t d = 2; d <= m / d; d++) {
            if (m % d == 0) {
                prime = 0;
                break;
            }
        }
        count += prime;
    }
    return count;
}

/* The block sum of REDUCE_SUM / REDUCE_DOT as pcompute.h words it. */
static double lanes_sum(const double* x, const double* y, uint64_t from, uint64_t to) {
    double l[8] = {0};
    for (uint64_t i = from; i < to; i++) l[(i - from) % 8] += y == NULL ? x[i] : x[i] * y[i];
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

static void two_sum_step(double* s, double* c, double v) {
    double t = *s + v;
    double bv = t - *s;
    *c += (*s - (t - bv)) + (v - bv);
    *s = t;
}

static void neumaier_block(const double* x, uint64_t from, uint64_t to, double* sum, double* comp) {
    double s[8] = {0}, c[8] = {0};
    for (uint64_t i = from; i < to; i++) two_sum_step(&s[(i - from) % 8], &c[(i - from) % 8], x[i]);
    double bs = 0.0, bc = 0.0;
    for (int j = 0; j < 8; j++) two_sum_step(&bs, &bc, s[j]);
    for (int j = 0; j < 8; j++) bc += c[j];
    *sum = bs;
    *comp = bc;
}

static void check_oracle(const fuzz_call* c) {
    const pc_args* a = &c->args;
    uint64_t n = c->n;
    const int64_t* in_i0 = a->in[0];
    const int64_t* in_i1 = a->in[1];
    const double* in_d0 = a->in[0];
    const double* in_d1 = a->in[1];
    int64_t* out_i = a->out[0];
    double* out_d = a->out[0];
    switch (c->kernel) {
    case PC_KERNEL_GCD_BRUTE:
    case PC_KERNEL_GCD_FAST:
        for (uint64_t k = 0; k < n; k++) {
            FUZZ_CHECK(out_i[k] == gcd_oracle(in_i0[k], in_i1[k]), "gcd(%lld, %lld) at %llu: got %lld",
                       (long long)in_i0[k], (long long)in_i1[k], (unsigned long long)k, (long long)out_i[k]);
        }
        break;
    case PC_KERNEL_PRIMES_TRIAL:
    case PC_KERNEL_PRIMES_SIEVE: {
        uint64_t block = (uint64_t)a->iparam[1];
        for (uint64_t b = 0; b * block < n; b++) {
            uint64_t to = n - b * block < block ? n : (b + 1) * block;
            int64_t want = primes_oracle(a->iparam[0] + (int64_t)(b * block), a->iparam[0] + (int64_t)to);
            FUZZ_CHECK(out_i[b] == want, "primes block %llu: got %lld want %lld", (unsigned long long)b,
                       (long long)out_i[b], (long long)want);
        }
        break;
    }
    case PC_KERNEL_COLLATZ_STEPS:
        for (uint64_t k = 0; k < n; k++) {
            uint64_t v = (uint64_t)in_i0[k];
            int64_t steps = 0;
            while (v != 1) v = v % 2 == 0 ? v / 2 : 3 * v + 1, steps++;
            FUZZ_CHECK(out_i[k] == steps, "collatz(%lld): got %lld want %lld", (long long)in_i0[k],
                       (long long)out_i[k], (long long)steps);
        }
        break;
    case PC_KERNEL_REDUCE_SUM:
    case PC_KERNEL_REDUCE_DOT:
    case PC_KERNEL_REDUCE_SUM_NEUMAIER:
    case PC_KERNEL_REDUCE_MINMAX: {
        uint64_t block = (uint64_t)a->iparam[0];
        for (uint64_t b = 0; b * block < n; b++) {
            uint64_t from = b * block, to = n - from < block ? n : from + block;
            if (c->kernel == PC_KERNEL_REDUCE_SUM || c->kernel == PC_KERNEL_REDUCE_DOT) {
                double want = lanes_sum(in_d0, c->kernel == PC_KERNEL_REDUCE_DOT ? in_d1 : NULL, from, to);
                FUZZ_CHECK(same_double(out_d[b], want), "block %llu: got %a want %a", (unsigned long long)b,
                           out_d[b], want);
            } else if (c->kernel == PC_KERNEL_REDUCE_SUM_NEUMAIER) {
                double s, comp;
                neumaier_block(in_d0, from, to, &s, &comp);
                const double* comps = a->out[1];
                FUZZ_CHECK(same_double(out_d[b], s) && same_double(comps[b], comp),
                           "neumaier block %llu: got (%a, %a) want (%a, %a)", (unsigned long long)b, out_d[b],
                           comps[b], s, comp);
            } else {
                int64_t imin = -1, imax = -1;
                for (uint64_t i = from; i < to; i++) {
                    if (isnan(in_d0[i])) continue;
                    if (imin < 0 || in_d0[i] < in_d0[imin]) imin = (int64_t)i;
                    if (imax < 0 || in_d0[i] > in_d0[imax]) imax = (int64_t)i;
                }
                const int64_t* idx = a->out[1];
                FUZZ_CHECK(idx[2 * b] == imin && idx[2 * b + 1] == imax,
                           "minmax block %llu: got (%lld, %lld) want (%lld, %lld)", (unsigned long long)b,
                           (long long)idx[2 * b], (long long)idx[2 * b + 1], (long long)imin, (long long)imax);
                if (imin >= 0) {
                    FUZZ_CHECK(memcmp(&out_d[2 * b], &in_d0[imin], 8) == 0 &&
                                   memcmp(&out_d[2 * b + 1], &in_d0[imax], 8) == 0,
                               "minmax block %llu values: got (%a, %a)", (unsigned long long)b, out_d[2 * b],
                               out_d[2 * b + 1]);
                }
            }
        }
        break;
    }
    case PC_KERNEL_HISTOGRAM: {
        uint64_t bins = (uint64_t)a->iparam[0], block = (uint64_t)a->iparam[1];
        double lo = a->dparam[0], hi = a->dparam[1], scale = a->dparam[2];
        int64_t* want = fuzz_alloc(bins * sizeof *want);
        for (uint64_t b = 0; b * block < n; b++) {
            uint64_t from = b * block, to = n - from < block ? n : from + block;
            memset(want, 0, bins * sizeof *want);
            for (uint64_t i = from; i < to; i++) {
                double v = in_d0[i];
                if (!(v >= lo && v < hi)) continue;
                double t = (v - lo) * scale;
                want[t < (double)bins ? (uint64_t)(int64_t)t : bins - 1]++;
            }
            for (uint64_t bin = 0; bin < bins; bin++) {
                FUZZ_CHECK(out_i[b * bins + bin] == want[bin], "histogram block %llu bin %llu: got %lld want %lld",
                           (unsigned long long)b, (unsigned long long)bin, (long long)out_i[b * bins + bin],
                           (long long)want[bin]);
            }
        }
        free(want);
        break;
    }
    case PC_KERNEL_MATMUL: {
        uint64_t k = (uint64_t)a->iparam[0], cols = (uint64_t)a->iparam[1];
        for (uint64_t i = 0; i < n; i++) {
            for (uint64_t j = 0; j < cols; j++) {
                double acc = 0.0;
                for (uint64_t p = 0; p < k; p++) acc += in_d0[i * k + p] * in_d1[p * cols + j];
                FUZZ_CHECK(same_double(out_d[i * cols + j], acc), "matmul C[%llu][%llu]: got %a want %a",
                           (unsigned long long)i, (unsigned long long)j, out_d[i * cols + j], acc);
            }
        }
        break;
    }
    default:
        break;
    }
}

/* The first item the header calls invalid, for the kernels with per-item rules; -1 when all are valid. */
static int64_t first_bad_item(const fuzz_call* c) {
    const int64_t* x = c->args.in[0];
    const int64_t* y = c->args.in[1];
    for (uint64_t k = 0; k < c->n; k++) {
        switch (c->kernel) {
        case PC_KERNEL_GCD_BRUTE:
            if (x[k] < 1 || y[k] < 1) return (int64_t)k;
            break;
        case PC_KERNEL_GCD_FAST:
            if (x[k] < 0 || y[k] < 0) return (int64_t)k;
            break;
        case PC_KERNEL_COLLATZ_STEPS:
            if (x[k] < 1 || x[k] > 1000000000) return (int64_t)k;
            break;
        default:
            return -1;
        }
    }
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz_reader r = fuzz_reader_of(data, size);
    fuzz_call c;
    if (!fuzz_decode_call(&r, &c)) {
        fuzz_call_free(&c);
        return -1; /* too slow or too large under the contract: not worth a corpus entry */
    }
    uint8_t how = fuzz_u8(&r);
    uint64_t bad1 = UINT64_MAX, bad2 = UINT64_MAX;
    pc_status st = (how & 1u) ? pc_run(c.kernel, NULL, c.n, &bad1)
                              : pc_run(c.kernel, &c.args, c.n, (how & 2u) ? NULL : &bad1);
    FUZZ_CHECK(fuzz_known_status(st), "status %d", (int)st);
    if (how & 1u) {
        FUZZ_CHECK(st == PC_ERR_NULL_ARGUMENT || st == PC_ERR_UNKNOWN_KERNEL, "pc_run(args NULL): %d", (int)st);
        fuzz_call_free(&c);
        return 0;
    }
    if (pc_kernel_name(c.kernel) == NULL) FUZZ_CHECK(st == PC_ERR_UNKNOWN_KERNEL, "unknown kernel %d: %d", c.kernel, (int)st);
    if (c.must_fail) {
        FUZZ_CHECK(st != PC_OK, "kernel %d n %llu iparam %lld %lld: PC_OK for a call the contract rules out",
                   c.kernel, (unsigned long long)c.n, (long long)c.args.iparam[0], (long long)c.args.iparam[1]);
    }
    FUZZ_CHECK(st != PC_ERR_TIMEOUT && st != PC_ERR_CANCELLED && st != PC_ERR_BUSY, "pc_run: %d", (int)st);
    fuzz_check_short(&c, st, (how & 2u) ? NULL : &bad1);

    int64_t bad = c.must_fail ? -1 : first_bad_item(&c);
    if (!c.must_fail && c.valid) {
        if (bad >= 0) {
            FUZZ_CHECK(st == PC_ERR_INVALID_ARGUMENT, "kernel %d: item %lld invalid, got %d", c.kernel, (long long)bad, (int)st);
            if (!(how & 2u)) FUZZ_CHECK(bad1 == (uint64_t)bad, "bad_index %llu, want %lld", (unsigned long long)bad1, (long long)bad);
        } else if (c.kernel == PC_KERNEL_GCD_BRUTE || c.kernel == PC_KERNEL_GCD_FAST ||
                   c.kernel == PC_KERNEL_COLLATZ_STEPS || c.kernel == PC_KERNEL_MANDELBROT ||
                   (c.kernel >= PC_KERNEL_REDUCE_SUM && c.kernel <= PC_KERNEL_REDUCE_MINMAX)) {
            /* no limit beyond the documented ones: a valid call succeeds */
            FUZZ_CHECK(st == PC_OK, "kernel %d: valid call returned %d", c.kernel, (int)st);
        }
    }

    /* The same call through pc_run_keep, into fresh outputs: same status, same bits. */
    void* first[PC_MAX_OUTPUTS] = {0};
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) {
        if (c.out[i] == NULL) continue;
        first[i] = fuzz_alloc(c.out_bytes[i]);
        memcpy(first[i], c.out[i], c.out_bytes[i]);
        memset(c.out[i], 0x5A, c.out_bytes[i]);
    }
    pc_status st2 = pc_run_keep(c.kernel, &c.args, c.n, &bad2, &c, data, NULL, c.in[0]);
    FUZZ_CHECK(st2 == st, "pc_run %d, pc_run_keep %d", (int)st, (int)st2);
    if (pc_kernel_def_of(c.kernel) != NULL) { /* the descriptor path the id path wraps: same status, bad_index */
        uint64_t bad3 = UINT64_MAX;
        pc_status st3 = pc_run_def(pc_kernel_def_of(c.kernel), &c.args, c.n, &bad3);
        FUZZ_CHECK(st3 == st, "pc_run %d, pc_run_def %d", (int)st, (int)st3);
        if (st == PC_ERR_INVALID_ARGUMENT || st == PC_ERR_BUFFER_SIZE) FUZZ_CHECK(bad3 == bad2, "bad_index %llu vs %llu", (unsigned long long)bad3, (unsigned long long)bad2);
    }
    if (st == PC_OK) {
        for (int i = 0; i < PC_MAX_OUTPUTS; i++) {
            if (first[i] != NULL && c.args.out[i] == c.out[i]) {
                FUZZ_CHECK(memcmp(first[i], c.out[i], c.out_bytes[i]) == 0, "pc_run_keep output %d differs", i);
            }
        }
        check_oracle(&c);
    } else if ((st == PC_ERR_INVALID_ARGUMENT || st == PC_ERR_BUFFER_SIZE) && !(how & 2u)) {
        FUZZ_CHECK(bad1 == bad2, "bad_index %llu vs %llu", (unsigned long long)bad1, (unsigned long long)bad2);
    }
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) free(first[i]);
    fuzz_call_free(&c);
    return 0;
}
