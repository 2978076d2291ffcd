/* Kernels over double arrays: block-wise reductions, histogram, and dense matrix multiply.
 * Every floating-point operation happens in a documented order (no reassociation, no contraction:
 * CMake passes -ffp-contract=off), so results equal the Java reference bit for bit. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pc_internal.h"

#define HISTOGRAM_MAX_BINS (INT64_C(1) << 24)
#define MATMUL_K_BLOCK 256u

static pc_status no_params_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)args, (void)n, (void)bad_index; /* the block size is checked by pc_validate_call */
    return PC_OK;
}

/* Tasks cover whole blocks of iparam[0] items: block b spans [b * block, min((b + 1) * block, end)). */
static uint64_t block_end(uint64_t b, uint64_t block, uint64_t end) {
    return (b + 1) * block < end ? (b + 1) * block : end;
}

static pc_status sum_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* x = args->in[0];
    double* sums = args->out[0];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double s = 0.0;
        for (uint64_t i = from; i < to; i++) s += x[i];
        sums[b] = s;
    }
    return PC_OK;
}

static pc_status sum_neumaier_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* x = args->in[0];
    double* sums = args->out[0];
    double* comps = args->out[1];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double s = 0.0, c = 0.0;
        for (uint64_t i = from; i < to; i++) {
            double t = s + x[i];
            if (fabs(s) >= fabs(x[i])) {
                c += (s - t) + x[i];
            } else {
                c += (x[i] - t) + s;
            }
            s = t;
        }
        sums[b] = s;
        comps[b] = c;
    }
    return PC_OK;
}

static pc_status dot_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* x = args->in[0];
    const double* y = args->in[1];
    double* sums = args->out[0];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double s = 0.0;
        for (uint64_t i = from; i < to; i++) s += x[i] * y[i];
        sums[b] = s;
    }
    return PC_OK;
}

static pc_status minmax_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* x = args->in[0];
    double* values = args->out[0];
    int64_t* indexes = args->out[1];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double mn = NAN, mx = NAN;
        int64_t imn = -1, imx = -1;
        for (uint64_t i = from; i < to; i++) {
            double v = x[i];
            if (isnan(v)) continue;
            if (imn < 0 || v < mn) mn = v, imn = (int64_t)i;
            if (imx < 0 || v > mx) mx = v, imx = (int64_t)i;
        }
        values[2 * b] = mn;
        values[2 * b + 1] = mx;
        indexes[2 * b] = imn;
        indexes[2 * b + 1] = imx;
    }
    return PC_OK;
}

/* ---- histogram ---------------------------------------------------------------------------------- */

static pc_status histogram_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)n, (void)bad_index;
    int64_t bins = args->iparam[0];
    double lo = args->dparam[0], hi = args->dparam[1], scale = args->dparam[2];
    if (bins < 1 || bins > HISTOGRAM_MAX_BINS) return PC_ERR_INVALID_ARGUMENT;
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(scale) || !(scale > 0)) {
        return PC_ERR_INVALID_ARGUMENT;
    }
    return PC_OK;
}

static pc_status histogram_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* x = args->in[0];
    int64_t* counts = args->out[0];
    uint64_t bins = (uint64_t)args->iparam[0];
    uint64_t block = (uint64_t)args->iparam[1];
    double lo = args->dparam[0], hi = args->dparam[1], scale = args->dparam[2];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t to = block_end(b, block, end);
        int64_t* partial = counts + b * bins;
        memset(partial, 0, bins * sizeof *partial);
        for (uint64_t i = b * block; i < to; i++) {
            double v = x[i];
            if (v >= lo && v < hi) {
                uint64_t bin = (uint64_t)(int64_t)((v - lo) * scale);
                partial[bin < bins ? bin : bins - 1]++;
            }
        }
    }
    return PC_OK;
}

/* ---- matrix multiply ---------------------------------------------------------------------------- */

static pc_status matmul_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)n, (void)bad_index;
    return args->iparam[0] < 1 || args->iparam[1] < 1 ? PC_ERR_INVALID_ARGUMENT : PC_OK;
}

/* Rows [begin, end) of C. For each slice of MATMUL_K_BLOCK rows of B (kept in cache), every row of C in
   the task gets C[i][:] += A[i][p] * B[p][:] for p in the slice, in increasing p: the inner loop is a
   contiguous axpy the compiler vectorizes without reordering any element's sum. */
static pc_status matmul_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const double* restrict a = args->in[0];
    const double* restrict bm = args->in[1];
    double* restrict c = args->out[0];
    uint64_t k = (uint64_t)args->iparam[0];
    uint64_t cols = (uint64_t)args->iparam[1];
    memset(c + begin * cols, 0, (end - begin) * cols * sizeof *c);
    for (uint64_t pp = 0; pp < k; pp += MATMUL_K_BLOCK) {
        if (cancel != NULL && atomic_load_explicit(cancel, memory_order_relaxed)) return PC_ERR_CANCELLED;
        uint64_t pend = pp + MATMUL_K_BLOCK < k ? pp + MATMUL_K_BLOCK : k;
        for (uint64_t i = begin; i < end; i++) {
            double* restrict crow = c + i * cols;
            for (uint64_t p = pp; p < pend; p++) {
                double aip = a[i * k + p];
                const double* restrict brow = bm + p * cols;
                for (uint64_t j = 0; j < cols; j++) crow[j] += aip * brow[j];
            }
        }
    }
    return PC_OK;
}

const pc_kernel_def pc_def_reduce_sum = {no_params_validate, sum_run, 0x1u, 0x1u, 0, "reduce_sum"};
const pc_kernel_def pc_def_reduce_sum_neumaier = {no_params_validate, sum_neumaier_run, 0x1u, 0x3u, 0,
                                                  "reduce_sum_neumaier"};
const pc_kernel_def pc_def_reduce_dot = {no_params_validate, dot_run, 0x3u, 0x1u, 0, "reduce_dot"};
const pc_kernel_def pc_def_reduce_minmax = {no_params_validate, minmax_run, 0x1u, 0x3u, 0, "reduce_minmax"};
const pc_kernel_def pc_def_histogram = {histogram_validate, histogram_run, 0x1u, 0x1u, 1, "histogram"};
const pc_kernel_def pc_def_matmul = {matmul_validate, matmul_run, 0x3u, 0x1u, -1, "matmul"};
