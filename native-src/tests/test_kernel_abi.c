/* C tests of the kernel ABI (pcompute_kernel.h) and the descriptor entry points (pc_run_def,
 * pc_job_create_def, pc_kernel_def_of): kernels defined here the way an application would -- through the
 * public headers only -- run on the one-call path and on pools of 1, 2 and 4 workers at several chunk
 * sizes and equal a serial reference; bad descriptors (ABI mismatch, NULL run, bad masks and block
 * parameter), statuses outside the ABI and bad_index from validate() are reported as documented; the
 * built-in kernels through their descriptors equal the id path. Prints "N passed, N failed". */
/* The kernel header before anything else: it must compile on its own, as in a kernel library that includes
   nothing of pcompute but it (the build fails otherwise). */
#include "pcompute_kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcompute.h"

#include "pc_test.h"

/* ---- kernels declared as an application would ------------------------------------------------------ */

/* A per-item kernel: out[k] = a 64-bit mix of in[k], iterated `rounds` (iparam[0]) times; every item
   must be >= 0. Spends its budget per round, so a huge `rounds` stays cancellable. */
static pc_status mix_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    if (args->iparam[0] < 1) return PC_ERR_INVALID_ARGUMENT;
    pc_status st = pc_kernel_need_in(args, 0, n, sizeof(int64_t), bad_index); /* before reading an item */
    if (st == PC_OK) st = pc_kernel_need_out(args, 0, n, sizeof(int64_t), bad_index);
    if (st != PC_OK) return st;
    const int64_t* in = args->in[0];
    for (uint64_t k = 0; k < n; k++) {
        if (in[k] < 0) {
            if (bad_index != NULL) *bad_index = k;
            return PC_ERR_INVALID_ARGUMENT;
        }
    }
    return PC_OK;
}

static uint64_t mix_one(uint64_t x) {
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

static pc_status mix_run(const pc_args* args, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    const int64_t* in = args->in[0];
    int64_t* out = args->out[0];
    int64_t rounds = args->iparam[0];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        uint64_t x = (uint64_t)in[k];
        for (int64_t r = 0; r < rounds; r++) {
            if (pc_kernel_budget_spend(&budget, 4)) return PC_ERR_CANCELLED;
            x = mix_one(x + (uint64_t)r);
        }
        out[k] = (int64_t)x;
    }
    return PC_OK;
}

static const pc_kernel_def MIX = {
    .abi_version = PC_KERNEL_ABI_VERSION,
    .name = "test_mix",
    .validate = mix_validate,
    .run = mix_run,
    .inputs_mask = 0x1u,
    .outputs_mask = 0x1u,
    .block_param = -1,
};

/* A kernel with one partial per block (iparam[1] = block): out[b] = sum of in[k] over block b, and no
   validate() at all (so nothing but the library's "required buffers are not empty" checks lengths). */
static pc_status block_sum_run(const pc_args* args, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    const int64_t* in = args->in[0];
    int64_t* out = args->out[0];
    uint64_t block = (uint64_t)args->iparam[1];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t from = begin; from < end; from += block) {
        uint64_t to = from + block < end ? from + block : end;
        if (pc_kernel_budget_spend(&budget, (int64_t)(to - from))) return PC_ERR_CANCELLED;
        int64_t s = 0;
        for (uint64_t k = from; k < to; k++) s += in[k];
        out[from / block] = s;
    }
    return PC_OK;
}

static const pc_kernel_def BLOCK_SUM = {
    .abi_version = PC_KERNEL_ABI_VERSION,
    .name = "test_block_sum",
    .run = block_sum_run,
    .inputs_mask = 0x1u,
    .outputs_mask = 0x1u,
    .block_param = 1,
};

/* Kernels that break the ABI: statuses a kernel function may not return. */
static pc_status returns_42(const pc_args* args, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    (void)args, (void)begin, (void)end, (void)cancel;
    return (pc_status)42;
}

static pc_status returns_busy(const pc_args* args, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    (void)args, (void)begin, (void)end, (void)cancel;
    return PC_ERR_BUSY;
}

static pc_status returns_cancelled(const pc_args* args, uint64_t begin, uint64_t end,
                                   const pc_cancel_flag* cancel) {
    (void)args, (void)begin, (void)end, (void)cancel;
    return PC_ERR_CANCELLED;
}

static pc_status validate_returns_timeout(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)args, (void)n, (void)bad_index;
    return PC_ERR_TIMEOUT;
}

/* ---- helpers ------------------------------------------------------------------------------------- */

#define N 3001

static pc_status run_on_pool(int32_t threads, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                             uint64_t chunk, uint64_t* bad_index) {
    pc_pool* pool = NULL;
    pc_status st = pc_pool_create(threads, &pool);
    if (st != PC_OK) return st;
    pc_job* job = NULL;
    st = pc_job_create_def(pool, def, args, n, chunk, &job, bad_index);
    if (st == PC_OK) {
        pc_job_start(job);
        st = pc_job_wait(job, 60 * INT64_C(1000000000));
        if (st == PC_ERR_TIMEOUT) pc_job_cancel(job);
        pc_job_wait(job, -1);
        pc_job_free(job);
    }
    pc_pool_destroy(pool);
    return st;
}

static void fill_inputs(int64_t* in, uint64_t n, uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t k = 0; k < n; k++) {
        x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        in[k] = (int64_t)(x >> 2);
    }
}

/* ---- tests --------------------------------------------------------------------------------------- */

static void test_application_kernel_on_pool_equals_serial_reference(void) {
    static int64_t in[N], expected[N], out[N];
    fill_inputs(in, N, 7);
    const int64_t rounds = 5;
    for (uint64_t k = 0; k < N; k++) { /* the reference, written independently of mix_run's slicing */
        uint64_t x = (uint64_t)in[k];
        for (int64_t r = 0; r < rounds; r++) x = mix_one(x + (uint64_t)r);
        expected[k] = (int64_t)x;
    }
    pc_args args = {.in = {in}, .out = {out}, .iparam = {rounds}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}};
    memset(out, 0, sizeof out);
    CHECK_STATUS(PC_OK, pc_run_def(&MIX, &args, N, NULL));
    CHECK(memcmp(out, expected, sizeof out) == 0);

    const int32_t threads[] = {1, 2, 4};
    const uint64_t chunks[] = {0, 1, 7, 64, 1000, N, 5 * N};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            memset(out, 0, sizeof out);
            CHECK_STATUS(PC_OK, run_on_pool(threads[t], &MIX, &args, N, chunks[c], NULL));
            if (memcmp(out, expected, sizeof out) != 0) {
                fprintf(stderr, "mix differs at threads=%d chunk=%" PRIu64 "\n", threads[t], chunks[c]);
                checks_failed++;
            }
        }
    }
}

static void test_block_kernel_without_validate_covers_whole_blocks(void) {
    static int64_t in[N];
    enum { BLOCK = 16, BLOCKS = (N + BLOCK - 1) / BLOCK };
    int64_t expected[BLOCKS] = {0}, out[BLOCKS];
    fill_inputs(in, N, 11);
    for (uint64_t k = 0; k < N; k++) in[k] %= 1000000;
    for (uint64_t k = 0; k < N; k++) expected[k / BLOCK] += in[k];
    pc_args args = {.in = {in}, .out = {out}, .iparam = {0, BLOCK}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}};
    memset(out, 0, sizeof out);
    CHECK_STATUS(PC_OK, pc_run_def(&BLOCK_SUM, &args, N, NULL));
    CHECK(memcmp(out, expected, sizeof out) == 0);
    const uint64_t chunks[] = {0, BLOCK, 3 * BLOCK, 64 * BLOCK};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        memset(out, 0, sizeof out);
        CHECK_STATUS(PC_OK, run_on_pool(2, &BLOCK_SUM, &args, N, chunks[c], NULL));
        CHECK(memcmp(out, expected, sizeof out) == 0);
    }
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, run_on_pool(2, &BLOCK_SUM, &args, N, BLOCK + 1, NULL));
    args.iparam[1] = 0;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(&BLOCK_SUM, &args, N, NULL));
}

static void test_validate_sets_bad_index(void) {
    int64_t in[5] = {1, 2, 3, -4, -5}, out[5];
    pc_args args = {.in = {in}, .out = {out}, .iparam = {1}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}};
    uint64_t bad = 99;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(&MIX, &args, 5, &bad));
    CHECK(bad == 3);
    bad = 99;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, run_on_pool(2, &MIX, &args, 5, 1, &bad));
    CHECK(bad == 3);
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(&MIX, &args, 5, NULL)); /* bad_index may be NULL */
    CHECK_STATUS(PC_OK, pc_run_def(&MIX, &args, 3, NULL));
}

static void test_bad_descriptors_are_refused(void) {
    int64_t in[2] = {1, 2}, out[2];
    pc_args args = {.in = {in}, .out = {out}, .iparam = {1}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}};
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    pc_job* job = (pc_job*)&job; /* must be reset to NULL on failure */

    CHECK(pc_kernel_abi_version() == PC_KERNEL_ABI_VERSION);
    pc_kernel_def other_abi = MIX;
    other_abi.abi_version = PC_KERNEL_ABI_VERSION + 1;
    CHECK_STATUS(PC_ERR_ABI_MISMATCH, pc_run_def(&other_abi, &args, 2, NULL));
    CHECK_STATUS(PC_ERR_ABI_MISMATCH, pc_job_create_def(pool, &other_abi, &args, 2, 0, &job, NULL));
    CHECK(job == NULL);
    other_abi.abi_version = 0; /* a zero-initialised descriptor is a mismatch, not a crash */
    other_abi.run = NULL;
    CHECK_STATUS(PC_ERR_ABI_MISMATCH, pc_run_def(&other_abi, &args, 2, NULL));
    CHECK(strcmp(pc_strerror(PC_ERR_ABI_MISMATCH), pc_strerror(-1)) != 0);

    pc_kernel_def no_run = MIX;
    no_run.run = NULL;
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def(&no_run, &args, 2, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_create_def(pool, &no_run, &args, 2, 0, &job, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def(NULL, &args, 2, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_create_def(pool, NULL, &args, 2, 0, &job, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_create_def(NULL, &MIX, &args, 2, 0, &job, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def(&MIX, NULL, 2, NULL));

    pc_kernel_def bad = MIX;
    bad.inputs_mask = 1u << PC_MAX_INPUTS;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(&bad, &args, 2, NULL));
    bad = MIX;
    bad.outputs_mask = 1u << PC_MAX_OUTPUTS;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(&bad, &args, 2, NULL));
    bad = MIX;
    bad.block_param = PC_MAX_PARAMS; /* would index past iparam */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(&bad, &args, 2, NULL));
    bad.block_param = -2;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_create_def(pool, &bad, &args, 2, 0, &job, NULL));

    pc_args missing = args; /* a buffer the masks require */
    missing.out[0] = NULL;
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def(&MIX, &missing, 2, NULL));
    CHECK_STATUS(PC_OK, pc_run_def(&MIX, &missing, 0, NULL)); /* n == 0: no buffer needed */
    CHECK(job == NULL);
    pc_pool_destroy(pool);
}

static void test_statuses_outside_the_abi_are_mapped(void) {
    int64_t in[64] = {0}, out[64];
    pc_args args = {.in = {in}, .out = {out}, .iparam = {1}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}};
    pc_kernel_def k = MIX;
    k.run = returns_42;
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, pc_run_def(&k, &args, 64, NULL));
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, run_on_pool(2, &k, &args, 64, 8, NULL));
    k.run = returns_busy; /* a real pcompute status, but not one run() may return */
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, pc_run_def(&k, &args, 64, NULL));
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, run_on_pool(1, &k, &args, 64, 8, NULL));
    k.run = returns_cancelled; /* cancelled although nobody cancelled */
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, pc_run_def(&k, &args, 64, NULL));
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, run_on_pool(2, &k, &args, 64, 8, NULL));
    k = MIX;
    k.validate = validate_returns_timeout;
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, pc_run_def(&k, &args, 64, NULL));
    CHECK_STATUS(PC_ERR_KERNEL_STATUS, run_on_pool(2, &k, &args, 64, 8, NULL));
    CHECK(strcmp(pc_strerror(PC_ERR_KERNEL_STATUS), pc_strerror(-1)) != 0);
}

static void test_application_kernel_is_cancellable_through_the_budget(void) {
    int64_t in[4] = {1, 2, 3, 4}, out[4];
    pc_args args = {.in = {in}, .out = {out}, .iparam = {INT64_MAX}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}}; /* endless unless cancelled */
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &MIX, &args, 4, 1, &job, NULL));
    if (job != NULL) {
        pc_job_start(job);
        CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 20 * INT64_C(1000000)));
        CHECK_STATUS(PC_OK, pc_job_cancel(job));
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 30 * INT64_C(1000000000)));
        pc_job_free(job);
    }
    pc_pool_destroy(pool); /* cancels the job if the check above failed */
}

static void test_builtin_kernels_through_descriptors_equal_the_id_path(void) {
    CHECK(pc_kernel_def_of(0) == NULL);
    CHECK(pc_kernel_def_of(pc_kernel_count() + 1) == NULL);
    for (int32_t id = 1; id <= pc_kernel_count(); id++) {
        const pc_kernel_def* def = pc_kernel_def_of(id);
        CHECK(def != NULL && def->abi_version == PC_KERNEL_ABI_VERSION && def->run != NULL);
        CHECK(def != NULL && strcmp(def->name, pc_kernel_name(id)) == 0);
    }
    enum { M = 2000 };
    static int64_t a[M], b[M], by_id[M], by_def[M];
    fill_inputs(a, M, 3);
    fill_inputs(b, M, 5);
    for (int k = 0; k < M; k++) a[k] = a[k] % 100000 + 1, b[k] = b[k] % 100000 + 1;
    pc_args gcd = {.in = {a, b}, .out = {by_id}, .in_bytes = {sizeof a, sizeof b}, .out_bytes = {sizeof by_id}};
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_GCD_BRUTE, &gcd, M, NULL));
    gcd.out[0] = by_def;
    CHECK_STATUS(PC_OK, run_on_pool(2, pc_kernel_def_of(PC_KERNEL_GCD_BRUTE), &gcd, M, 37, NULL));
    CHECK(memcmp(by_id, by_def, sizeof by_id) == 0);

    static double x[M], sum_id[M / 100], sum_def[M / 100];
    for (int k = 0; k < M; k++) x[k] = (double)a[k] / 7.0;
    pc_args sum = {.in = {x}, .out = {sum_id}, .iparam = {100}, .in_bytes = {sizeof x}, .out_bytes = {sizeof sum_id}};
    CHECK_STATUS(PC_OK, pc_run(PC_KERNEL_REDUCE_SUM, &sum, M, NULL));
    sum.out[0] = sum_def;
    CHECK_STATUS(PC_OK, pc_run_def(pc_kernel_def_of(PC_KERNEL_REDUCE_SUM), &sum, M, NULL));
    CHECK(memcmp(sum_id, sum_def, sizeof sum_id) == 0);
    memset(sum_def, 0, sizeof sum_def);
    CHECK_STATUS(PC_OK, run_on_pool(2, pc_kernel_def_of(PC_KERNEL_REDUCE_SUM), &sum, M, 300, NULL));
    CHECK(memcmp(sum_id, sum_def, sizeof sum_id) == 0);

    /* validation and bad_index are the same on both paths */
    b[17] = 0;
    uint64_t bad_id = 0, bad_def = 0;
    gcd.out[0] = by_id;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run(PC_KERNEL_GCD_BRUTE, &gcd, M, &bad_id));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def(pc_kernel_def_of(PC_KERNEL_GCD_BRUTE), &gcd, M, &bad_def));
    CHECK(bad_id == 17 && bad_def == 17);
}

/* The *_buffers entry points take the buffers as arguments and ignore args->in/out: the same bits as
   pc_run_def, the same validation and bad_index, and NULL arguments refused. */
static void test_buffers_entry_points_equal_run_def(void) {
    enum { M = 5000, BLOCK = 64, BLOCKS = (M + BLOCK - 1) / BLOCK };
    static double x[M], y[M], expected[BLOCKS], serial[BLOCKS], pooled[BLOCKS];
    for (int k = 0; k < M; k++) x[k] = (double)(k % 97) / 3.0 - 11.0, y[k] = (double)(k % 13) * 0.7;
    static double decoy_x[M], decoy_out[BLOCKS]; /* what args points at: must be neither read nor written */
    const pc_kernel_def* dot = pc_kernel_def_of(PC_KERNEL_REDUCE_DOT);
    pc_args args = {.in = {x, y}, .out = {expected}, .iparam = {BLOCK}, .in_bytes = {sizeof x, sizeof y},
                    .out_bytes = {sizeof expected}};
    CHECK_STATUS(PC_OK, pc_run_def(dot, &args, M, NULL));
    args.in[0] = decoy_x, args.in[1] = NULL, args.out[0] = decoy_out;
    CHECK_STATUS(PC_OK, pc_run_def_buffers(dot, &args, M, NULL, x, y, NULL, NULL, serial, NULL));
    CHECK(memcmp(expected, serial, sizeof expected) == 0);
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    for (uint64_t chunk = 0; chunk <= 4 * BLOCK; chunk += 2 * BLOCK) {
        memset(pooled, 0, sizeof pooled);
        CHECK_STATUS(PC_OK, pc_pool_run_def_buffers(pool, dot, &args, M, chunk, NULL, x, y, NULL, NULL, pooled, NULL));
        CHECK(memcmp(expected, pooled, sizeof expected) == 0);
    }
    static double zero[BLOCKS];
    CHECK(memcmp(decoy_out, zero, sizeof zero) == 0);
    /* a missing buffer, validation with bad_index, NULL arguments */
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def_buffers(dot, &args, M, NULL, x, NULL, NULL, NULL, serial, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT,
                 pc_pool_run_def_buffers(pool, dot, &args, M, 0, NULL, x, y, NULL, NULL, NULL, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def_buffers(dot, NULL, M, NULL, x, y, NULL, NULL, serial, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_run_def_buffers(pool, dot, NULL, M, 0, NULL, x, y, NULL, NULL, pooled, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_run_def_buffers(NULL, dot, &args, M, 0, NULL, x, y, NULL, NULL, pooled, NULL));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_run_def_buffers(NULL, &args, M, NULL, x, y, NULL, NULL, serial, NULL));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, /* chunk not a whole number of blocks */
                 pc_pool_run_def_buffers(pool, dot, &args, M, BLOCK + 1, NULL, x, y, NULL, NULL, pooled, NULL));
    static int64_t a[8] = {4, 6, 8, 10, 12, 14, 16, 18}, b[8] = {2, 3, 4, 5, 0, 7, 8, 9}, g[8];
    pc_args pairs = {.in_bytes = {sizeof a, sizeof b}, .out_bytes = {sizeof g}};
    const pc_kernel_def* brute = pc_kernel_def_of(PC_KERNEL_GCD_BRUTE);
    uint64_t bad = 0;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_run_def_buffers(brute, &pairs, 8, &bad, a, b, NULL, NULL, g, NULL));
    CHECK(bad == 4);
    bad = 0;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT,
                 pc_pool_run_def_buffers(pool, brute, &pairs, 8, 0, &bad, a, b, NULL, NULL, g, NULL));
    CHECK(bad == 4);
    b[4] = 6;
    CHECK_STATUS(PC_OK, pc_pool_run_def_buffers(pool, brute, &pairs, 8, 0, NULL, a, b, NULL, NULL, g, NULL));
    CHECK(g[0] == 2 && g[1] == 3 && g[4] == 6 && g[7] == 9);
    pc_pool_destroy(pool);
}

/* ---- buffer lengths (ABI 2) ---------------------------------------------------------------------- */

static void test_kernel_length_helpers_are_overflow_safe(void) {
    pc_args args = {.in_bytes = {80, 0, 0, UINT64_MAX}, .out_bytes = {16, 7}};
    uint64_t bad = 99;
    CHECK_STATUS(PC_OK, pc_kernel_need_in(&args, 0, 10, 8, &bad));
    CHECK(bad == 99); /* untouched on success */
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_kernel_need_in(&args, 0, 11, 8, &bad));
    CHECK(bad == 0);
    CHECK_STATUS(PC_OK, pc_kernel_need_in(&args, 1, 0, 8, &bad)); /* nothing needed, nothing there */
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_kernel_need_in(&args, 1, 1, 1, NULL)); /* bad_index may be NULL */
    /* count * elem_size wrapping around to a small number is too short, not fine */
    CHECK_STATUS(PC_OK, pc_kernel_need_in(&args, 3, UINT64_MAX / 8, 8, &bad));
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_kernel_need_in(&args, 3, (UINT64_MAX / 8) + 1, 8, &bad));
    CHECK(bad == 3);
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_kernel_need_out(&args, 0, UINT64_C(1) << 61, 16, &bad));
    CHECK(bad == PC_OUT_SLOT(0) && PC_OUT_SLOT(0) == PC_MAX_INPUTS);
    CHECK_STATUS(PC_OK, pc_kernel_need_out(&args, 1, 7, 1, &bad));
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_kernel_need_out(&args, 1, 1, 8, &bad));
    CHECK(bad == PC_OUT_SLOT(1));
    bad = 99; /* a slot that does not exist is the kernel's bug, not a short buffer */
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_kernel_need_in(&args, PC_MAX_INPUTS, 0, 8, &bad));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_kernel_need_in(&args, -1, 0, 8, &bad));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_kernel_need_out(&args, PC_MAX_OUTPUTS, 0, 8, &bad));
    CHECK(bad == 99);
    CHECK(strcmp(pc_strerror(PC_ERR_BUFFER_SIZE), pc_strerror(-1)) != 0);
}

static void test_application_kernel_reports_short_buffers_with_their_slot(void) {
    int64_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    pc_args args = {.in = {in}, .out = {out}, .iparam = {1}, .in_bytes = {sizeof in}, .out_bytes = {sizeof out}};
    uint64_t bad = 99;
    CHECK_STATUS(PC_OK, pc_run_def(&MIX, &args, 8, &bad));
    args.in_bytes[0] = sizeof in - 1; /* one byte short */
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_run_def(&MIX, &args, 8, &bad));
    CHECK(bad == 0);
    bad = 99;
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, run_on_pool(2, &MIX, &args, 8, 1, &bad));
    CHECK(bad == 0);
    CHECK_STATUS(PC_OK, pc_run_def(&MIX, &args, 7, &bad)); /* enough for 7 items */
    args.in_bytes[0] = sizeof in;
    args.out_bytes[0] = 8;
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_run_def(&MIX, &args, 8, &bad));
    CHECK(bad == PC_OUT_SLOT(0));
    bad = 99;
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, run_on_pool(1, &MIX, &args, 8, 0, &bad));
    CHECK(bad == PC_OUT_SLOT(0));

    /* a kernel without validate(): the library still refuses a required buffer of length 0 (a caller
       that never filled in the lengths), naming the slot, on both paths */
    int64_t sums[1];
    pc_args blocks = {.in = {in}, .out = {sums}, .iparam = {0, 8}, .out_bytes = {sizeof sums}};
    bad = 99;
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, pc_run_def(&BLOCK_SUM, &blocks, 8, &bad));
    CHECK(bad == 0);
    blocks.in_bytes[0] = sizeof in;
    blocks.out_bytes[0] = 0;
    bad = 99;
    CHECK_STATUS(PC_ERR_BUFFER_SIZE, run_on_pool(2, &BLOCK_SUM, &blocks, 8, 0, &bad));
    CHECK(bad == PC_OUT_SLOT(0));
    CHECK_STATUS(PC_OK, pc_run_def(&BLOCK_SUM, &blocks, 0, NULL)); /* n == 0: no length needed */
    blocks.out_bytes[0] = sizeof sums;
    CHECK_STATUS(PC_OK, pc_run_def(&BLOCK_SUM, &blocks, 8, NULL));
    CHECK(sums[0] == 36);
}

/* One built-in kernel over n = 10 items with every buffer exactly as long as it needs (bytes per slot:
   inputs 0..3, outputs 0..1; 0 = not used). */
typedef struct length_case {
    int32_t kernel;
    int64_t iparam[PC_MAX_PARAMS];
    double dparam[PC_MAX_PARAMS];
    uint64_t in_bytes[PC_MAX_INPUTS];
    uint64_t out_bytes[PC_MAX_OUTPUTS];
} length_case;

static void test_every_builtin_kernel_rejects_each_short_buffer_with_its_slot(void) {
    enum { LN = 10 };
    /* blocks of 3 (primes) / 4 (reductions, histogram): ceil(10 / 3) = 4, ceil(10 / 4) = 3 partials */
    const length_case cases[] = {
        {.kernel = PC_KERNEL_GCD_BRUTE, .in_bytes = {80, 80}, .out_bytes = {80}},
        {.kernel = PC_KERNEL_GCD_FAST, .in_bytes = {80, 80}, .out_bytes = {80}},
        {.kernel = PC_KERNEL_PRIMES_TRIAL, .iparam = {0, 3}, .out_bytes = {4 * 8}},
        {.kernel = PC_KERNEL_PRIMES_SIEVE, .iparam = {100, 3}, .out_bytes = {4 * 8}},
        {.kernel = PC_KERNEL_MANDELBROT, .iparam = {5, 20}, .dparam = {-2, -1, 0.5, 0.5}, .out_bytes = {80}},
        {.kernel = PC_KERNEL_REDUCE_SUM, .iparam = {4}, .in_bytes = {80}, .out_bytes = {3 * 8}},
        {.kernel = PC_KERNEL_REDUCE_SUM_NEUMAIER, .iparam = {4}, .in_bytes = {80}, .out_bytes = {3 * 8, 3 * 8}},
        {.kernel = PC_KERNEL_REDUCE_DOT, .iparam = {4}, .in_bytes = {80, 80}, .out_bytes = {3 * 8}},
        {.kernel = PC_KERNEL_REDUCE_MINMAX, .iparam = {4}, .in_bytes = {80}, .out_bytes = {6 * 8, 6 * 8}},
        /* A = 10 x 3, B = 3 x 2, C = 10 x 2 */
        {.kernel = PC_KERNEL_MATMUL, .iparam = {3, 2}, .in_bytes = {30 * 8, 6 * 8}, .out_bytes = {20 * 8}},
        /* 5 bins per block of 4: 3 blocks x 5 counts */
        {.kernel = PC_KERNEL_HISTOGRAM, .iparam = {5, 4}, .dparam = {0.0, 2.0, 2.5}, .in_bytes = {80},
         .out_bytes = {15 * 8}},
        {.kernel = PC_KERNEL_COLLATZ_STEPS, .in_bytes = {80}, .out_bytes = {80}},
    };
    CHECK(sizeof cases / sizeof cases[0] == (size_t)pc_kernel_count()); /* a new kernel needs its case */
    /* every buffer: 64 values of 1 (valid for every kernel: gcd, collatz, doubles) */
    static int64_t ibuf[PC_MAX_INPUTS][64];
    static double dbuf[PC_MAX_INPUTS][64];
    static int64_t obuf[PC_MAX_OUTPUTS][64];
    for (int s = 0; s < PC_MAX_INPUTS; s++) {
        for (int k = 0; k < 64; k++) ibuf[s][k] = 1, dbuf[s][k] = 1.0;
    }
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const length_case* lc = &cases[c];
        int doubles = lc->kernel >= PC_KERNEL_REDUCE_SUM && lc->kernel <= PC_KERNEL_HISTOGRAM;
        pc_args args = {0};
        memcpy(args.iparam, lc->iparam, sizeof args.iparam);
        memcpy(args.dparam, lc->dparam, sizeof args.dparam);
        for (int s = 0; s < PC_MAX_INPUTS; s++) {
            if (lc->in_bytes[s] > 0) {
                args.in[s] = doubles ? (const void*)dbuf[s] : (const void*)ibuf[s];
                args.in_bytes[s] = lc->in_bytes[s];
            }
        }
        for (int s = 0; s < PC_MAX_OUTPUTS; s++) {
            if (lc->out_bytes[s] > 0) args.out[s] = obuf[s], args.out_bytes[s] = lc->out_bytes[s];
        }
        const char* name = pc_kernel_name(lc->kernel);
        pc_status st = pc_run(lc->kernel, &args, LN, NULL);
        if (st != PC_OK) fprintf(stderr, "%s: exact lengths refused (%d)\n", name, (int)st), checks_failed++;
        for (int slot = 0; slot < PC_MAX_INPUTS + PC_MAX_OUTPUTS; slot++) {
            uint64_t* len = slot < PC_MAX_INPUTS ? &args.in_bytes[slot] : &args.out_bytes[slot - PC_MAX_INPUTS];
            if (*len == 0) continue;
            uint64_t exact = *len;
            const uint64_t shorts[] = {exact - 1, 0};
            for (int s = 0; s < 2; s++) {
                *len = shorts[s];
                uint64_t bad = 99, pool_bad = 99;
                st = pc_run(lc->kernel, &args, LN, &bad);
                pc_job* job = NULL;
                pc_status pool_st = pc_job_create(pool, lc->kernel, &args, LN, 0, &job, &pool_bad);
                if (st != PC_ERR_BUFFER_SIZE || bad != (uint64_t)slot || pool_st != PC_ERR_BUFFER_SIZE ||
                    pool_bad != (uint64_t)slot || job != NULL) {
                    fprintf(stderr, "%s: slot %d of %" PRIu64 " bytes (needs %" PRIu64 "): status %d / %d, "
                            "bad_index %" PRIu64 " / %" PRIu64 "\n", name, slot, shorts[s], exact, (int)st,
                            (int)pool_st, bad, pool_bad);
                    checks_failed++;
                }
                if (job != NULL) pc_job_cancel(job), pc_job_wait(job, -1), pc_job_free(job);
            }
            *len = exact;
        }
    }
    pc_pool_destroy(pool);
}

static void run_test(const char* name, void (*test)(void)) {
    int before = checks_failed;
    test();
    record_test(name, before);
}

int main(void) {
    printf("pcompute %s kernel ABI %d tests\n", pc_version(), pc_kernel_abi_version());
    run_test("application_kernel_on_pool_equals_serial_reference",
             test_application_kernel_on_pool_equals_serial_reference);
    run_test("block_kernel_without_validate_covers_whole_blocks", test_block_kernel_without_validate_covers_whole_blocks);
    run_test("validate_sets_bad_index", test_validate_sets_bad_index);
    run_test("bad_descriptors_are_refused", test_bad_descriptors_are_refused);
    run_test("statuses_outside_the_abi_are_mapped", test_statuses_outside_the_abi_are_mapped);
    run_test("application_kernel_is_cancellable_through_the_budget",
             test_application_kernel_is_cancellable_through_the_budget);
    run_test("builtin_kernels_through_descriptors_equal_the_id_path",
             test_builtin_kernels_through_descriptors_equal_the_id_path);
    run_test("buffers_entry_points_equal_run_def", test_buffers_entry_points_equal_run_def);
    run_test("kernel_length_helpers_are_overflow_safe", test_kernel_length_helpers_are_overflow_safe);
    run_test("application_kernel_reports_short_buffers_with_their_slot",
             test_application_kernel_reports_short_buffers_with_their_slot);
    run_test("every_builtin_kernel_rejects_each_short_buffer_with_its_slot",
             test_every_builtin_kernel_rejects_each_short_buffer_with_its_slot);
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
