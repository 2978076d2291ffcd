/*
 * pc_worker_protocol.h - the records a parent process and a pcompute worker (pcompute-worker) exchange.
 *
 * A worker is a small executable, built with libpcompute and shipped beside it, that runs kernels for a
 * parent process so that a kernel which crashes or hangs takes down the worker, never the parent. The
 * parent's side is implemented twice: in C by native-src/tests/test_worker.c and in Java by the process
 * pool; both follow this header, which is the only definition of the protocol.
 *
 * ---- Start -----------------------------------------------------------------------------------------
 *   pcompute-worker <parent-pid> [--threads N]
 * N (1 to PC_MAX_THREADS, default 1) is how many threads run each RUN's items: the main thread and N - 1
 * helper threads started once, which pull chunks of the RUN's range from a shared counter (all of one
 * RUN's chunks end before its RESULT is sent). stdin and stdout are the control channel (pipes from the parent), stderr is free text for humans (a
 * parent keeps its tail for crash reports). At start the worker asks for SIGKILL when the thread that
 * forked it dies (prctl PR_SET_PDEATHSIG), then exits with status PCW_EXIT_ORPHANED unless getppid()
 * equals <parent-pid> (the parent died before the prctl). PDEATHSIG fires when the *thread* that spawned
 * the worker exits, not the process: a parent must spawn workers from a thread that lives as long as the
 * workers (or rely on the next rule alone). A watcher thread in the worker waits for stdin to hang up,
 * also while a kernel runs: end of file or an error on stdin means "parent gone" and the worker _exits
 * with PCW_EXIT_PARENT_GONE, whatever it is computing (an idle worker at once, a busy one after at most
 * a second, in which a BYE sent just before the hang-up is still answered and ends it with status 0).
 *
 * ---- Records ---------------------------------------------------------------------------------------
 * Every record is a pcw_header followed by a body of exactly header.length bytes, the fixed size of its
 * type (PCW_BODY_SIZE_*). All integers are little-endian, structs have no padding (checked below), and
 * strings are NUL-terminated inside their fixed arrays. The conversation is strictly request / reply:
 *
 *   worker -> parent   HELLO                                 once, first, before any request is read
 *   parent -> worker   MAP    -> RESULT                      (re)map the shared memory
 *   parent -> worker   LOAD   -> RESULT (value = handle)     an application kernel by library + symbol
 *   parent -> worker   RUN    -> RESULT                      run a kernel over items [begin, end)
 *   parent -> worker   BYE    -> RESULT, then exit 0
 *
 * A request the worker cannot use gets a RESULT with status != PC_OK, an error code (pcw_error) and a
 * message, and the worker keeps serving; the RESULT's seq is the request's. A header with the wrong
 * magic, version, type or length leaves the stream unsynchronised: the worker answers one RESULT
 * (PCW_E_BAD_RECORD, seq 0) and exits with PCW_EXIT_PROTOCOL.
 *
 * ---- Shared memory ---------------------------------------------------------------------------------
 * The parent creates a file, sizes it, maps it and sends MAP with its path and size. pcompute's process
 * pool uses an anonymous file (memfd_create) it keeps open for the pool's life, reserved large and
 * sparse, and sends the path /proc/<parent pid>/fd/<fd>: a worker started at any time (a replacement)
 * maps the same memory. Any other path is a file the parent may unlink once mapped (under /dev/shm,
 * mode 0600, an unguessable name). The worker opens the path with O_RDWR | O_NOFOLLOW (without
 * O_NOFOLLOW only for exactly /proc/<its parent's pid>/fd/<digits>, a kernel link nobody else can
 * plant), checks it is a regular file of at least that size, maps it MAP_SHARED and answers RESULT. A
 * later MAP replaces the mapping (the old one is unmapped). There is one mapping per worker at a time.
 * Everything a RUN refers to is an offset into that mapping: buffers (offset + byte length; offsets a
 * multiple of 8), the progress word (uint64, 8-aligned) and the cancel word (int32, 4-aligned). The
 * worker checks every range lies inside the mapping, and that no output overlaps the two words; it
 * never reads or writes the mapping outside the ranges of the running request.
 * Progress word: the worker adds (atomic, release) each finished chunk's items to it, so it holds the
 *   number of items of [begin, end) done so far; the parent reads it (acquire) at any time. The worker sets it to 0 when a RUN starts.
 * Cancel word: the parent stores non-zero to cancel; the kernel reads it as its pc_cancel_flag (relaxed
 *   loads), the worker also between chunks. The worker never writes it; the parent clears it before
 *   the next RUN. A kernel that ignores it is the parent's to kill.
 *
 * ---- Kernels ---------------------------------------------------------------------------------------
 * RUN names a built-in kernel by id (kernel_kind PCW_KERNEL_BUILTIN, pc_kernel_def_of) or a kernel that
 * an earlier LOAD returned (PCW_KERNEL_LOADED, the handle). LOAD dlopens an absolute library path
 * (RTLD_NOW | RTLD_LOCAL), looks up `symbol`, a `const pc_kernel_def* symbol(void)`, calls it and checks
 * the descriptor's abi_version against the library's; libraries stay loaded for the life of the worker
 * and the same (library, symbol) pair returns the same handle.
 * A RUN validates like pc_run_def: the descriptor, the buffers its masks require, the block size, then
 * validate() over [0, n); then run() over [begin, end) in chunks of `chunk` items (0: the worker picks),
 * on the worker's main thread and its helper threads (--threads). The first chunk that fails decides the
 * RESULT; the other threads start no new chunk after it. For a kernel with partials (block_param >= 0) begin and chunk must be
 * multiples of the block and end a multiple of it or n. The byte lengths of the RUN become pc_args'
 * in_bytes / out_bytes (kernel ABI 2), so validate() checks that each buffer is long enough for n items
 * before anything reads it. RESULT.status is the pc_status of the call (bad_index: the item on
 * PC_ERR_INVALID_ARGUMENT because of one item, the slot on PC_ERR_BUFFER_SIZE as pcompute_kernel.h says).
 *
 * ---- Test hooks ------------------------------------------------------------------------------------
 * RUN.hook (pcw_hook) makes the worker, just before it runs the chunk holding item hook_index, raise
 * SIGSEGV, call abort() or sleep forever ignoring the cancel word: faults for the crash and hang tests.
 * Only a worker compiled with -DPC_TEST_HOOKS (the test build, HELLO flag PCW_HELLO_TEST_HOOKS) obeys
 * them; a release worker refuses a RUN with hook != PCW_HOOK_NONE (PCW_E_NO_TEST_HOOKS).
 */
#ifndef PC_WORKER_PROTOCOL_H
#define PC_WORKER_PROTOCOL_H

#include <stdint.h>

#include "pcompute_kernel.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the worker protocol is little-endian and is only implemented on little-endian hosts"
#endif

#define PCW_MAGIC 0x4B574350u /* "PCWK" read as bytes */
#define PCW_PROTOCOL_VERSION 1
#define PCW_PATH_MAX 4096   /* bytes of a path field, NUL included */
#define PCW_SYMBOL_MAX 256  /* bytes of a symbol field, NUL included */
#define PCW_MESSAGE_MAX 240 /* bytes of RESULT.message, NUL included */

/* Exit statuses of the worker (besides death by a signal). */
#define PCW_EXIT_BYE 0          /* after BYE */
#define PCW_EXIT_USAGE 2        /* bad command line */
#define PCW_EXIT_PROTOCOL 3     /* unsynchronised stream: wrong magic, version, type or length */
#define PCW_EXIT_PARENT_GONE 4  /* end of file or error on stdin, or stdout closed */
#define PCW_EXIT_ORPHANED 5     /* getppid() was not <parent-pid> at start */
#define PCW_EXIT_INTERNAL 6     /* the worker could not start its watcher or helper threads */

typedef enum pcw_type {
    PCW_HELLO = 1,  /* worker -> parent */
    PCW_MAP = 2,    /* parent -> worker */
    PCW_LOAD = 3,   /* parent -> worker */
    PCW_RUN = 4,    /* parent -> worker */
    PCW_BYE = 5,    /* parent -> worker */
    PCW_RESULT = 6  /* worker -> parent */
} pcw_type;

/* Why a request failed, beyond its pc_status (RESULT.error). */
typedef enum pcw_error {
    PCW_E_NONE = 0,
    PCW_E_BAD_RECORD = 1,    /* header unusable (magic, version, type, length); the worker exits */
    PCW_E_BAD_FIELD = 2,     /* a field out of range: unterminated string, relative path, unknown enum */
    PCW_E_NO_MAPPING = 3,    /* a RUN before any MAP succeeded */
    PCW_E_MAP = 4,           /* MAP: open / fstat / mmap failed, not a regular file, or smaller than size */
    PCW_E_RANGE = 5,         /* RUN: a buffer or word outside the mapping, misaligned, or overlapping */
    PCW_E_LOAD_LIBRARY = 6,  /* LOAD: dlopen failed (message: dlerror) */
    PCW_E_LOAD_SYMBOL = 7,   /* LOAD: no such symbol, or it returned NULL */
    PCW_E_ABI = 8,           /* LOAD: the descriptor's abi_version is not the library's (message names both) */
    PCW_E_UNKNOWN_KERNEL = 9,/* RUN: no built-in kernel with that id, or no loaded kernel with that handle */
    PCW_E_NO_TEST_HOOKS = 10,/* RUN: a hook asked of a worker built without PC_TEST_HOOKS */
    PCW_E_KERNEL = 11        /* RUN: the kernel call itself failed (status says how) */
} pcw_error;

typedef enum pcw_kernel_kind {
    PCW_KERNEL_BUILTIN = 0, /* RUN.kernel is a pc_kernel id */
    PCW_KERNEL_LOADED = 1   /* RUN.kernel is a handle from LOAD */
} pcw_kernel_kind;

typedef enum pcw_hook {
    PCW_HOOK_NONE = 0,
    PCW_HOOK_SEGV = 1,  /* raise(SIGSEGV) */
    PCW_HOOK_ABORT = 2, /* abort() */
    PCW_HOOK_HANG = 3   /* sleep forever, never looking at the cancel word */
} pcw_hook;

#define PCW_HELLO_TEST_HOOKS 1u /* pcw_hello.flags: the worker obeys RUN.hook */

typedef struct pcw_header {
    uint32_t magic;   /* PCW_MAGIC */
    uint16_t version; /* PCW_PROTOCOL_VERSION */
    uint16_t type;    /* pcw_type */
    uint32_t length;  /* bytes of the body that follows: the type's fixed size */
    uint32_t seq;     /* chosen by the parent, echoed by the RESULT; 0 in HELLO */
} pcw_header;

typedef struct pcw_hello {
    uint32_t protocol_version;  /* PCW_PROTOCOL_VERSION */
    int32_t kernel_abi_version; /* pc_kernel_abi_version() of the library the worker runs with */
    int32_t pid;                /* the worker's pid */
    uint32_t flags;             /* PCW_HELLO_* */
} pcw_hello;

typedef struct pcw_map {
    uint64_t size;            /* bytes to map, >= 1; the file must be at least this large */
    char path[PCW_PATH_MAX];  /* absolute path of the file */
} pcw_map;

typedef struct pcw_load {
    char library[PCW_PATH_MAX];  /* absolute path of the shared library */
    char symbol[PCW_SYMBOL_MAX]; /* `const pc_kernel_def* symbol(void)` */
} pcw_load;

typedef struct pcw_run {
    uint32_t kernel_kind;  /* pcw_kernel_kind */
    int32_t kernel;        /* built-in id or LOAD handle */
    uint32_t in_present;   /* bit i: in[i] is the range in_offset[i], in_bytes[i]; else NULL (both 0) */
    uint32_t out_present;  /* bit i: out[i] likewise */
    uint64_t n;            /* items of the job: validate() covers [0, n) */
    uint64_t begin;        /* run() covers [begin, end), begin <= end <= n */
    uint64_t end;
    uint64_t chunk;        /* items per run() call and progress step; 0: the worker's choice */
    uint64_t in_offset[PC_MAX_INPUTS];
    uint64_t in_bytes[PC_MAX_INPUTS];
    uint64_t out_offset[PC_MAX_OUTPUTS];
    uint64_t out_bytes[PC_MAX_OUTPUTS];
    int64_t iparam[PC_MAX_PARAMS];
    double dparam[PC_MAX_PARAMS];
    uint64_t progress_offset; /* uint64 progress word, 8-aligned */
    uint64_t cancel_offset;   /* int32 cancel word, 4-aligned */
    uint32_t hook;            /* pcw_hook; PCW_HOOK_NONE outside tests */
    uint32_t reserved;        /* 0 */
    uint64_t hook_index;      /* item whose chunk triggers the hook */
} pcw_run;

typedef struct pcw_result {
    int32_t status;      /* pc_status */
    int32_t error;       /* pcw_error; PCW_E_NONE with PC_OK */
    uint64_t bad_index;  /* the invalid item when status is PC_ERR_INVALID_ARGUMENT because of one; else 0 */
    uint64_t value;      /* LOAD: the handle; RUN: items done (as the progress word); else 0 */
    char message[PCW_MESSAGE_MAX]; /* empty on success, else what went wrong, for humans */
} pcw_result;

/* BYE has an empty body. */

#define PCW_BODY_SIZE_HELLO ((uint32_t)sizeof(pcw_hello))
#define PCW_BODY_SIZE_MAP ((uint32_t)sizeof(pcw_map))
#define PCW_BODY_SIZE_LOAD ((uint32_t)sizeof(pcw_load))
#define PCW_BODY_SIZE_RUN ((uint32_t)sizeof(pcw_run))
#define PCW_BODY_SIZE_RESULT ((uint32_t)sizeof(pcw_result))
#define PCW_BODY_SIZE_BYE 0u

/* The layout is the protocol: no padding anywhere (the Java side reads the same offsets). */
_Static_assert(sizeof(pcw_header) == 16, "pcw_header layout");
_Static_assert(sizeof(pcw_hello) == 16, "pcw_hello layout");
_Static_assert(sizeof(pcw_map) == 8 + PCW_PATH_MAX, "pcw_map layout");
_Static_assert(sizeof(pcw_load) == PCW_PATH_MAX + PCW_SYMBOL_MAX, "pcw_load layout");
_Static_assert(sizeof(pcw_run) == 16 + 4 * 8 + 8 * PC_MAX_INPUTS * 2 + 8 * PC_MAX_OUTPUTS * 2 +
                                      8 * PC_MAX_PARAMS * 2 + 8 + 8 + 4 + 4 + 8,
               "pcw_run layout");
_Static_assert(sizeof(pcw_result) == 24 + PCW_MESSAGE_MAX, "pcw_result layout");

#endif
