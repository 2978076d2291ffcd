/*
 * pcompute_kernel.h - the kernel ABI: what a kernel author's C code includes to run on pcompute.
 *
 * A kernel is a pure function over caller-owned buffers, split into items [0, n). pcompute's pool and
 * its one-call entry point (pcompute.h: pc_run_def, pc_job_create_def) take a kernel by its descriptor,
 * a pc_kernel_def: a validate() that checks every item before anything runs, a run() that computes a
 * slice [begin, end) of items, and a few facts about its buffers. The built-in kernels are declared the
 * same way (pc_kernel_def_of returns theirs); nothing here depends on the pool.
 *
 * This header is self-contained (C11: <stdatomic.h>, <stddef.h>, <stdint.h>) and does not declare any library
 * function: a kernel library needs no link against libpcompute to compile.
 *
 * ---- The contract ----------------------------------------------------------------------------------
 * Ownership: every pointer a kernel receives (the pc_args, its buffers and their lengths, the cancel
 *   flag, bad_index) is borrowed for the duration of the call only. A kernel never frees, keeps or publishes them. The
 *   descriptor itself and its name must stay valid (normally: static storage) while any job using it
 *   can run, i.e. until every job created with it was freed.
 * Threading: run() is called concurrently from several worker threads on disjoint slices of the same
 *   pc_args; it must write only the output elements of its own items (or, for kernels with a
 *   block_param, the partials of its own blocks), and may read any input. validate() is called once per
 *   job or pc_run_def call, on the caller's thread, before any run(). Neither may keep state between
 *   calls other than read-only tables (thread-local or per-call scratch memory is fine; free it before
 *   returning).
 * What a kernel may not do: call back into Java or into any pcompute function; block on locks or I/O a
 *   job's caller could hold; longjmp, exit, abort, print or raise signals; return a status outside the
 *   ones listed for its function below (the library maps any other value to PC_ERR_KERNEL_STATUS and
 *   never passes it on).
 * Buffer lengths: pc_args carries the byte length of every buffer (in_bytes, out_bytes). validate()
 *   must check, before it reads any item, that each buffer it or run() touches holds what n and the
 *   parameters need, and return PC_ERR_BUFFER_SIZE naming the slot otherwise; run() may then rely on
 *   it. pc_kernel_need_in / pc_kernel_need_out below do the overflow-safe arithmetic:
 *
 *     static pc_status crc_validate(const pc_args* a, uint64_t n, uint64_t* bad) {
 *         if (a->iparam[0] < 1) return PC_ERR_INVALID_ARGUMENT;          // chunk size
 *         uint64_t chunk = (uint64_t)a->iparam[0];
 *         pc_status st = pc_kernel_need_in(a, 0, n, chunk, bad);         // n chunks of bytes
 *         if (st == PC_OK) st = pc_kernel_need_out(a, 0, n, 4, bad);     // one uint32 per chunk
 *         return st;
 *     }
 *
 *   When n == 0 nothing is read or written, so lengths (and pointers) may be 0 / NULL.
 * Cancellation: run() must look at the cancel flag at least every ~1 ms of work, inside long items as
 *   well as between items, and return PC_ERR_CANCELLED soon after it is set (leaving its outputs in any
 *   state). pc_kernel_budget below does the bookkeeping cheaply; the built-in kernels use it.
 *   cancel == NULL means "not cancellable" (pc_run_def).
 *
 * ---- Exporting a kernel from a shared library -------------------------------------------------------
 * Define the descriptor with static storage and designated initializers, and export a function that
 * returns it (one symbol per kernel, so a loader needs only the library and the symbol name):
 *
 *     static pc_status crc_validate(const pc_args* a, uint64_t n, uint64_t* bad) { ... }
 *     static pc_status crc_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* c) {...}
 *     static const pc_kernel_def CRC = {
 *         .abi_version = PC_KERNEL_ABI_VERSION, .name = "crc32c_chunks",
 *         .validate = crc_validate, .run = crc_run,
 *         .inputs_mask = 0x1u, .outputs_mask = 0x1u, .block_param = -1,
 *     };
 *     const pc_kernel_def* crc32c_chunks_kernel(void) { return &CRC; }
 *
 * pcompute checks abi_version against its own (pc_kernel_abi_version()) before it uses anything else
 * of the descriptor, and refuses a mismatch with PC_ERR_ABI_MISMATCH.
 */
#ifndef PCOMPUTE_KERNEL_H
#define PCOMPUTE_KERNEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ABI version ------------------------------------------------------------------------------------
   Bumped whenever pc_args, pc_kernel_def, the signatures or the meaning of a status below change. A
   descriptor whose abi_version differs from the library's is refused (PC_ERR_ABI_MISMATCH). */
#define PC_KERNEL_ABI_VERSION 2
/* History: 1 = first release; 2 = pc_args gained in_bytes / out_bytes, status PC_ERR_BUFFER_SIZE. */

/* ---- Status codes -------------------------------------------------------------------------------- */

/* Status codes returned by every pcompute function, and by kernels (only the subset each kernel
   function lists). */
typedef enum pc_status {
    PC_OK = 0,
    PC_ERR_NULL_ARGUMENT = 1,    /* a required pointer was NULL */
    PC_ERR_INVALID_ARGUMENT = 2, /* a value out of its documented range (see bad_index where given) */
    PC_ERR_OUT_OF_MEMORY = 3,    /* malloc failed */
    PC_ERR_THREAD = 4,           /* creating a thread or a synchronisation object failed */
    PC_ERR_TIMEOUT = 5,          /* pc_job_wait: the job had not finished when the timeout expired;
                                    pc_pool_next_completions: no tag was posted in time */
    PC_ERR_CANCELLED = 6,        /* the job was cancelled before all its items were computed */
    PC_ERR_BUSY = 7,             /* pc_job_free: the job has not finished yet */
    PC_ERR_UNKNOWN_KERNEL = 8,   /* the kernel id is not one of pc_kernel */
    PC_ERR_ABI_MISMATCH = 9,     /* a kernel descriptor's abi_version is not pc_kernel_abi_version() */
    PC_ERR_KERNEL_STATUS = 10,   /* a kernel returned a status its function may not return */
    PC_ERR_BUFFER_SIZE = 11      /* a buffer is shorter than the kernel needs for n items and its
                                    parameters; *bad_index = its slot: inputs 0 .. PC_MAX_INPUTS - 1,
                                    outputs PC_MAX_INPUTS + 0 .. PC_MAX_OUTPUTS - 1 */
} pc_status;

/* ---- Arguments ----------------------------------------------------------------------------------- */

#define PC_MAX_INPUTS 4
#define PC_MAX_OUTPUTS 2
#define PC_MAX_PARAMS 4

/* The buffers and scalar parameters of one kernel invocation over items [0, n).
   Pointers and lengths are borrowed, never freed by the library; unused slots are NULL with length 0.
   in_bytes[i] / out_bytes[i] is the byte length of the buffer in[i] / out[i] (the caller's allocation,
   at least what the kernel needs; more is fine). The library checks, when n > 0, that the slots named
   by a descriptor's inputs_mask / outputs_mask are non-NULL (PC_ERR_NULL_ARGUMENT) and have a length
   > 0 (PC_ERR_BUFFER_SIZE: a caller that left the lengths zeroed); the kernel's validate() checks each
   length against what n and the parameters need (PC_ERR_BUFFER_SIZE). */
typedef struct pc_args {
    const void* in[PC_MAX_INPUTS];
    void* out[PC_MAX_OUTPUTS];
    int64_t iparam[PC_MAX_PARAMS];
    double dparam[PC_MAX_PARAMS];
    uint64_t in_bytes[PC_MAX_INPUTS];   /* since ABI 2 */
    uint64_t out_bytes[PC_MAX_OUTPUTS]; /* since ABI 2 */
} pc_args;

/* The bad_index of PC_ERR_BUFFER_SIZE for output slot i. */
#define PC_OUT_SLOT(i) (PC_MAX_INPUTS + (i))

/* ---- Kernel functions and descriptor ------------------------------------------------------------- */

/* The cancel flag of a running job: non-zero once the job is cancelled. Read it with a relaxed atomic
   load (pc_kernel_budget_spend does); never write it. */
typedef atomic_int pc_cancel_flag;

/* Checks the scalar parameters and every item of args over [0, n) before anything runs; the buffers of
   inputs_mask / outputs_mask are known non-NULL when n > 0, and for a kernel with a block_param,
   iparam[block_param] >= 1. On PC_ERR_INVALID_ARGUMENT because of one item it stores that item's index
   in *bad_index when bad_index is not NULL. Must reject parameters whose buffer sizes overflow, and
   check every buffer's length before reading its items: on PC_ERR_BUFFER_SIZE it stores the slot
   (inputs 0 .. PC_MAX_INPUTS - 1, output i as PC_OUT_SLOT(i)) in *bad_index when it is not NULL.
   May return: PC_OK, PC_ERR_INVALID_ARGUMENT, PC_ERR_BUFFER_SIZE. */
typedef pc_status (*pc_kernel_validate_fn)(const pc_args* args, uint64_t n, uint64_t* bad_index);

/* Computes items [begin, end) of args that validate() accepted (begin < end <= n). `cancel` is NULL
   (not cancellable) or the job's flag, to be checked at least every ~1 ms of work (pc_kernel_budget).
   May return: PC_OK, PC_ERR_CANCELLED (only when cancel is set), PC_ERR_OUT_OF_MEMORY (scratch memory). */
typedef pc_status (*pc_kernel_run_fn)(const pc_args* args, uint64_t begin, uint64_t end,
                                      const pc_cancel_flag* cancel);

/* A kernel, as the pool and pc_run_def see it. Declare it `static const` with designated initializers. */
typedef struct pc_kernel_def {
    /* PC_KERNEL_ABI_VERSION of the header the kernel was compiled against. */
    int32_t abi_version;
    /* A short static name for messages ("crc32c_chunks"); may be NULL. */
    const char* name;
    /* Optional (NULL: every item is valid). */
    pc_kernel_validate_fn validate;
    /* Required. */
    pc_kernel_run_fn run;
    /* Which of args->in / args->out must be non-NULL when n > 0 (bit i = slot i); bits beyond
       PC_MAX_INPUTS / PC_MAX_OUTPUTS are refused (PC_ERR_INVALID_ARGUMENT). */
    uint32_t inputs_mask;
    uint32_t outputs_mask;
    /* For kernels that write one partial result per block of items: the iparam index (0 ..
       PC_MAX_PARAMS - 1) holding the block size, which must be >= 1; the pool's tasks then cover whole
       blocks. -1 for kernels without partials. */
    int32_t block_param;
} pc_kernel_def;

/* ---- Cancellation budget (inline helper for kernel authors) ---------------------------------------
   Carry one budget across every item of a run() call; spend "work units" as the loops go, each about
   1 ns of work (a division ~3-12 units, a multiply-add ~1). When the budget runs out the helper looks at
   the cancel flag (a relaxed load) and refills it, so the work between two looks is at most
   PC_KERNEL_CANCEL_BUDGET units (~0.26 ms) plus the largest single spend, however the work is split
   into items. With cancel == NULL the flag is never read. Typical use:

       pc_kernel_budget budget = pc_kernel_budget_start(cancel);
       for (uint64_t k = begin; k < end; k++) {
           if (pc_kernel_budget_spend(&budget, 2 + cost_of_item)) return PC_ERR_CANCELLED;
           ...
       }
*/
#define PC_KERNEL_CANCEL_BUDGET (INT64_C(1) << 18)

typedef struct pc_kernel_budget {
    int64_t left;                 /* units until the next look at the flag */
    const pc_cancel_flag* cancel; /* NULL: not cancellable */
} pc_kernel_budget;

static inline pc_kernel_budget pc_kernel_budget_start(const pc_cancel_flag* cancel) {
    pc_kernel_budget b = {cancel == NULL ? INT64_MAX : PC_KERNEL_CANCEL_BUDGET, cancel};
    return b;
}

/* Spends `units` (0 <= units <= PC_KERNEL_CANCEL_BUDGET); returns non-zero when the budget ran out and
   the cancel flag is set: the kernel then stops and returns PC_ERR_CANCELLED. */
static inline int pc_kernel_budget_spend(pc_kernel_budget* b, int64_t units) {
    b->left -= units;
    if (__builtin_expect(b->left > 0, 1)) return 0;
    b->left = b->cancel == NULL ? INT64_MAX : PC_KERNEL_CANCEL_BUDGET;
    return b->cancel != NULL && atomic_load_explicit(b->cancel, memory_order_relaxed);
}

/* ---- Buffer length checks (inline helpers for kernel authors) -------------------------------------
   pc_kernel_need_in(a, slot, count, elem_size, bad_index): PC_OK when a->in_bytes[slot] >= count *
   elem_size; PC_ERR_BUFFER_SIZE otherwise, also when the product overflows 64 bits, storing `slot` in
   *bad_index (when not NULL). pc_kernel_need_out: the same for a->out_bytes[slot], storing
   PC_OUT_SLOT(slot). A slot outside 0 .. PC_MAX_INPUTS - 1 / PC_MAX_OUTPUTS - 1 is a kernel bug:
   PC_ERR_INVALID_ARGUMENT. They read only the lengths, never the buffers. See "Buffer lengths" above. */
static inline pc_status pc_kernel_need_bytes_(uint64_t have, uint64_t count, uint64_t elem_size,
                                              uint64_t bad_slot, uint64_t* bad_index) {
    uint64_t need;
    if (!__builtin_mul_overflow(count, elem_size, &need) && have >= need) return PC_OK;
    if (bad_index != NULL) *bad_index = bad_slot;
    return PC_ERR_BUFFER_SIZE;
}

static inline pc_status pc_kernel_need_in(const pc_args* a, int slot, uint64_t count, uint64_t elem_size,
                                          uint64_t* bad_index) {
    if (slot < 0 || slot >= PC_MAX_INPUTS) return PC_ERR_INVALID_ARGUMENT;
    return pc_kernel_need_bytes_(a->in_bytes[slot], count, elem_size, (uint64_t)slot, bad_index);
}

static inline pc_status pc_kernel_need_out(const pc_args* a, int slot, uint64_t count, uint64_t elem_size,
                                           uint64_t* bad_index) {
    if (slot < 0 || slot >= PC_MAX_OUTPUTS) return PC_ERR_INVALID_ARGUMENT;
    return pc_kernel_need_bytes_(a->out_bytes[slot], count, elem_size, (uint64_t)PC_OUT_SLOT(slot), bad_index);
}

#ifdef __cplusplus
}
#endif

#endif
