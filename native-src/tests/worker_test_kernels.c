/* Kernels an application library exports, for test_worker.c's LOAD tests: one good (out[0][k] = 2 *
 * in[0][k], int64), one compiled for another kernel ABI, one whose function returns NULL. */
#include <stddef.h>

#include "pcompute_kernel.h"

static pc_status twice_validate(const pc_args* a, uint64_t n, uint64_t* bad) {
    pc_status st = pc_kernel_need_in(a, 0, n, sizeof(int64_t), bad);
    return st != PC_OK ? st : pc_kernel_need_out(a, 0, n, sizeof(int64_t), bad);
}

static pc_status twice_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    (void)cancel;
    const int64_t* in = a->in[0];
    int64_t* out = a->out[0];
    for (uint64_t k = begin; k < end; k++) out[k] = 2 * in[k];
    return PC_OK;
}

static const pc_kernel_def TWICE = {
    .abi_version = PC_KERNEL_ABI_VERSION, .name = "twice", .validate = twice_validate, .run = twice_run,
    .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1,
};

static const pc_kernel_def FUTURE = {
    .abi_version = 999, .name = "future", .run = twice_run,
    .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1,
};

const pc_kernel_def* pcw_test_twice(void);
const pc_kernel_def* pcw_test_future_abi(void);
const pc_kernel_def* pcw_test_null(void);

const pc_kernel_def* pcw_test_twice(void) { return &TWICE; }
const pc_kernel_def* pcw_test_future_abi(void) { return &FUTURE; }
const pc_kernel_def* pcw_test_null(void) { return NULL; }
