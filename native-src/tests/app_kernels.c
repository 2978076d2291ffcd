/*
 * app_kernels.c - a shared library of kernels written as an application writes them: against
 * pcompute_kernel.h only, not linked to libpcompute, one exported descriptor function per kernel. The
 * JUnit tests (example.app.ApplicationKernelTest) load it with NativeLibrary and run it on every strategy;
 * the broken descriptors below are the bad inputs an application can hand pcompute.
 */
#include <stdint.h>

#include "pcompute_kernel.h"

#define EXPORT __attribute__((visibility("default")))

/* ---- scale_int: int32 out[k] = in[k] * iparam[0] + iparam[1] (wrapping, as Java int arithmetic) -------
   Items must be >= 0 (a rule for validate() to enforce). */
static pc_status scale_int_validate(const pc_args* a, uint64_t n, uint64_t* bad_index) {
    /* the buffers' lengths before any item is read (kernel ABI 2) */
    pc_status st = pc_kernel_need_in(a, 0, n, sizeof(int32_t), bad_index);
    if (st == PC_OK) st = pc_kernel_need_out(a, 0, n, sizeof(int32_t), bad_index);
    if (st != PC_OK) return st;
    const int32_t* in = a->in[0];
    for (uint64_t k = 0; k < n; k++) {
        if (in[k] < 0) {
            if (bad_index != NULL) *bad_index = k;
            return PC_ERR_INVALID_ARGUMENT;
        }
    }
    return PC_OK;
}

static pc_status scale_int_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    const int32_t* in = a->in[0];
    int32_t* out = a->out[0];
    uint32_t mul = (uint32_t)a->iparam[0], add = (uint32_t)a->iparam[1];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        if (pc_kernel_budget_spend(&budget, 1)) return PC_ERR_CANCELLED;
        out[k] = (int32_t)((uint32_t)in[k] * mul + add);
    }
    return PC_OK;
}

static const pc_kernel_def SCALE_INT = {
    .abi_version = PC_KERNEL_ABI_VERSION, .name = "scale_int",
    .validate = scale_int_validate, .run = scale_int_run,
    .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1,
};
EXPORT const pc_kernel_def* pct_scale_int_kernel(void) { return &SCALE_INT; }

/* ---- saxpy_float: float out[k] = (float)dparam[0] * x[k] + y[k], no fused multiply-add ----------- */
static pc_status saxpy_validate(const pc_args* a, uint64_t n, uint64_t* bad_index) {
    pc_status st = pc_kernel_need_in(a, 0, n, sizeof(float), bad_index);
    if (st == PC_OK) st = pc_kernel_need_in(a, 1, n, sizeof(float), bad_index);
    if (st == PC_OK) st = pc_kernel_need_out(a, 0, n, sizeof(float), bad_index);
    return st;
}

static pc_status saxpy_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    const float* x = a->in[0];
    const float* y = a->in[1];
    float* out = a->out[0];
    float alpha = (float)a->dparam[0];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        if (pc_kernel_budget_spend(&budget, 1)) return PC_ERR_CANCELLED;
        float p = alpha * x[k];
        out[k] = p + y[k];
    }
    return PC_OK;
}

static const pc_kernel_def SAXPY_FLOAT = {
    .abi_version = PC_KERNEL_ABI_VERSION, .name = "saxpy_float",
    .validate = saxpy_validate, .run = saxpy_run, .inputs_mask = 0x3u, .outputs_mask = 0x1u, .block_param = -1,
};
EXPORT const pc_kernel_def* pct_saxpy_float_kernel(void) { return &SAXPY_FLOAT; }

/* ---- byte_sums: int64 out[b] = sum of the unsigned bytes of block b (iparam[0] bytes per block) -------- */
static pc_status byte_sums_validate(const pc_args* a, uint64_t n, uint64_t* bad_index) {
    uint64_t block = (uint64_t)a->iparam[0]; /* >= 1: the library checks a block_param */
    pc_status st = pc_kernel_need_in(a, 0, n, 1, bad_index);
    return st == PC_OK ? pc_kernel_need_out(a, 0, n / block + (n % block != 0), sizeof(int64_t), bad_index) : st;
}

static pc_status byte_sums_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    const uint8_t* in = a->in[0];
    int64_t* out = a->out[0];
    uint64_t block = (uint64_t)a->iparam[0];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t b = begin / block; b * block < end; b++) {
        uint64_t stop = (b + 1) * block < end ? (b + 1) * block : end;
        int64_t sum = 0;
        for (uint64_t k = b * block; k < stop; k++) {
            if (pc_kernel_budget_spend(&budget, 1)) return PC_ERR_CANCELLED;
            sum += in[k];
        }
        out[b] = sum;
    }
    return PC_OK;
}

static const pc_kernel_def BYTE_SUMS = {
    .abi_version = PC_KERNEL_ABI_VERSION, .name = "byte_sums",
    .validate = byte_sums_validate, .run = byte_sums_run, .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = 0,
};
EXPORT const pc_kernel_def* pct_byte_sums_kernel(void) { return &BYTE_SUMS; }

/* ---- bad descriptors -------------------------------------------------------------------------------- */

/* Built against a kernel ABI this pcompute does not speak. */
static const pc_kernel_def OTHER_ABI = {
    .abi_version = 999, .name = "scale_int", .run = scale_int_run,
    .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1,
};
EXPORT const pc_kernel_def* pct_other_abi_kernel(void) { return &OTHER_ABI; }

/* Returns no descriptor. */
EXPORT const pc_kernel_def* pct_null_kernel(void) { return NULL; }

/* run() returns a status outside the ABI. */
static pc_status bad_status_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    (void)a, (void)begin, (void)end, (void)cancel;
    return (pc_status)42;
}

static const pc_kernel_def BAD_STATUS = {
    .abi_version = PC_KERNEL_ABI_VERSION, .name = "scale_int",
    .run = bad_status_run, .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1,
};
EXPORT const pc_kernel_def* pct_bad_status_kernel(void) { return &BAD_STATUS; }
