/*
 * fuzz_api: the entry points not covered by fuzz_run / fuzz_jobs, with any argument values:
 * pc_strerror and pc_kernel_name with any int, pc_kernel_count, pc_version, pc_cpu_count,
 * pc_gcd_brute / pc_gcd_fast with fuzzed pairs and NULL buffers, pc_pool_create with any thread count
 * (pools actually created stay small), every pool/job function given NULL handles or outputs, and the
 * test hook pc_test_plant_bug, which this harness always switches off again before returning; and
 * pc_run_def / pc_job_create_def with a scripted kernel whose descriptor fields and statuses are fuzzed.
 */
#include "fuzz_common.h"

static void fuzz_gcd(fuzz_reader* r, int brute) {
    uint64_t n = fuzz_u8(r) % 48u;
    int64_t* a = fuzz_alloc(n * 8);
    int64_t* b = fuzz_alloc(n * 8);
    int64_t* out = fuzz_alloc(n * 8);
    int64_t min_value = brute ? 1 : 0;
    uint64_t first_bad = UINT64_MAX;
    for (uint64_t k = 0; k < n; k++) {
        a[k] = fuzz_item_int(r, brute ? PC_KERNEL_GCD_BRUTE : PC_KERNEL_GCD_FAST);
        b[k] = fuzz_item_int(r, brute ? PC_KERNEL_GCD_BRUTE : PC_KERNEL_GCD_FAST);
        if (brute && a[k] >= (1 << 16) && b[k] >= (1 << 16)) b[k] &= 0xffff; /* keep brute force fast */
        if (first_bad == UINT64_MAX && (a[k] < min_value || b[k] < min_value)) first_bad = k;
    }
    memset(out, 0x77, n * 8);
    uint8_t nulls = fuzz_u8(r);
    const int64_t* pa = (nulls & 1u) ? NULL : a;
    const int64_t* pb = (nulls & 2u) ? NULL : b;
    int64_t* po = (nulls & 4u) ? NULL : out;
    uint64_t bad = UINT64_MAX;
    pc_status st = brute ? pc_gcd_brute(pa, pb, po, n, (nulls & 8u) ? NULL : &bad)
                         : pc_gcd_fast(pa, pb, po, n, (nulls & 8u) ? NULL : &bad);
    if (n > 0 && (nulls & 7u)) {
        FUZZ_CHECK(st == PC_ERR_NULL_ARGUMENT, "gcd with a NULL buffer: %d", (int)st);
    } else if (first_bad != UINT64_MAX) {
        FUZZ_CHECK(st == PC_ERR_INVALID_ARGUMENT, "gcd with bad item %llu: %d", (unsigned long long)first_bad, (int)st);
        if (!(nulls & 8u)) FUZZ_CHECK(bad == first_bad, "bad_index %llu, want %llu", (unsigned long long)bad,
                                      (unsigned long long)first_bad);
        for (uint64_t k = 0; k < n; k++) FUZZ_CHECK(out[k] == 0x7777777777777777, "output written before validation");
    } else {
        FUZZ_CHECK(st == PC_OK, "valid gcd call: %d", (int)st);
        for (uint64_t k = 0; k < n; k++) {
            FUZZ_CHECK(out[k] == gcd_oracle(a[k], b[k]), "gcd(%lld, %lld) = %lld", (long long)a[k], (long long)b[k],
                       (long long)out[k]);
        }
    }
    free(a);
    free(b);
    free(out);
}

static void fuzz_null_handles(void) {
    pc_args args;
    memset(&args, 0, sizeof args);
    uint64_t u = 0;
    int32_t i32 = 0;
    uint64_t tags[1];
    pc_job* job = NULL;
    FUZZ_CHECK(pc_pool_create(1, NULL) == PC_ERR_NULL_ARGUMENT, "pool_create(out NULL)");
    FUZZ_CHECK(pc_pool_thread_count(NULL, &i32) == PC_ERR_NULL_ARGUMENT, "thread_count(NULL)");
    FUZZ_CHECK(pc_pool_destroy(NULL) == PC_ERR_NULL_ARGUMENT, "destroy(NULL)");
    FUZZ_CHECK(pc_job_create(NULL, PC_KERNEL_GCD_FAST, &args, 0, 0, &job, &u) == PC_ERR_NULL_ARGUMENT, "create(NULL pool)");
    FUZZ_CHECK(pc_job_submit(NULL, PC_KERNEL_GCD_FAST, &args, 0, 0, &job, &u) == PC_ERR_NULL_ARGUMENT, "submit(NULL pool)");
    FUZZ_CHECK(pc_job_start(NULL) == PC_ERR_NULL_ARGUMENT, "start(NULL)");
    FUZZ_CHECK(pc_job_wait(NULL, 0) == PC_ERR_NULL_ARGUMENT, "wait(NULL)");
    FUZZ_CHECK(pc_job_start_and_wait(NULL, NULL, NULL, NULL, NULL, NULL, NULL) == PC_ERR_NULL_ARGUMENT, "start_and_wait");
    FUZZ_CHECK(pc_job_cancel(NULL) == PC_ERR_NULL_ARGUMENT, "cancel(NULL)");
    FUZZ_CHECK(pc_job_progress(NULL, &u, &u) == PC_ERR_NULL_ARGUMENT, "progress(NULL)");
    FUZZ_CHECK(pc_job_free(NULL) == PC_ERR_NULL_ARGUMENT, "free(NULL)");
#ifdef FUZZ_HAVE_COMPLETIONS
    FUZZ_CHECK(pc_job_set_completion_tag(NULL, 1) == PC_ERR_NULL_ARGUMENT, "set_completion_tag(NULL)");
    FUZZ_CHECK(pc_pool_next_completions(NULL, 0, tags, 1, &i32) == PC_ERR_NULL_ARGUMENT, "next_completions(NULL)");
    FUZZ_CHECK(pc_pool_wake_completions(NULL) == PC_ERR_NULL_ARGUMENT, "wake(NULL)");
    FUZZ_CHECK(pc_job_wait_started(NULL, 0) == PC_ERR_NULL_ARGUMENT, "wait_started(NULL)");
#endif
    (void)tags;
}

/* A real pool with NULL outputs and arguments on its functions. */
static void fuzz_pool(fuzz_reader* r) {
    int32_t threads = (int32_t)fuzz_bytes(r, 4);
    uint8_t mode = fuzz_u8(r);
    if (mode & 1u) threads = (int32_t)(mode >> 1) % 4; /* mostly small, 0 = cpu count */
    pc_pool* pool = (pc_pool*)(uintptr_t)1;
    if (threads < 0 || threads > PC_MAX_THREADS) {
        FUZZ_CHECK(pc_pool_create(threads, &pool) == PC_ERR_INVALID_ARGUMENT, "pc_pool_create(%d)", (int)threads);
        FUZZ_CHECK(pool == (pc_pool*)(uintptr_t)1 || pool == NULL, "pool written on failure");
        return;
    }
    if (threads > 4 || (threads == 0 && pc_cpu_count() > 8)) return; /* valid but costly in a fuzz loop */
    pc_status st = pc_pool_create(threads, &pool);
    FUZZ_CHECK(st == PC_OK || st == PC_ERR_THREAD || st == PC_ERR_OUT_OF_MEMORY, "pc_pool_create(%d): %d", (int)threads, (int)st);
    if (st != PC_OK) return;
    int32_t have = -1;
    FUZZ_CHECK(pc_pool_thread_count(pool, &have) == PC_OK, "thread_count");
    FUZZ_CHECK(have == (threads == 0 ? pc_cpu_count() : threads), "threads %d, asked %d",
               (int)have, (int)threads);
    FUZZ_CHECK(pc_pool_thread_count(pool, NULL) == PC_ERR_NULL_ARGUMENT, "thread_count(out NULL)");
    pc_args args;
    memset(&args, 0, sizeof args);
    pc_job* job = NULL;
    FUZZ_CHECK(pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 0, 0, NULL, NULL) == PC_ERR_NULL_ARGUMENT, "create(out NULL)");
    FUZZ_CHECK(pc_job_create(pool, PC_KERNEL_GCD_FAST, NULL, 0, 0, &job, NULL) == PC_ERR_NULL_ARGUMENT, "create(args NULL)");
    int32_t kernel = (int32_t)fuzz_bytes(r, 4);
    pc_status cs = pc_job_create(pool, kernel, &args, 0, fuzz_bytes(r, 8), &job, NULL);
    if (pc_kernel_name(kernel) == NULL) FUZZ_CHECK(cs == PC_ERR_UNKNOWN_KERNEL, "create(kernel %d): %d", (int)kernel, (int)cs);
    if (cs == PC_OK) { /* n == 0: finishes at once */
        FUZZ_CHECK(pc_job_start_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL) == PC_OK, "n = 0 job");
        FUZZ_CHECK(pc_job_free(job) == PC_OK, "free");
    }
#ifdef FUZZ_HAVE_COMPLETIONS
    int32_t count = -1;
    uint64_t tags[2];
    int32_t capacity = (int32_t)fuzz_bytes(r, 4);
    if (capacity > 2) capacity = 2;
    pc_status ns = pc_pool_next_completions(pool, 0, tags, capacity, &count);
    FUZZ_CHECK(capacity < 1 ? ns == PC_ERR_INVALID_ARGUMENT : ns == PC_ERR_TIMEOUT, "next_completions(cap %d): %d",
               (int)capacity, (int)ns);
    FUZZ_CHECK(pc_pool_next_completions(pool, 0, NULL, 1, &count) == PC_ERR_NULL_ARGUMENT, "tags NULL");
    FUZZ_CHECK(pc_pool_next_completions(pool, 0, tags, 1, NULL) == PC_ERR_NULL_ARGUMENT, "count NULL");
    FUZZ_CHECK(pc_pool_wake_completions(pool) == PC_OK, "wake");
    ns = pc_pool_next_completions(pool, -1, tags, 1, &count); /* the wake is kept for the next call */
    FUZZ_CHECK(ns == PC_OK && count == 0, "after a wake: %d, count %d", (int)ns, (int)count);
#endif
    FUZZ_CHECK(pc_pool_destroy(pool) == PC_OK, "destroy");
}

/* ---- kernels by descriptor: a scripted kernel with fuzzed descriptor fields and statuses --------- */

static pc_status scripted_run_status, scripted_validate_status;

static pc_status scripted_run(const pc_args* args, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    (void)args, (void)begin, (void)end, (void)cancel;
    return scripted_run_status;
}

static pc_status scripted_validate(const pc_args* args, uint64_t n, uint64_t* bad_index) {
    (void)args;
    if (bad_index != NULL) *bad_index = n / 2;
    return scripted_validate_status;
}

/* pc_run_def and pc_job_create_def against the rules of pcompute.h, "Kernels by descriptor", in order. */
static void fuzz_def(fuzz_reader* r) {
    uint8_t flags = fuzz_u8(r);
    pc_kernel_def def = {
        .abi_version = (flags & 7u) == 0 ? (int32_t)fuzz_bytes(r, 4) : PC_KERNEL_ABI_VERSION,
        .name = "scripted",
        .validate = (flags & 8u) ? scripted_validate : NULL,
        .run = (flags & 16u) ? NULL : scripted_run,
        .inputs_mask = fuzz_u8(r) & 0x3fu,
        .outputs_mask = fuzz_u8(r) & 0x7u,
        .block_param = (int32_t)(fuzz_u8(r) % 11u) - 5,
    };
    scripted_run_status = (pc_status)(fuzz_u8(r) % 13u);
    scripted_validate_status = (pc_status)(fuzz_u8(r) % 13u);
    uint64_t n = fuzz_u8(r) % 16u;
    int64_t buf[16] = {0};
    uint8_t present = fuzz_u8(r);
    pc_args args;
    memset(&args, 0, sizeof args);
    for (int i = 0; i < PC_MAX_INPUTS; i++) args.in[i] = (present >> i & 1u) ? buf : NULL;
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) args.out[i] = (present >> (4 + i) & 1u) ? buf : NULL;
    for (int i = 0; i < PC_MAX_PARAMS; i++) args.iparam[i] = (int8_t)fuzz_u8(r);
    uint8_t empty = fuzz_u8(r); /* which present buffers claim a length of 0 */
    for (int i = 0; i < PC_MAX_INPUTS; i++) args.in_bytes[i] = args.in[i] && !(empty >> i & 1u) ? sizeof buf : 0;
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) {
        args.out_bytes[i] = args.out[i] && !(empty >> (4 + i) & 1u) ? sizeof buf : 0;
    }

    pc_status want;
    int required_missing = 0;
    uint64_t first_empty = UINT64_MAX; /* the first required slot with length 0 */
    for (int i = 0; i < PC_MAX_INPUTS; i++) required_missing |= (def.inputs_mask >> i & 1u) && args.in[i] == NULL;
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) required_missing |= (def.outputs_mask >> i & 1u) && args.out[i] == NULL;
    for (int i = PC_MAX_OUTPUTS - 1; i >= 0; i--) {
        if ((def.outputs_mask >> i & 1u) && args.out_bytes[i] == 0) first_empty = (uint64_t)PC_OUT_SLOT(i);
    }
    for (int i = PC_MAX_INPUTS - 1; i >= 0; i--) {
        if ((def.inputs_mask >> i & 1u) && args.in_bytes[i] == 0) first_empty = (uint64_t)i;
    }
    if (def.abi_version != PC_KERNEL_ABI_VERSION) want = PC_ERR_ABI_MISMATCH;
    else if (def.run == NULL) want = PC_ERR_NULL_ARGUMENT;
    else if ((def.inputs_mask >> PC_MAX_INPUTS) != 0 || (def.outputs_mask >> PC_MAX_OUTPUTS) != 0 ||
             def.block_param < -1 || def.block_param >= PC_MAX_PARAMS) want = PC_ERR_INVALID_ARGUMENT;
    else if (n > 0 && required_missing) want = PC_ERR_NULL_ARGUMENT;
    else if (n > 0 && first_empty != UINT64_MAX) want = PC_ERR_BUFFER_SIZE;
    else if (def.block_param >= 0 && args.iparam[def.block_param] < 1) want = PC_ERR_INVALID_ARGUMENT;
    else if (def.validate != NULL && scripted_validate_status != PC_OK)
        want = scripted_validate_status == PC_ERR_INVALID_ARGUMENT || scripted_validate_status == PC_ERR_BUFFER_SIZE
                   ? scripted_validate_status : PC_ERR_KERNEL_STATUS;
    else if (n == 0 || scripted_run_status == PC_OK || scripted_run_status == PC_ERR_OUT_OF_MEMORY)
        want = n == 0 ? PC_OK : scripted_run_status;
    else want = PC_ERR_KERNEL_STATUS; /* CANCELLED without a cancel, or not a run() status at all */

    uint64_t bad = UINT64_MAX;
    pc_status st = pc_run_def(&def, &args, n, &bad);
    FUZZ_CHECK(st == want, "pc_run_def: %d, want %d", (int)st, (int)want);
    if (st == PC_ERR_INVALID_ARGUMENT && def.validate != NULL && scripted_validate_status == PC_ERR_INVALID_ARGUMENT &&
        bad != UINT64_MAX) {
        FUZZ_CHECK(bad == n / 2, "bad_index %llu", (unsigned long long)bad);
    }
    if (n > 0 && want == PC_ERR_BUFFER_SIZE && first_empty != UINT64_MAX && !required_missing) {
        FUZZ_CHECK(bad == first_empty, "bad_index %llu, want slot %llu", (unsigned long long)bad,
                   (unsigned long long)first_empty);
    }
    if (!(flags & 32u)) return;
    pc_pool* pool = NULL;
    if (pc_pool_create(1 + (flags >> 7), &pool) != PC_OK) return;
    pc_job* job = NULL;
    pc_status cs = pc_job_create_def(pool, &def, &args, n, 0, &job, NULL);
    if (cs == PC_OK) {
        pc_status ws = pc_job_start_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL);
        FUZZ_CHECK(ws == want, "job of a scripted kernel: %d, want %d", (int)ws, (int)want);
        FUZZ_CHECK(pc_job_free(job) == PC_OK, "free");
    } else {
        FUZZ_CHECK(cs == want && job == NULL, "pc_job_create_def: %d, want %d", (int)cs, (int)want);
    }
    FUZZ_CHECK(pc_pool_destroy(pool) == PC_OK, "destroy");
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz_reader r = fuzz_reader_of(data, size);
    while (!fuzz_empty(&r)) {
        uint8_t what = fuzz_u8(&r);
        switch (what % 9u) {
        case 0: {
            int32_t code = (int32_t)fuzz_bytes(&r, 4);
            const char* s = pc_strerror(code);
            FUZZ_CHECK(s != NULL && s[0] != '\0' && strlen(s) < 200, "pc_strerror(%d)", (int)code);
            break;
        }
        case 1: {
            int32_t id = (what & 8u) ? (int32_t)fuzz_bytes(&r, 4) : (int32_t)(fuzz_u8(&r) % 16u) - 1;
            const char* s = pc_kernel_name(id);
            int known = id >= 1 && id <= pc_kernel_count();
            FUZZ_CHECK(known ? s != NULL && s[0] != '\0' : s == NULL, "pc_kernel_name(%d)", (int)id);
            break;
        }
        case 2: {
            const char* v = pc_version();
            FUZZ_CHECK(v != NULL && v[0] >= '0' && v[0] <= '9', "pc_version");
            FUZZ_CHECK(pc_cpu_count() >= 1, "pc_cpu_count");
            FUZZ_CHECK(pc_kernel_count() >= 12, "pc_kernel_count");
            break;
        }
        case 3: fuzz_gcd(&r, 1); break;
        case 4: fuzz_gcd(&r, 0); break;
        case 5: fuzz_null_handles(); break;
        case 6: fuzz_pool(&r); break;
        case 7: fuzz_def(&r); break;
        default: { /* the test hook: planted, it must change gcd_fast for a % 7 == 3; always switched off */
            int32_t id = (what & 8u) ? (int32_t)fuzz_bytes(&r, 4) : (int32_t)(fuzz_u8(&r) % 16u);
            int32_t enabled = (int32_t)fuzz_bytes(&r, 4);
            pc_status st = pc_test_plant_bug(id, enabled);
            int known = pc_kernel_name(id) != NULL;
            FUZZ_CHECK(known ? st == PC_OK : st == PC_ERR_UNKNOWN_KERNEL, "pc_test_plant_bug(%d): %d", (int)id, (int)st);
            if (known) {
                int64_t a[2] = {10, 7}, b[2] = {4, 21}, out[2] = {0, 0};
                FUZZ_CHECK(pc_gcd_fast(a, b, out, 2, NULL) == PC_OK, "gcd_fast with a planted bug");
                FUZZ_CHECK(pc_test_plant_bug(id, 0) == PC_OK, "reset");
                FUZZ_CHECK(pc_gcd_fast(a, b, out, 2, NULL) == PC_OK && out[0] == 2 && out[1] == 7,
                           "gcd_fast after switching the planted bug of kernel %d off: %lld %lld", (int)id,
                           (long long)out[0], (long long)out[1]);
            }
            break;
        }
        }
    }
    return 0;
}
