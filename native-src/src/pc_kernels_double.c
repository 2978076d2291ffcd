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

/* Block [from, to) of the sum (y == NULL) or of the dot product, in lanes. Inlined into lane_sums_run
   with y known per branch, so each loop vectorizes on its own. */
static inline double block_sum(const double* restrict x, const double* restrict y, uint64_t from, uint64_t to) {
    double l[LANES] = {0};
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
    return lanes_sum(l);
}

/* REDUCE_SUM and REDUCE_DOT: one lane sum per block (in[1] is NULL for the sum). */
static pc_status lane_sums_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* x = args->in[0];
    const double* y = args->in[1];
    double* sums = args->out[0];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        sums[b] = block_sum(x, y, b * block, block_end(b, block, end));
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
   FMA: -ffp-contract=off), so the results are identical. Lanes 4k .. 4k + 3 are in vs[k], vc[k]. */
__attribute__((target_clones("avx2", "default")))
static uint64_t neumaier_lanes(const double* restrict x, uint64_t from, uint64_t to, double s[LANES], double c[LANES]) {
    v4d vs[LANES / 4] = {{0}}, vc[LANES / 4] = {{0}};
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
    (void)cancel;
    const double* restrict x = args->in[0];
    double* sums = args->out[0];
    double* comps = args->out[1];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double s[LANES], c[LANES];
        uint64_t i = neumaier_lanes(x, from, to, s, c);
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

/* Min and max with the index of their first occurrence, NaN ignored. The result does not depend on the
   order of comparisons, so each block takes two passes, the second over cache-resident data: the extreme
   values, in lanes (m = v < m ? v : m, which skips a NaN: it never compares), then the first index whose
   value equals each (==, so -0.0 and 0.0 tie and the first occurrence is reported, with its own value),
   as a left-to-right scan with < and > gives. A block of only NaN keeps lo = +Inf, which no item
   equals: index -1. */
static void minmax_values(const double* restrict x, uint64_t from, uint64_t to, double* lo, double* hi) {
    double l = INFINITY, h = -INFINITY;
    uint64_t i = from;
#ifdef __SSE2__
    __m128d mn[2] = {_mm_set1_pd(INFINITY), _mm_set1_pd(INFINITY)};
    __m128d mx[2] = {_mm_set1_pd(-INFINITY), _mm_set1_pd(-INFINITY)};
    for (; i + 4 <= to; i += 4) {
        for (int k = 0; k < 2; k++) {
            __m128d v = _mm_loadu_pd(x + i + 2 * k);
            mn[k] = _mm_min_pd(v, mn[k]); /* v < m ? v : m, per element */
            mx[k] = _mm_max_pd(v, mx[k]); /* v > m ? v : m */
        }
    }
    double lanes[8];
    _mm_storeu_pd(lanes, mn[0]), _mm_storeu_pd(lanes + 2, mn[1]);
    _mm_storeu_pd(lanes + 4, mx[0]), _mm_storeu_pd(lanes + 6, mx[1]);
    for (int j = 0; j < 4; j++) {
        l = lanes[j] < l ? lanes[j] : l;
        h = lanes[4 + j] > h ? lanes[4 + j] : h;
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

static pc_status minmax_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    (void)cancel;
    const double* restrict x = args->in[0];
    double* values = args->out[0];
    int64_t* indexes = args->out[1];
    uint64_t block = (uint64_t)args->iparam[0];
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t from = b * block, to = block_end(b, block, end);
        double lo, hi;
        minmax_values(x, from, to, &lo, &hi);
        int64_t imn = first_equal(x, from, to, lo), imx = first_equal(x, from, to, hi);
        values[2 * b] = imn < 0 ? NAN : x[imn];
        values[2 * b + 1] = imx < 0 ? NAN : x[imx];
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
