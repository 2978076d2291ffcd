/*
 * pc_worker.c - pcompute-worker: runs kernels for a parent process over the protocol of
 * pc_worker_protocol.h (read that header first: it is the contract, this file only implements it).
 *
 * Threads: the main thread reads requests, answers them and runs kernels; the watcher thread waits for
 * stdin to hang up and _exits the process then, so a worker whose parent is gone stops even inside a
 * kernel that never returns (`exiting`, atomic, tells it a BYE is being answered). With
 * --threads N, N - 1 helper threads join the main thread on each RUN's chunks (the team: team_lock /
 * team_cond guard the generation and the count of busy helpers; the RUN's fields are written before the
 * generation advances under the lock and read only after a helper saw it advance, so the lock orders
 * them). Only the main thread writes stdout, maps, loads and answers. The progress word is added to with
 * release order, the cancel word read relaxed (the kernel ABI's pc_cancel_flag contract).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcompute.h"
#include "pc_worker_protocol.h"

/* Chunks per RUN when the parent leaves the choice to the worker: progress advances in ~1.5% steps. */
#define DEFAULT_CHUNKS_PER_RUN 64

/* ---- control channel -------------------------------------------------------------------------- */

typedef union body {
    pcw_map map;
    pcw_load load;
    pcw_run run;
} body;

/* Set by the main thread before it answers BYE: the watcher then lets the parent's close of stdin pass. */
static atomic_int exiting;

/* Reads exactly `len` bytes from stdin; 0 on success, -1 on end of file or error. */
static int read_full(void* buf, size_t len) {
    char* p = buf;
    while (len > 0) {
        ssize_t got = read(STDIN_FILENO, p, len);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        p += got;
        len -= (size_t)got;
    }
    return 0;
}

static uint32_t body_size(uint16_t type) {
    switch (type) {
    case PCW_MAP: return PCW_BODY_SIZE_MAP;
    case PCW_LOAD: return PCW_BODY_SIZE_LOAD;
    case PCW_RUN: return PCW_BODY_SIZE_RUN;
    case PCW_BYE: return PCW_BODY_SIZE_BYE;
    default: return UINT32_MAX;
    }
}

/*
 * The watcher: waits for stdin to hang up (poll with no events reports only POLLHUP / POLLERR, never the
 * requests the main thread reads) and ends the process at once, also while a kernel runs; the main thread
 * reads requests itself, so a request costs no thread hand-off in the worker (a wake-up is ~26 µs on a
 * busy VM, more than the rest of an empty job's round trip).
 */
static void* watcher_main(void* unused) {
    (void)unused;
    struct pollfd p = {.fd = STDIN_FILENO, .events = 0};
    for (;;) {
        int n = poll(&p, 1, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) break;
    }
    /* A parent may send BYE and hang up at once, before or after the main thread read the BYE (review:
       5-9 of 200 such workers exited 4 instead of 0). Give the main thread a second to set `exiting`
       (it does so as soon as it reads a BYE) before calling the parent gone. An idle main thread sees the
       end of file itself and exits at once; only a kernel that does not return waits out the second. */
    for (int i = 0; i < 100 && !atomic_load(&exiting); i++) usleep(10000);
    if (!atomic_load(&exiting)) _exit(PCW_EXIT_PARENT_GONE);
    return NULL;
}

/* Reads the next record on the main thread: 0, or 1 if its header is unusable (the stream is lost). */
static int next_record(pcw_header* h, body* b) {
    memset(b, 0, sizeof *b);
    if (read_full(h, sizeof *h) != 0) _exit(PCW_EXIT_PARENT_GONE);
    if (h->magic != PCW_MAGIC || h->version != PCW_PROTOCOL_VERSION || h->length != body_size(h->type)) return 1;
    if (h->length > 0 && read_full(b, h->length) != 0) _exit(PCW_EXIT_PARENT_GONE);
    return 0;
}

static void write_full(const void* buf, size_t len) {
    const char* p = buf;
    while (len > 0) {
        ssize_t put = write(STDOUT_FILENO, p, len);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) _exit(PCW_EXIT_PARENT_GONE);
        p += put;
        len -= (size_t)put;
    }
}

static void send_record(uint16_t type, uint32_t seq, const void* b, uint32_t len) {
    char buf[sizeof(pcw_header) + sizeof(pcw_result)];
    pcw_header h = {.magic = PCW_MAGIC, .version = PCW_PROTOCOL_VERSION, .type = type, .length = len, .seq = seq};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, b, len);
    write_full(buf, sizeof h + len); /* one write: the parent never sees half a record from a crash */
}

static void send_result(uint32_t seq, const pcw_result* r) {
    send_record(PCW_RESULT, seq, r, PCW_BODY_SIZE_RESULT);
}

/* Sets r's status, error and message (printf-style); returns the status. */
static pc_status fail(pcw_result* r, pc_status status, pcw_error error, const char* fmt, ...) {
    r->status = (int32_t)status;
    r->error = (int32_t)error;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return status;
}

static int terminated(const char* s, size_t cap) {
    return memchr(s, '\0', cap) != NULL;
}

/* ---- shared memory ----------------------------------------------------------------------------- */

static unsigned char* map_base; /* main thread only; NULL before the first MAP succeeded */
static uint64_t map_size;

static void unmap(void) {
    if (map_base != NULL) munmap(map_base, (size_t)map_size);
    map_base = NULL;
    map_size = 0;
}

/*
 * Whether `path` is /proc/<parent pid>/fd/<digits>: the parent's own descriptor of an anonymous shared file
 * (memfd), which a worker started at any time can map. Such a path is a kernel "magic link", which
 * O_NOFOLLOW would refuse; nobody but the parent's uid can open it, so it needs no such guard.
 */
static int parent_fd_link(const char* path) {
    char prefix[64];
    int len = snprintf(prefix, sizeof prefix, "/proc/%ld/fd/", (long)getppid());
    if (len <= 0 || (size_t)len >= sizeof prefix || strncmp(path, prefix, (size_t)len) != 0) return 0;
    const char* p = path + len;
    if (*p == '\0' || strlen(p) > 9) return 0;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') return 0;
    }
    return 1;
}

static void do_map(const pcw_map* m, pcw_result* r) {
    if (!terminated(m->path, sizeof m->path) || m->path[0] != '/') {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD, "MAP: path must be an absolute, NUL-terminated path");
        return;
    }
    if (m->size == 0 || m->size > (uint64_t)SIZE_MAX || m->size > (uint64_t)INT64_MAX) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD, "MAP: size %llu out of range", (unsigned long long)m->size);
        return;
    }
    unmap(); /* a failed MAP leaves no mapping: later RUNs fail rather than use a stale one */
    int fd = open(m->path, O_RDWR | O_CLOEXEC | (parent_fd_link(m->path) ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_MAP, "MAP: cannot open %.150s: %s", m->path, strerror(errno));
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < m->size) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_MAP, "MAP: %.150s is not a regular file of at least %llu bytes",
             m->path, (unsigned long long)m->size);
        close(fd);
        return;
    }
    void* p = mmap(NULL, (size_t)m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    close(fd);
    if (p == MAP_FAILED) {
        fail(r, PC_ERR_OUT_OF_MEMORY, PCW_E_MAP, "MAP: mmap of %llu bytes failed: %s", (unsigned long long)m->size,
             strerror(err));
        return;
    }
    map_base = p;
    map_size = m->size;
}

/* Whether [offset, offset + bytes) lies inside the mapping and offset is a multiple of align. */
static int in_map(uint64_t offset, uint64_t bytes, uint64_t align) {
    return offset % align == 0 && offset <= map_size && bytes <= map_size - offset;
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
    return alen > 0 && blen > 0 && a < b + blen && b < a + alen;
}

/* ---- kernels ----------------------------------------------------------------------------------- */

typedef struct loaded_kernel {
    char* library;
    char* symbol;
    void* handle; /* dlopen handle */
    const pc_kernel_def* def;
} loaded_kernel;

static loaded_kernel* loaded; /* main thread only */
static int32_t loaded_count;
static int32_t loaded_cap;

/* The descriptor checks of pc_run_def, so a RUN refuses what the library would refuse. */
static pc_status check_def(const pc_kernel_def* def) {
    if (def->abi_version != pc_kernel_abi_version()) return PC_ERR_ABI_MISMATCH;
    if (def->run == NULL) return PC_ERR_NULL_ARGUMENT;
    if (def->inputs_mask >> PC_MAX_INPUTS != 0 || def->outputs_mask >> PC_MAX_OUTPUTS != 0 ||
        def->block_param < -1 || def->block_param >= PC_MAX_PARAMS) {
        return PC_ERR_INVALID_ARGUMENT;
    }
    return PC_OK;
}

static void do_load(const pcw_load* l, pcw_result* r) {
    if (!terminated(l->library, sizeof l->library) || l->library[0] != '/') {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD, "LOAD: library must be an absolute, NUL-terminated path");
        return;
    }
    if (!terminated(l->symbol, sizeof l->symbol) || l->symbol[0] == '\0') {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD, "LOAD: symbol must be a non-empty, NUL-terminated name");
        return;
    }
    for (int32_t i = 0; i < loaded_count; i++) {
        if (strcmp(loaded[i].library, l->library) == 0 && strcmp(loaded[i].symbol, l->symbol) == 0) {
            r->value = (uint64_t)i;
            return;
        }
    }
    void* handle = dlopen(l->library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char* why = dlerror();
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_LOAD_LIBRARY, "LOAD: cannot load %.60s: %.150s", l->library,
             why != NULL ? why : "unknown error");
        return;
    }
    void* sym = dlsym(handle, l->symbol);
    const pc_kernel_def* (*get)(void) = NULL;
    if (sym != NULL) memcpy(&get, &sym, sizeof get); /* POSIX: a dlsym result converts to a function pointer */
    const pc_kernel_def* def = get != NULL ? get() : NULL;
    if (def == NULL) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_LOAD_SYMBOL, "LOAD: %.60s in %.120s: %s", l->symbol, l->library,
             get == NULL ? "no such symbol" : "the function returned NULL");
        dlclose(handle);
        return;
    }
    if (def->abi_version != pc_kernel_abi_version()) {
        fail(r, PC_ERR_ABI_MISMATCH, PCW_E_ABI,
             "LOAD: kernel %.60s in %.100s has kernel ABI version %d, this worker's pcompute has version %d",
             l->symbol, l->library, (int)def->abi_version, (int)pc_kernel_abi_version());
        dlclose(handle);
        return;
    }
    pc_status st = check_def(def);
    if (st != PC_OK) {
        fail(r, st, PCW_E_LOAD_SYMBOL, "LOAD: kernel %.60s in %.120s has an unusable descriptor (%s)", l->symbol,
             l->library, pc_strerror(st));
        dlclose(handle);
        return;
    }
    if (loaded_count == loaded_cap) {
        int32_t cap = loaded_cap == 0 ? 8 : loaded_cap * 2;
        loaded_kernel* grown = loaded_cap >= INT32_MAX / 2 ? NULL : realloc(loaded, (size_t)cap * sizeof *loaded);
        if (grown == NULL) {
            fail(r, PC_ERR_OUT_OF_MEMORY, PCW_E_LOAD_LIBRARY, "LOAD: out of memory");
            dlclose(handle);
            return;
        }
        loaded = grown;
        loaded_cap = cap;
    }
    char* lib = strdup(l->library);
    char* name = strdup(l->symbol);
    if (lib == NULL || name == NULL) {
        free(lib);
        free(name);
        fail(r, PC_ERR_OUT_OF_MEMORY, PCW_E_LOAD_LIBRARY, "LOAD: out of memory");
        dlclose(handle);
        return;
    }
    loaded[loaded_count] = (loaded_kernel){.library = lib, .symbol = name, .handle = handle, .def = def};
    r->value = (uint64_t)loaded_count++;
}

static void unload_all(void) {
    for (int32_t i = 0; i < loaded_count; i++) {
        free(loaded[i].library);
        free(loaded[i].symbol);
        dlclose(loaded[i].handle);
    }
    free(loaded);
    loaded = NULL;
    loaded_count = loaded_cap = 0;
}

/* ---- RUN --------------------------------------------------------------------------------------- */

static void trigger_hook(uint32_t hook) {
#ifdef PC_TEST_HOOKS
    switch (hook) {
    case PCW_HOOK_SEGV:
        signal(SIGSEGV, SIG_DFL); /* the default action, also under a sanitizer's handler */
        raise(SIGSEGV);
        break;
    case PCW_HOOK_ABORT:
        abort();
    case PCW_HOOK_HANG:
        for (;;) pause(); /* ignores the cancel word; only a signal ends it */
    default:
        break;
    }
#else
    (void)hook; /* RUN refuses hooks before anything runs */
#endif
}

static pc_status run_status(pc_status st, const pc_cancel_flag* cancel) {
    switch (st) {
    case PC_OK:
    case PC_ERR_OUT_OF_MEMORY: return st;
    case PC_ERR_CANCELLED: return atomic_load_explicit(cancel, memory_order_relaxed) ? st : PC_ERR_KERNEL_STATUS;
    default: return PC_ERR_KERNEL_STATUS;
    }
}

/* ---- the team: the threads that run one RUN's chunks --------------------------------------------- */

static int team_size = 1; /* --threads; fixed before the helpers start */
static pthread_mutex_t team_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t team_cond = PTHREAD_COND_INITIALIZER;
static uint64_t team_generation; /* team_lock: one per RUN with helpers */
static int team_busy;            /* team_lock: helpers still on the current RUN */

/* The current RUN, written by the main thread before the generation advances (see the file header). */
static struct {
    const pc_kernel_def* def;
    const pc_args* args;
    const pc_cancel_flag* cancel;
    _Atomic uint64_t* progress;
    uint64_t end, chunk, hook_index;
    uint32_t hook;
    _Atomic uint64_t next;   /* first item of the next chunk to hand out */
    _Atomic uint64_t done;   /* items of finished chunks */
    _Atomic int status;      /* PC_OK until a chunk fails: the first failure wins */
} run_state;

/* Takes the next chunk [*from, *to) of the RUN; 0 once the range is handed out. */
static int next_chunk(uint64_t* from, uint64_t* to) {
    uint64_t f = atomic_load_explicit(&run_state.next, memory_order_relaxed);
    do {
        if (f >= run_state.end) return 0;
        *to = run_state.end - f <= run_state.chunk ? run_state.end : f + run_state.chunk;
    } while (!atomic_compare_exchange_weak_explicit(&run_state.next, &f, *to, memory_order_relaxed,
                                                    memory_order_relaxed));
    *from = f;
    return 1;
}

static void fail_run(pc_status st) {
    int expected = PC_OK;
    atomic_compare_exchange_strong_explicit(&run_state.status, &expected, (int)st, memory_order_relaxed,
                                            memory_order_relaxed);
}

/* One thread's share of the RUN: chunks until the range is handed out, a chunk failed or a cancel. */
static void run_chunks(void) {
    uint64_t from, to;
    while (atomic_load_explicit(&run_state.status, memory_order_relaxed) == PC_OK && next_chunk(&from, &to)) {
        if (atomic_load_explicit(run_state.cancel, memory_order_relaxed)) {
            fail_run(PC_ERR_CANCELLED);
            return;
        }
        if (run_state.hook != PCW_HOOK_NONE && run_state.hook_index >= from && run_state.hook_index < to) {
            trigger_hook(run_state.hook);
        }
        pc_status st = run_status(run_state.def->run(run_state.args, from, to, run_state.cancel), run_state.cancel);
        if (st != PC_OK) {
            fail_run(st);
            return;
        }
        atomic_fetch_add_explicit(&run_state.done, to - from, memory_order_relaxed);
        atomic_fetch_add_explicit(run_state.progress, to - from, memory_order_release);
    }
}

static void* helper_main(void* unused) {
    (void)unused;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&team_lock);
        while (team_generation == seen) pthread_cond_wait(&team_cond, &team_lock);
        seen = team_generation;
        pthread_mutex_unlock(&team_lock);
        run_chunks();
        pthread_mutex_lock(&team_lock);
        if (--team_busy == 0) pthread_cond_broadcast(&team_cond);
        pthread_mutex_unlock(&team_lock);
    }
    return NULL;
}

/* Runs the RUN in run_state on the main thread and every helper; returns once all of them are done. */
static void run_team(void) {
    if (team_size > 1) {
        pthread_mutex_lock(&team_lock);
        team_busy = team_size - 1;
        team_generation++;
        pthread_cond_broadcast(&team_cond);
        pthread_mutex_unlock(&team_lock);
    }
    run_chunks();
    if (team_size > 1) {
        pthread_mutex_lock(&team_lock);
        while (team_busy > 0) pthread_cond_wait(&team_cond, &team_lock);
        pthread_mutex_unlock(&team_lock);
    }
}

static void do_run(const pcw_run* q, pcw_result* r) {
    if (q->hook > PCW_HOOK_HANG || q->reserved != 0 || q->in_present >> PC_MAX_INPUTS != 0 ||
        q->out_present >> PC_MAX_OUTPUTS != 0 || q->kernel_kind > PCW_KERNEL_LOADED) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD, "RUN: hook, reserved, presence bits or kernel_kind out of range");
        return;
    }
#ifndef PC_TEST_HOOKS
    if (q->hook != PCW_HOOK_NONE) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_NO_TEST_HOOKS, "RUN: test hooks are not compiled into this worker");
        return;
    }
#endif
    const pc_kernel_def* def = NULL;
    if (q->kernel_kind == PCW_KERNEL_BUILTIN) {
        def = pc_kernel_def_of(q->kernel);
    } else if (q->kernel >= 0 && q->kernel < loaded_count) {
        def = loaded[q->kernel].def;
    }
    if (def == NULL) {
        fail(r, PC_ERR_UNKNOWN_KERNEL, PCW_E_UNKNOWN_KERNEL, "RUN: no %s kernel %d",
             q->kernel_kind == PCW_KERNEL_BUILTIN ? "built-in" : "loaded", (int)q->kernel);
        return;
    }
    if (map_base == NULL) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_NO_MAPPING, "RUN: no shared memory mapped (send MAP first)");
        return;
    }
    if (!in_map(q->progress_offset, 8, 8) || !in_map(q->cancel_offset, 4, 4) ||
        overlaps(q->progress_offset, 8, q->cancel_offset, 4)) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_RANGE,
             "RUN: progress word at %llu (8 bytes, 8-aligned) and cancel word at %llu (4 bytes, 4-aligned) must lie "
             "apart inside the %llu-byte mapping",
             (unsigned long long)q->progress_offset, (unsigned long long)q->cancel_offset,
             (unsigned long long)map_size);
        return;
    }
    pc_args args;
    memset(&args, 0, sizeof args);
    for (unsigned i = 0; i < PC_MAX_INPUTS; i++) {
        int present = q->in_present >> i & 1u;
        if (present ? !in_map(q->in_offset[i], q->in_bytes[i], 8) : q->in_offset[i] != 0 || q->in_bytes[i] != 0) {
            fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_RANGE, "RUN: in[%u] = %llu + %llu bytes is not an 8-aligned range of "
                 "the %llu-byte mapping (or, absent, not 0 + 0)", i, (unsigned long long)q->in_offset[i],
                 (unsigned long long)q->in_bytes[i], (unsigned long long)map_size);
            return;
        }
        args.in[i] = present ? map_base + q->in_offset[i] : NULL;
        args.in_bytes[i] = q->in_bytes[i];
    }
    for (unsigned i = 0; i < PC_MAX_OUTPUTS; i++) {
        int present = q->out_present >> i & 1u;
        uint64_t off = q->out_offset[i], len = q->out_bytes[i];
        if (present ? !in_map(off, len, 8) || overlaps(off, len, q->progress_offset, 8) ||
                          overlaps(off, len, q->cancel_offset, 4)
                    : off != 0 || len != 0) {
            fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_RANGE, "RUN: out[%u] = %llu + %llu bytes is not an 8-aligned range of "
                 "the %llu-byte mapping apart from the progress and cancel words (or, absent, not 0 + 0)", i,
                 (unsigned long long)off, (unsigned long long)len, (unsigned long long)map_size);
            return;
        }
        args.out[i] = present ? map_base + off : NULL;
        args.out_bytes[i] = len;
    }
    memcpy(args.iparam, q->iparam, sizeof args.iparam);
    memcpy(args.dparam, q->dparam, sizeof args.dparam);
    if (q->begin > q->end || q->end > q->n) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD, "RUN: need begin <= end <= n, got %llu, %llu, %llu",
             (unsigned long long)q->begin, (unsigned long long)q->end, (unsigned long long)q->n);
        return;
    }
    /* pc_run_def's checks, in its order (the library's own are internal to it) */
    pc_status st = check_def(def);
    uint64_t bad = 0;
    if (st == PC_OK && q->n > 0) {
        for (unsigned i = 0; i < PC_MAX_INPUTS && st == PC_OK; i++) {
            if ((def->inputs_mask >> i & 1u) && args.in[i] == NULL) st = PC_ERR_NULL_ARGUMENT;
        }
        for (unsigned i = 0; i < PC_MAX_OUTPUTS && st == PC_OK; i++) {
            if ((def->outputs_mask >> i & 1u) && args.out[i] == NULL) st = PC_ERR_NULL_ARGUMENT;
        }
        /* a required buffer of length 0 (ABI 2: lengths left zeroed) */
        for (unsigned i = 0; i < PC_MAX_INPUTS && st == PC_OK; i++) {
            if ((def->inputs_mask >> i & 1u) && args.in_bytes[i] == 0) st = PC_ERR_BUFFER_SIZE, bad = i;
        }
        for (unsigned i = 0; i < PC_MAX_OUTPUTS && st == PC_OK; i++) {
            if ((def->outputs_mask >> i & 1u) && args.out_bytes[i] == 0) st = PC_ERR_BUFFER_SIZE, bad = PC_OUT_SLOT(i);
        }
    }
    if (st == PC_OK && def->block_param >= 0 && args.iparam[def->block_param] < 1) st = PC_ERR_INVALID_ARGUMENT;
    if (st == PC_OK && def->validate != NULL) {
        st = def->validate(&args, q->n, &bad);
        if (st != PC_OK && st != PC_ERR_INVALID_ARGUMENT && st != PC_ERR_BUFFER_SIZE) st = PC_ERR_KERNEL_STATUS;
    }
    if (st == PC_ERR_INVALID_ARGUMENT || st == PC_ERR_BUFFER_SIZE) r->bad_index = bad;
    if (st != PC_OK) {
        fail(r, st, PCW_E_KERNEL, "RUN: %s refused the call: %s", def->name != NULL ? def->name : "kernel",
             pc_strerror(st));
        return;
    }
    uint64_t block = def->block_param < 0 ? 1 : (uint64_t)args.iparam[def->block_param];
    uint64_t items = q->end - q->begin;
    uint64_t chunk = q->chunk;
    if (chunk == 0) {
        chunk = items / DEFAULT_CHUNKS_PER_RUN + 1;
        chunk = chunk <= block ? block : (chunk / block < UINT64_MAX / block ? (chunk / block + 1) * block : items);
    }
    if (q->begin % block != 0 || (q->end % block != 0 && q->end != q->n) || (q->chunk % block != 0)) {
        fail(r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_FIELD,
             "RUN: begin %llu, end %llu and chunk %llu must be multiples of the block size %llu (end may be n)",
             (unsigned long long)q->begin, (unsigned long long)q->end, (unsigned long long)q->chunk,
             (unsigned long long)block);
        return;
    }
    run_state.def = def;
    run_state.args = &args;
    run_state.cancel = (const pc_cancel_flag*)(const void*)(map_base + q->cancel_offset);
    run_state.progress = (_Atomic uint64_t*)(void*)(map_base + q->progress_offset);
    run_state.end = q->end;
    run_state.chunk = chunk;
    run_state.hook = q->hook;
    run_state.hook_index = q->hook_index;
    atomic_store_explicit(&run_state.next, q->begin, memory_order_relaxed);
    atomic_store_explicit(&run_state.done, 0, memory_order_relaxed);
    atomic_store_explicit(&run_state.status, PC_OK, memory_order_relaxed);
    atomic_store_explicit(run_state.progress, 0, memory_order_release);
    run_team();
    st = (pc_status)atomic_load_explicit(&run_state.status, memory_order_relaxed);
    r->value = atomic_load_explicit(&run_state.done, memory_order_relaxed);
    if (st != PC_OK) {
        fail(r, st, PCW_E_KERNEL, "RUN: %s over [%llu, %llu): %s", def->name != NULL ? def->name : "kernel",
             (unsigned long long)q->begin, (unsigned long long)q->end, pc_strerror(st));
    }
}

/* ---- main -------------------------------------------------------------------------------------- */

int main(int argc, char** argv) {
    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--threads") == 0)) {
        fprintf(stderr, "usage: %s <parent-pid> [--threads N]  (started by pcompute's process pool, not by hand)\n",
                argv[0]);
        return PCW_EXIT_USAGE;
    }
    if (argc == 4) {
        char* tend = NULL;
        errno = 0;
        long t = strtol(argv[3], &tend, 10);
        if (errno != 0 || tend == argv[3] || *tend != '\0' || t < 1 || t > PC_MAX_THREADS) {
            fprintf(stderr, "pcompute-worker: --threads '%s' must be 1 to %d\n", argv[3], PC_MAX_THREADS);
            return PCW_EXIT_USAGE;
        }
        team_size = (int)t;
    }
    char* end = NULL;
    errno = 0;
    long parent = strtol(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || parent <= 1 || parent > INT_MAX) {
        fprintf(stderr, "pcompute-worker: bad parent pid '%s'\n", argv[1]);
        return PCW_EXIT_USAGE;
    }
    /* Die with the parent: the signal covers its death from now on, the check a death before the prctl. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != (pid_t)parent) _exit(PCW_EXIT_ORPHANED);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is seen as EPIPE, and means "parent gone" */

    pthread_t watcher;
    if (pthread_create(&watcher, NULL, watcher_main, NULL) != 0) {
        fprintf(stderr, "pcompute-worker: cannot start the watcher thread\n");
        return PCW_EXIT_INTERNAL;
    }
    pthread_detach(watcher);
    for (int i = 1; i < team_size; i++) {
        pthread_t helper;
        if (pthread_create(&helper, NULL, helper_main, NULL) != 0) {
            fprintf(stderr, "pcompute-worker: cannot start helper thread %d of %d\n", i, team_size - 1);
            return PCW_EXIT_INTERNAL;
        }
        pthread_detach(helper);
    }
#ifdef PC_TEST_HOOKS
    uint32_t flags = PCW_HELLO_TEST_HOOKS;
#else
    uint32_t flags = 0;
#endif
    pcw_hello hello = {.protocol_version = PCW_PROTOCOL_VERSION, .kernel_abi_version = pc_kernel_abi_version(),
                       .pid = (int32_t)getpid(), .flags = flags};
    send_record(PCW_HELLO, 0, &hello, PCW_BODY_SIZE_HELLO);

    static body b; /* 4 KiB+: not on the stack */
    for (;;) {
        pcw_header h;
        pcw_result r;
        memset(&r, 0, sizeof r);
        if (next_record(&h, &b)) {
            fail(&r, PC_ERR_INVALID_ARGUMENT, PCW_E_BAD_RECORD,
                 "bad record header: magic 0x%08x version %u type %u length %u (expected magic 0x%08x version %d)",
                 (unsigned)h.magic, (unsigned)h.version, (unsigned)h.type, (unsigned)h.length, (unsigned)PCW_MAGIC,
                 PCW_PROTOCOL_VERSION);
            atomic_store(&exiting, 1);
            send_result(0, &r);
            _exit(PCW_EXIT_PROTOCOL);
        }
        if (h.type == PCW_BYE) atomic_store(&exiting, 1); /* the parent may hang up as soon as it sent it */
        switch (h.type) {
        case PCW_MAP: do_map(&b.map, &r); break;
        case PCW_LOAD: do_load(&b.load, &r); break;
        case PCW_RUN: do_run(&b.run, &r); break;
        case PCW_BYE:
            unmap();
            unload_all();
            send_result(h.seq, &r);
            return PCW_EXIT_BYE;
        default: break; /* next_record let only known types through */
        }
        send_result(h.seq, &r);
    }
}
