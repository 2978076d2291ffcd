/* Kernels and the registry the pool and pc_run dispatch on. */
#include <stdint.h>

#include "pc_internal.h"

/* ---- gcd ---------------------------------------------------------------------------------------- */

static pc_status validate_pairs(const pc_args* args, uint64_t n, uint64_t* bad_index, int64_t min_value) {
    if (!pc_buffer_fits(n, sizeof(int64_t))) return PC_ERR_INVALID_ARGUMENT;
    pc_status st = pc_need_in(args, 0, n, sizeof(int64_t), bad_index);
    if (st == PC_OK) st = pc_need_in(args, 1, n, sizeof(int64_t), bad_index);
    if (st == PC_OK) st = pc_need_out(args, 0, n, sizeof(int64_t), bad_index);
    if (st != PC_OK) return st;
    const int64_t* a = args->in[0];
    const int64_t* b = args->in[1];
    for (uint64_t k = 0; k < n; k++) {
        if (a[k] < min_value || b[k] < min_value) {
            if (bad_index != NULL) *bad_index = k;
            return PC_ERR_INVALID_ARGUMENT;
        }
    }
    return PC_OK;
}

static pc_status gcd_brute_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return validate_pairs(args, n, bad_index, 1);
}

static pc_status gcd_fast_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    return validate_pairs(args, n, bad_index, 0);
}

/* The origin workload: every candidate from min(a, b) down to 1, the first dividing both wins, on the
   scalar or a vector path (pc_gcd_brute_pair, pc_gcd_simd.c). */
static pc_status gcd_brute_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const int64_t* a = args->in[0];
    const int64_t* b = args->in[1];
    int64_t* out = args->out[0];
    pc_budget budget = pc_budget_start(cancel);
    int32_t level = pc_simd_level(); /* once per task: the paths compute the same bits */
    for (uint64_t k = begin; k < end; k++) {
        if (pc_budget_spend(&budget, PC_UNITS_ITEM)) return PC_ERR_CANCELLED;
        int64_t g = pc_gcd_brute_pair(a[k], b[k], level, &budget);
        if (g == 0) return PC_ERR_CANCELLED;
        out[k] = g;
    }
    return PC_OK;
}

static pc_status gcd_fast_run(const pc_args* args, uint64_t begin, uint64_t end, const atomic_int* cancel) {
    const int64_t* a = args->in[0];
    const int64_t* b = args->in[1];
    int64_t* out = args->out[0];
    pc_budget budget = pc_budget_start(cancel);
    uint64_t k = begin;
    if (pc_gcd_fast_vectorized(pc_simd_level())) { /* once per task: the paths compute the same bits */
        for (; end - k >= PC_GCD_FAST_LANES; k += PC_GCD_FAST_LANES) {
            if (pc_budget_spend(&budget, PC_GCD_FAST_LANES * PC_UNITS_GCD_FAST_ITEM)) return PC_ERR_CANCELLED;
            pc_gcd_fast_lanes(a + k, b + k, out + k);
        }
    }
    for (; k < end; k++) {
        if (pc_budget_spend(&budget, PC_UNITS_GCD_FAST_ITEM)) return PC_ERR_CANCELLED;
        out[k] = pc_gcd_fast_scalar(a[k], b[k]);
    }
    if (pc_bug_planted(PC_KERNEL_GCD_FAST)) { /* test only: wrong whenever a % 7 == 3 */
        for (uint64_t i = begin; i < end; i++) out[i] += a[i] % 7 == 3;
    }
    return PC_OK;
}

/* ---- registry ----------------------------------------------------------------------------------- */

const pc_kernel_def pc_def_gcd_brute = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "gcd_brute",
    .validate = gcd_brute_validate, .run = gcd_brute_run, .inputs_mask = 0x3u, .outputs_mask = 0x1u, .block_param = -1};
const pc_kernel_def pc_def_gcd_fast = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "gcd_fast",
    .validate = gcd_fast_validate, .run = gcd_fast_run, .inputs_mask = 0x3u, .outputs_mask = 0x1u, .block_param = -1};

/* Indexed by pc_kernel id; keep in the order of the enum in pcompute.h. */
static const pc_kernel_def* const KERNELS[] = {
    NULL,
    &pc_def_gcd_brute,
    &pc_def_gcd_fast,
    &pc_def_primes_trial,
    &pc_def_primes_sieve,
    &pc_def_mandelbrot,
    &pc_def_reduce_sum,
    &pc_def_reduce_sum_neumaier,
    &pc_def_reduce_dot,
    &pc_def_reduce_minmax,
    &pc_def_matmul,
    &pc_def_histogram,
    &pc_def_collatz_steps,
};
#define KERNEL_COUNT ((int32_t)(sizeof KERNELS / sizeof KERNELS[0]) - 1)

#ifdef PC_TEST_HOOKS
static atomic_int planted_bugs[sizeof KERNELS / sizeof KERNELS[0]];
#endif

const pc_kernel_def* pc_kernel_lookup(int32_t id) {
    return id >= 1 && id <= KERNEL_COUNT ? KERNELS[id] : NULL;
}

int32_t pc_kernel_count(void) {
    return KERNEL_COUNT;
}

const char* pc_kernel_name(int32_t kernel) {
    const pc_kernel_def* def = pc_kernel_lookup(kernel);
    return def == NULL ? NULL : def->name;
}

#ifdef PC_TEST_HOOKS
pc_status pc_test_plant_bug(int32_t kernel, int32_t enabled) {
    if (pc_kernel_lookup(kernel) == NULL) return PC_ERR_UNKNOWN_KERNEL;
    atomic_store_explicit(&planted_bugs[kernel], enabled != 0, memory_order_relaxed);
    return PC_OK;
}

int pc_bug_planted(int32_t kernel) {
    return atomic_load_explicit(&planted_bugs[kernel], memory_order_relaxed);
}
#endif

uint64_t pc_granularity(const pc_kernel_def* def, const pc_args* args) {
    return def->block_param < 0 ? 1 : (uint64_t)args->iparam[def->block_param];
}

static pc_status buffer_size(unsigned slot, uint64_t* bad_index) {
    if (bad_index != NULL) *bad_index = slot;
    return PC_ERR_BUFFER_SIZE;
}

pc_status pc_validate_call(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index) {
    if (def == NULL) return PC_ERR_NULL_ARGUMENT;
    if (def->abi_version != PC_KERNEL_ABI_VERSION) return PC_ERR_ABI_MISMATCH;
    if (def->run == NULL || args == NULL) return PC_ERR_NULL_ARGUMENT;
    if (def->inputs_mask >> PC_MAX_INPUTS != 0 || def->outputs_mask >> PC_MAX_OUTPUTS != 0 ||
        def->block_param < -1 || def->block_param >= PC_MAX_PARAMS) {
        return PC_ERR_INVALID_ARGUMENT;
    }
    if (n > 0) {
        for (unsigned i = 0; i < PC_MAX_INPUTS; i++) {
            if ((def->inputs_mask >> i & 1u) && args->in[i] == NULL) return PC_ERR_NULL_ARGUMENT;
        }
        for (unsigned i = 0; i < PC_MAX_OUTPUTS; i++) {
            if ((def->outputs_mask >> i & 1u) && args->out[i] == NULL) return PC_ERR_NULL_ARGUMENT;
        }
        /* a required buffer of length 0: most likely a caller that left the lengths zeroed */
        for (unsigned i = 0; i < PC_MAX_INPUTS; i++) {
            if ((def->inputs_mask >> i & 1u) && args->in_bytes[i] == 0) return buffer_size(i, bad_index);
        }
        for (unsigned i = 0; i < PC_MAX_OUTPUTS; i++) {
            if ((def->outputs_mask >> i & 1u) && args->out_bytes[i] == 0) {
                return buffer_size(PC_OUT_SLOT(i), bad_index);
            }
        }
    }
    if (def->block_param >= 0 && args->iparam[def->block_param] < 1) return PC_ERR_INVALID_ARGUMENT;
    if (def->validate == NULL) return PC_OK;
    pc_status st = def->validate(args, n, bad_index);
    return st == PC_OK || st == PC_ERR_INVALID_ARGUMENT || st == PC_ERR_BUFFER_SIZE ? st : PC_ERR_KERNEL_STATUS;
}

pc_status pc_run_status(pc_status st, const pc_cancel_flag* cancel) {
    switch (st) {
    case PC_OK:
    case PC_ERR_OUT_OF_MEMORY:
        return st;
    case PC_ERR_CANCELLED:
        return cancel != NULL && atomic_load_explicit(cancel, memory_order_relaxed) ? st : PC_ERR_KERNEL_STATUS;
    default:
        return PC_ERR_KERNEL_STATUS;
    }
}

int32_t pc_kernel_abi_version(void) {
    return PC_KERNEL_ABI_VERSION;
}

const pc_kernel_def* pc_kernel_def_of(int32_t id) {
    return pc_kernel_lookup(id);
}

/* ---- direct entry points ------------------------------------------------------------------------ */

pc_status pc_run_def(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index) {
    pc_status st = pc_validate_call(def, args, n, bad_index);
    if (st != PC_OK) return st;
    return n == 0 ? PC_OK : pc_run_status(def->run(args, 0, n, NULL), NULL);
}

pc_status pc_run_def_keep(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index,
                          const void* keep0, const void* keep1, const void* keep2, const void* keep3) {
    (void)keep0, (void)keep1, (void)keep2, (void)keep3;
    return pc_run_def(def, args, n, bad_index);
}

pc_args pc_args_with_buffers(const pc_args* args, const void* in0, const void* in1, const void* in2,
                             const void* in3, void* out0, void* out1) {
    pc_args direct = *args;
    direct.in[0] = in0;
    direct.in[1] = in1;
    direct.in[2] = in2;
    direct.in[3] = in3;
    direct.out[0] = out0;
    direct.out[1] = out1;
    return direct;
}

pc_status pc_run_def_buffers(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index,
                             const void* in0, const void* in1, const void* in2, const void* in3, void* out0,
                             void* out1) {
    if (args == NULL) return PC_ERR_NULL_ARGUMENT;
    pc_args direct = pc_args_with_buffers(args, in0, in1, in2, in3, out0, out1);
    return pc_run_def(def, &direct, n, bad_index);
}

pc_status pc_run(int32_t kernel, const pc_args* args, uint64_t n, uint64_t* bad_index) {
    const pc_kernel_def* def = pc_kernel_lookup(kernel);
    return def == NULL ? PC_ERR_UNKNOWN_KERNEL : pc_run_def(def, args, n, bad_index);
}

pc_status pc_run_keep(int32_t kernel, const pc_args* args, uint64_t n, uint64_t* bad_index, const void* keep0,
                      const void* keep1, const void* keep2, const void* keep3) {
    (void)keep0, (void)keep1, (void)keep2, (void)keep3;
    return pc_run(kernel, args, n, bad_index);
}

static pc_status run_pairs(int32_t kernel, const int64_t* a, const int64_t* b, int64_t* out, uint64_t n,
                           uint64_t* bad_index) {
    /* the arrays hold n elements each, by this function's contract (n * 8 saturates: an n that large is
       rejected by validate() before any length is looked at) */
    uint64_t bytes = n > UINT64_MAX / sizeof(int64_t) ? UINT64_MAX : n * sizeof(int64_t);
    pc_args args = {.in = {a, b}, .out = {out}, .in_bytes = {bytes, bytes}, .out_bytes = {bytes}};
    return pc_run(kernel, &args, n, bad_index);
}

pc_status pc_gcd_brute(const int64_t* a, const int64_t* b, int64_t* out, uint64_t n, uint64_t* bad_index) {
    return run_pairs(PC_KERNEL_GCD_BRUTE, a, b, out, n, bad_index);
}

pc_status pc_gcd_fast(const int64_t* a, const int64_t* b, int64_t* out, uint64_t n, uint64_t* bad_index) {
    return run_pairs(PC_KERNEL_GCD_FAST, a, b, out, n, bad_index);
}
