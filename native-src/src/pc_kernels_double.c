/* Kernels over double arrays: block-wise reductions, histogram, and dense matrix multiply.
 * Every floating-point operation happens in a documented order (no reassociation, no contraction:
 * CMake passes -ffp-contract=off), so results equal the Java reference bit for bit. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pc_internal.h"

#define MATMUL_K_BLOCK 256u
/* Columns of C per inner pass: MATMUL_K_BLOCK * MATMUL_J_BLOCK multiply-adds (~0.1 ms) between two
   spends of the cancel budget however wide the matrices are, and a slice of a row of C that stays in L1. */
#define MATMUL_J_BLOCK 1024u

/* Reductions: `inputs` input buffers (in[0], and in[1] for the dot product) of n doubles, and `outputs`
   output buffers of `per_block` 8-byte values (double or int64) per block of iparam[0] items. */
static pc_status reduce_validate(const pc_args* args, uint64_t n, int inputs, int outputs, uint64_t per_block,
                                 uint64_t* bad_index) {
    /* the block size is >= 1 (pc_validate_call) */
    if (!pc_buffer_fits(n, sizeof(double))) return PC_ERR_INVALID_ARGUMENT;
    uint64_t partials;
    if (__builtin_mul_overflow(pc_blocks(n, (uint64_t)args->iparam[0]), per_block, &partials) ||
        !pc_buffer_fits(partials, sizeof(double))) {
        return PC_ERR_INVALID_ARGUMENT;
    }
    pc_status st = PC_OK;
    for (int i = 0; i < inputs && st == PC_OK; i++) st = pc_need_in(args, i, n, sizeof(double), bad_index);
    for (int i = 0; i < outputs && st == PC_OK; i++) st = pc_need_out(args, i, partials, sizeof(double), bad_index);
    return st;
}

static pc_status sum_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return reduce_validate(args, n, 1, 1, 1, bad_index);
}

static pc_status sum_neumaier_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return reduce_validate(args, n, 1, 2, 1, bad_index); /* sums and compensations */
}

static pc_status dot_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return reduce_validate(args, n, 2, 1, 1, bad_index);
}

static pc_status minmax_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return reduce_validate(args, n, 1, 2, 2, bad_index); /* (min, max) values and (argmin, argmax) indexes */
}

/* Tasks cover whole blocks of iparam[0] items: block b spans [b * block, min((b + 1) * block, end)). */
static uint64_t block_end(uint64_t b, uint64_t block, uint64_t end) {
    return (b + 1) * block < end ? (b + 1) * block : end;
}

/* Sums and dot products use PC_REDUCE_LANES interleaved lanes per block: lane j adds items from + j,
   from + j + LANES, ... left to right, and the block's result is the pairwise sum of the lanes,
   ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). Eight independent chains of additions keep a core
   bound by memory rather than by the latency of one chain, and the compiler vectorizes the lanes without
   reordering anything within one. */
#define LANES 8

/* Four lanes per vector, with GCC's vector extensions: element-wise IEEE arithmetic, exactly as the scalar
   code would do per lane (gcc keeps a local array of scalar lanes in scalar registers instead). */
typedef double v4d __attribute__((vector_size(32)));


static double lanes_sum(const double l[LANES]) {
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

/* Items [from, to) of a block of the sum (y == NULL) or of the dot product, added to the lanes l, where
   from is the block's start plus a multiple of LANES (so item i goes to lane (i - start) % LANES).
   Inlined into lane_sums_run with y known per branch, so each loop vectorizes on its own. */
static inline void block_sum(const double* restrict x, const double* restrict y, uint64_t from, uint64_t to,
                             double l[LANES]) {
    uint64_t i = from;
    if (y == NULL) {
        for (; i + LANES <= to; i += LANES) {
            for (int j = 0; j < LANES; j++) l[j] += x[i + j];
        }
        for (int j = 0; i + (uint64_t)j < to; j++) l[j] += x[i + j];
    } else {
        for (; i + LANES <= to; i += LANES) {
            for (int j = 0; j < LANES; j++) l[j] += x[i + j] * y[i + j];
        }
        for (int j = 0; i + (uint64_t)j < to; j++) l[j] += x[i + j] * y[i + j];
    }
}

/* The end of the stretch of at most PC_CANCEL_STRIDE items (a multiple of LANES) from `from` to `to`:
   memory-bound loops spend their cancel budget once per stretch, outside the vectorized loop. */
static uint64_t stride_end(uint64_t from, uint64_t to) {
    return to - from > PC_CANCEL_STRIDE ? from + PC_CANCEL_STRIDE : to;
}

/* REDUCE_SUM and REDUCE_DOT: one lane sum per block (in[1] is NULL for the sum). */
static pc_status lane_sums_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const double* x = args->in[0];
    const double* y = args->in[1];
    double* sums = args->out[0];
    uint64_t block = (uint64_t)args->iparam[0];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t to = block_end(b, block, end);
        double l[LANES] = {0};
        for (uint64_t from = b * block, stop; from < to; from = stop) {
            stop = stride_end(from, to);
            if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)(stop - from))) return PC_ERR_CANCELLED;
            if (y == NULL) {
                block_sum(x, NULL, from, stop, l);
            } else {
                block_sum(x, y, from, stop, l);
            }
        }
        sums[b] = lanes_sum(l);
    }
    return PC_OK;
}

static pc_status sum_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    pc_args sum_args = *args;
    sum_args.in[1] = NULL; /* the sum reads in[0] only, whatever the caller left in in[1] */
    return lane_sums_run(&sum_args, begin, end, cancel);
}

/* One step of Neumaier's compensated sum: returns s + v and adds the rounding error to *c. The error is
   computed by Knuth's branch-free TwoSum, which for finite values gives the same exact error as the
   textbook |s| >= |v| test, and lets the lanes vectorize. */
static inline double compensated_add(double s, double v, double* c) {
    double t = s + v, bv = t - s;
    *c += (s - (t - bv)) + (v - bv);
    return t;
}

/* The lane loop of the compensated sum: compute-bound (seven additions per item), so it also comes in an
   AVX2 build, picked at load time on CPUs that have it. Both do the same IEEE operations per lane (no
   FMA: -ffp-contract=off), so the results are identical. Lanes 4k .. 4k + 3 are in vs[k], vc[k].
   Continues the lanes s, c (in and out) over whole groups of LANES items from `from` on; returns where
   the groups end (the caller adds the last to - i < LANES items). */
PC_TARGET_CLONES("avx2", "default")
static uint64_t neumaier_lanes(const double* restrict x, uint64_t from, uint64_t to, double s[LANES], double c[LANES]) {
    v4d vs[LANES / 4], vc[LANES / 4];
    for (int j = 0; j < LANES; j++) vs[j / 4][j % 4] = s[j], vc[j / 4][j % 4] = c[j];
    uint64_t i = from;
    for (; i + LANES <= to; i += LANES) {
        for (int k = 0; k < LANES / 4; k++) {
            v4d v;
            memcpy(&v, x + i + 4 * k, sizeof v); /* an unaligned load */
            v4d t = vs[k] + v, bv = t - vs[k];
            vc[k] += (vs[k] - (t - bv)) + (v - bv); /* compensated_add, four lanes at once */
            vs[k] = t;
        }
    }
    for (int j = 0; j < LANES; j++) s[j] = vs[j / 4][j % 4], c[j] = vc[j / 4][j % 4];
    return i;
}

/* Neumaier per lane (sum and compensation); the block's sum is Neumaier over the lane sums in lane
   order, and its compensation that one's plus every lane's, in lane order. */
static pc_status sum_neumaier_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const double* restrict x = args->in[0];
    double* sums = args->out[0];
    double* comps = args->out[1];
    uint64_t block = (uint64_t)args->iparam[0];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t to = block_end(b, block, end);
        double s[LANES] = {0}, c[LANES] = {0};
        uint64_t i = b * block;
        for (uint64_t stop; to - i >= LANES; i = neumaier_lanes(x, i, stop, s, c)) {
            stop = stride_end(i, to);
            if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)(stop - i))) return PC_ERR_CANCELLED;
        }
        if (pc_budget_spend(&budget, PC_UNITS_ITEM)) return PC_ERR_CANCELLED;
        for (int j = 0; i + (uint64_t)j < to; j++) s[j] = compensated_add(s[j], x[i + j], &c[j]);
        double total = 0.0, comp = 0.0;
        for (int j = 0; j < LANES; j++) total = compensated_add(total, s[j], &comp);
        for (int j = 0; j < LANES; j++) comp += c[j];
        sums[b] = total;
        comps[b] = comp;
    }
    return PC_OK;
}

static pc_status dot_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    return lane_sums_run(args, begin, end, cancel); /* in[1] is validated non-NULL for the dot product */
}

/* Min and max with the index of their first occurrence, NaN ignored, in one pass over memory. A block is
   read in runs of MINMAX_RUN items (4 KiB): the extreme values of a run, in lanes (m = v < m ? v : m,
   which skips a NaN: it never compares), and the first run whose minimum is strictly below every earlier
   run's (and likewise for the maximum). No item before that run equals the block's minimum, so its first
   occurrence is the first item of that run that == it (==, so -0.0 and 0.0 tie and the first one is
   reported, with its own value), as a left-to-right scan with < and > finds: re-reading one run per
   extreme per block, 2 x 4 KiB of 32 KiB, instead of the whole block a second time (the old second pass
   read the data twice: 52% of the streaming read). A block whose minimum is +Inf (only +Inf and NaN;
   lanes start at +Inf) is re-scanned whole for +Inf; none there: index -1. Likewise -Inf for the maximum.
   The result does not depend on the order of comparisons, so it is identical to the reference's. */
#define MINMAX_RUN 512u

/* The extremes of [from, to), NaN skipped (+Inf / -Inf when there is no number). Four accumulators per
   extreme: one min chain is bound by the latency of minpd (~3 cycles per two items), not by memory. */
static void minmax_values(const double* restrict x, uint64_t from, uint64_t to, double* lo, double* hi) {
    double l = INFINITY, h = -INFINITY;
    uint64_t i = from;
#ifdef __SSE2__
    __m128d mn[4], mx[4];
    for (int k = 0; k < 4; k++) mn[k] = _mm_set1_pd(INFINITY), mx[k] = _mm_set1_pd(-INFINITY);
    for (; i + 8 <= to; i += 8) {
        for (int k = 0; k < 4; k++) {
            __m128d v = _mm_loadu_pd(x + i + 2 * k);
            mn[k] = _mm_min_pd(v, mn[k]); /* v < m ? v : m, per element */
            mx[k] = _mm_max_pd(v, mx[k]); /* v > m ? v : m */
        }
    }
    double lanes[16];
    for (int k = 0; k < 4; k++) _mm_storeu_pd(lanes + 2 * k, mn[k]), _mm_storeu_pd(lanes + 8 + 2 * k, mx[k]);
    for (int j = 0; j < 8; j++) {
        l = lanes[j] < l ? lanes[j] : l;
        h = lanes[8 + j] > h ? lanes[8 + j] : h;
    }
#endif
    for (; i < to; i++) {
        l = x[i] < l ? x[i] : l;
        h = x[i] > h ? x[i] : h;
    }
    *lo = l, *hi = h;
}

/* The first index in [from, to) whose value == v, or -1. */
static int64_t first_equal(const double* restrict x, uint64_t from, uint64_t to, double v) {
    uint64_t i = from;
#ifdef __SSE2__
    __m128d target = _mm_set1_pd(v);
    for (; i + 4 <= to; i += 4) {
        __m128d e = _mm_or_pd(_mm_cmpeq_pd(_mm_loadu_pd(x + i), target),
                              _mm_cmpeq_pd(_mm_loadu_pd(x + i + 2), target));
        if (_mm_movemask_pd(e)) break; /* the scalar loop finds which of the four */
    }
#endif
    for (; i < to; i++) {
        if (x[i] == v) return (int64_t)i;
    }
    return -1;
}

/* first_equal in stretches, spending the budget per stretch: the index, -1 (none), or -2 (cancelled). */
static int64_t first_equal_budgeted(const double* restrict x, uint64_t from, uint64_t to, double v,
                                    pc_budget* budget) {
    for (uint64_t stop; from < to; from = stop) {
        stop = stride_end(from, to);
        if (pc_budget_spend(budget, PC_UNITS_ITEM + (int64_t)(stop - from))) return -2;
        int64_t i = first_equal(x, from, stop, v);
        if (i >= 0) return i;
    }
    return -1;
}

/* The first index of `extreme` in block [from, to): in the run starting at `run` when the extreme is
   finite there, else (+-Inf: no run improved on the lanes' start) by a scan of the whole block. -1: none,
   -2: cancelled. */
static int64_t extreme_index(const double* restrict x, uint64_t from, uint64_t to, uint64_t run, double extreme,
                             pc_budget* budget) {
    if (isinf(extreme)) return first_equal_budgeted(x, from, to, extreme, budget);
    uint64_t run_end = to - run > MINMAX_RUN ? run + MINMAX_RUN : to;
    return first_equal(x, run, run_end, extreme); /* found: the run's extreme is this value */
}

static pc_status minmax_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const double* restrict x = args->in[0];
    double* values = args->out[0];
    int64_t* indexes = args->out[1];
    uint64_t block = (uint64_t)args->iparam[0];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double lo = INFINITY, hi = -INFINITY;
        uint64_t lo_run = from, hi_run = from; /* the first run holding lo / hi (when finite) */
        for (uint64_t i = from, stop; i < to; i = stop) {
            stop = stride_end(i, to);
            if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)(stop - i))) return PC_ERR_CANCELLED;
            for (uint64_t run = i, run_end; run < stop; run = run_end) {
                run_end = stop - run > MINMAX_RUN ? run + MINMAX_RUN : stop;
                double l, h;
                minmax_values(x, run, run_end, &l, &h);
                if (l < lo) lo = l, lo_run = run; /* strictly: an equal later run is not the first */
                if (h > hi) hi = h, hi_run = run;
            }
        }
        int64_t imn = extreme_index(x, from, to, lo_run, lo, &budget);
        int64_t imx = imn < -1 ? imn : extreme_index(x, from, to, hi_run, hi, &budget);
        if (imx < -1) return PC_ERR_CANCELLED;
        values[2 * b] = imn < 0 ? NAN : x[imn];
        values[2 * b + 1] = imx < 0 ? NAN : x[imx];
        indexes[2 * b] = imn;
        indexes[2 * b + 1] = imx;
    }
    return PC_OK;
}

/* ---- histogram ---------------------------------------------------------------------------------- */

static pc_status histogram_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    int64_t bins = args->iparam[0];
    double lo = args->dparam[0], hi = args->dparam[1], scale = args->dparam[2];
    if (bins < 1 || bins > PC_HISTOGRAM_MAX_BINS) return PC_ERR_INVALID_ARGUMENT;
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(scale) || !(scale > 0)) {
        return PC_ERR_INVALID_ARGUMENT;
    }
    /* scale must be bins / (hi - lo): one that is not puts values in wrong bins (the run clamps, so no
       scale can make it index out of range, but the counts would silently be wrong) */
    double implied = (hi - lo) * scale; /* may be +Inf for a hostile scale: rejected below */
    if (!(fabs(implied - (double)bins) <= (double)bins * PC_HISTOGRAM_SCALE_TOLERANCE)) return PC_ERR_INVALID_ARGUMENT;
    uint64_t partials;
    if (!pc_buffer_fits(n, sizeof(double)) ||
        __builtin_mul_overflow(pc_blocks(n, (uint64_t)args->iparam[1]), (uint64_t)bins, &partials) ||
        !pc_buffer_fits(partials, sizeof(int64_t))) {
        return PC_ERR_INVALID_ARGUMENT;
    }
    pc_status st = pc_need_in(args, 0, n, sizeof(double), bad_index);
    return st == PC_OK ? pc_need_out(args, 0, partials, sizeof(int64_t), bad_index) : st;
}

/* The bin of v, lo <= v < hi: min(bins - 1, (int64)((v - lo) * scale)) as Java computes it, but clamped
   before the conversion, so it is defined for every value: t >= 0 (v - lo >= 0 rounds to >= 0, and
   scale > 0), and t < bins <= 2^24 converts to floor(t) <= bins - 1, while t >= bins (+Inf, or NaN:
   impossible with a valid scale) gives bins - 1, as Java's saturating (long) followed by min does.
   (int64_t), not (uint64_t): x86-64 converts to signed integers in one instruction (cvttsd2si). */
static inline uint64_t histogram_bin(double v, double lo, double scale, uint64_t bins, double bins_d) {
    double t = (v - lo) * scale;
    return t < bins_d ? (uint64_t)(int64_t)t : bins - 1;
}

static pc_status histogram_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const double* x = args->in[0];
    int64_t* counts = args->out[0];
    uint64_t bins = (uint64_t)args->iparam[0];
    uint64_t block = (uint64_t)args->iparam[1];
    double lo = args->dparam[0], hi = args->dparam[1], scale = args->dparam[2];
    double bins_d = (double)bins; /* exact: bins <= 2^24 */
    int64_t item_units = pc_histogram_item_units(bins);
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t to = block_end(b, block, end);
        int64_t* partial = counts + b * bins;
        /* up to 2^24 bins (128 MiB) per block: cleared in stretches too, two units per counter (a cold
           memset; on 2^24 bins tests/cancel_latency.c measured a median cancel-to-idle of 3.6 ms at a
           quarter unit, 1.0 ms at one unit) */
        for (uint64_t j = 0, stop; j < bins; j = stop) {
            stop = stride_end(j, bins);
            if (pc_budget_spend(&budget, PC_UNITS_ITEM + 2 * (int64_t)(stop - j))) return PC_ERR_CANCELLED;
            memset(partial + j, 0, (stop - j) * sizeof *partial);
        }
        for (uint64_t i = b * block, stop; i < to; i = stop) {
            stop = stride_end(i, to);
            if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)(stop - i) * item_units)) return PC_ERR_CANCELLED;
            for (uint64_t k = i; k < stop; k++) {
                double v = x[k];
                if (v >= lo && v < hi) partial[histogram_bin(v, lo, scale, bins, bins_d)]++;
            }
        }
    }
    return PC_OK;
}

/* ---- matrix multiply ---------------------------------------------------------------------------- */

/* Whether a rows x cols matrix of doubles fits in PC_MAX_BUFFER_BYTES. */
static int matrix_fits(uint64_t rows, uint64_t cols) {
    uint64_t count;
    return !__builtin_mul_overflow(rows, cols, &count) && pc_buffer_fits(count, sizeof(double));
}

static pc_status matmul_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    if (args->iparam[0] < 1 || args->iparam[1] < 1) return PC_ERR_INVALID_ARGUMENT;
    uint64_t k = (uint64_t)args->iparam[0], cols = (uint64_t)args->iparam[1];
    /* every buffer size, also for n == 0 (B is still k x cols) */
    if (!matrix_fits(n, k) || !matrix_fits(k, cols) || !matrix_fits(n, cols)) return PC_ERR_INVALID_ARGUMENT;
    if (n == 0) return PC_OK; /* nothing is read or written: B may be absent */
    /* the products cannot overflow: matrix_fits checked them */
    pc_status st = pc_need_in(args, 0, n * k, sizeof(double), bad_index);
    if (st == PC_OK) st = pc_need_in(args, 1, k * cols, sizeof(double), bad_index);
    if (st == PC_OK) st = pc_need_out(args, 0, n * cols, sizeof(double), bad_index);
    return st;
}

/* Rows [begin, end) of C. For each slice of MATMUL_K_BLOCK rows of B (kept in cache), every row of C in
   the task gets C[i][j] += A[i][p] * B[p][j] for p in the slice, in increasing p, MATMUL_J_BLOCK columns
   at a time: the inner loop is a contiguous axpy the compiler vectorizes without reordering any
   element's sum. A slice of C's row is cleared just before its first slice of B adds to it. */
static pc_status matmul_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const double* restrict a = args->in[0];
    const double* restrict bm = args->in[1];
    double* restrict c = args->out[0];
    uint64_t k = (uint64_t)args->iparam[0];
    uint64_t cols = (uint64_t)args->iparam[1];
    pc_budget budget = pc_budget_start(cancel);
    for (uint64_t pp = 0; pp < k; pp += MATMUL_K_BLOCK) {
        uint64_t pend = pp + MATMUL_K_BLOCK < k ? pp + MATMUL_K_BLOCK : k;
        for (uint64_t i = begin; i < end; i++) {
            double* restrict crow = c + i * cols;
            for (uint64_t jj = 0; jj < cols; jj += MATMUL_J_BLOCK) {
                uint64_t jend = cols - jj > MATMUL_J_BLOCK ? jj + MATMUL_J_BLOCK : cols;
                if (pc_budget_spend(&budget, PC_UNITS_ITEM + (int64_t)((pend - pp) * (jend - jj)))) {
                    return PC_ERR_CANCELLED;
                }
                if (pp == 0) memset(crow + jj, 0, (jend - jj) * sizeof *crow);
                for (uint64_t p = pp; p < pend; p++) {
                    double aip = a[i * k + p];
                    const double* restrict brow = bm + p * cols;
                    for (uint64_t j = jj; j < jend; j++) crow[j] += aip * brow[j];
                }
            }
        }
    }
    return PC_OK;
}

const pc_kernel_def pc_def_reduce_sum = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "reduce_sum",
    .validate = sum_validate, .run = sum_run, .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = 0};
const pc_kernel_def pc_def_reduce_sum_neumaier = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "reduce_sum_neumaier",
    .validate = sum_neumaier_validate, .run = sum_neumaier_run, .inputs_mask = 0x1u, .outputs_mask = 0x3u, .block_param = 0};
const pc_kernel_def pc_def_reduce_dot = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "reduce_dot",
    .validate = dot_validate, .run = dot_run, .inputs_mask = 0x3u, .outputs_mask = 0x1u, .block_param = 0};
const pc_kernel_def pc_def_reduce_minmax = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "reduce_minmax",
    .validate = minmax_validate, .run = minmax_run, .inputs_mask = 0x1u, .outputs_mask = 0x3u, .block_param = 0};
const pc_kernel_def pc_def_histogram = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "histogram",
    .validate = histogram_validate, .run = histogram_run, .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = 1};
const pc_kernel_def pc_def_matmul = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "matmul",
    .validate = matmul_validate, .run = matmul_run, .inputs_mask = 0x3u, .outputs_mask = 0x1u, .block_param = -1};
