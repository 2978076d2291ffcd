/*
 * pcompute.h - the public contract of the pcompute native compute library.
 *
 * Kernels are pure functions over caller-owned memory; a worker pool (pthreads) runs them as jobs
 * split into tasks over slices of that memory. Every entry point validates its arguments and returns
 * a pc_status (PC_OK == 0); nothing in the library aborts, exits or prints.
 *
 * Ownership: the library never frees memory it did not allocate. Buffers passed to a job must stay
 * valid until the job has finished (pc_job_wait returned PC_OK or PC_ERR_CANCELLED).
 * This header and pcompute_kernel.h (the kernel ABI) are the only inputs of the Java bindings (jextract).
 */
#ifndef PCOMPUTE_H
#define PCOMPUTE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* pc_status, pc_args and pc_kernel_def: the kernel ABI, shared with kernel authors. */
#include "pcompute_kernel.h"

/* Exports: the library is compiled with -fvisibility=hidden, and every function declared in this
   header (between this push and the pop at its end) is exported, so only pc_ symbols leave the library
   and a helper someone forgot to make static stays inside. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* ---- Kernel limits --------------------------------------------------------------------------------
   Every limit a kernel's validation enforces (PC_ERR_INVALID_ARGUMENT beyond it), defined once here so
   the Java layer reads them from the bindings. */

/* Primes by trial division: lo + n <= 2^62. */
#define PC_PRIMES_TRIAL_MAX_END 4611686018427387904LL
/* Primes by the segmented sieve: lo + n <= 10^12 (base primes up to 10^6 per task). */
#define PC_PRIMES_SIEVE_MAX_END 1000000000000LL
/* Histogram: 1 <= bins <= 2^24. */
#define PC_HISTOGRAM_MAX_BINS 16777216LL
/* Histogram: scale must be bins / (hi - lo) as computed in double, within this relative tolerance:
   |(hi - lo) * scale - bins| <= bins * PC_HISTOGRAM_SCALE_TOLERANCE (2^-40; the double quotient is
   within a few ulps, 2^-50, of it, and a scale outside would silently count values in wrong bins). */
#define PC_HISTOGRAM_SCALE_TOLERANCE 9.094947017729282e-13
/* Collatz steps: 1 <= start <= 10^9 (every trajectory then stays far below 2^63). */
#define PC_COLLATZ_MAX_START 1000000000LL
/* Every buffer a kernel reads or writes, sized from n and the parameters as its kernel documents
   (n * 8 bytes, ceil(n / block) partials, n * k, k * cols, n * cols, nblocks * bins elements ...), must
   have at most this many bytes (2^63 - 1): larger sizes are rejected, also when n == 0, so no index
   computation in a kernel can overflow. Each such buffer's length in pc_args (in_bytes / out_bytes) must
   be at least that size when n > 0, else PC_ERR_BUFFER_SIZE with its slot in *bad_index. */
#define PC_MAX_BUFFER_BYTES 9223372036854775807LL

/* Kernels the pool and pc_run know, with the pc_args fields each reads. "Items" are what a job splits
   into tasks. Reductions write one partial result per block of `block` items (iparam); the pool's chunk
   must then be a multiple of `block`, and the caller combines the partials (pcompute's Java layer does so
   in a fixed order, so results never depend on thread count or scheduling).
   Cancellation: a running task of every kernel looks at its job's cancel flag after a bounded amount of
   work (about 0.3 ms on a current x86 core, well under 1 ms), inside long items and across many short
   ones alike, so a cancelled job's workers go idle within about a millisecond whatever its inputs. */
typedef enum pc_kernel {
    /* Brute-force gcd, the origin workload: for i from min(a,b) down to 1, the first i dividing both.
       in[0] = a (int64[n]), in[1] = b (int64[n]), out[0] = gcd (int64[n]); every a[k], b[k] >= 1. */
    PC_KERNEL_GCD_BRUTE = 1,
    /* Binary (Stein) gcd, same buffers as PC_KERNEL_GCD_BRUTE; every a[k], b[k] >= 0, gcd(0,0) = 0. */
    PC_KERNEL_GCD_FAST = 2,
    /* Primes in [lo, lo + n) by trial division by 2 and odd d with d*d <= m. iparam[0] = lo >= 0,
       iparam[1] = block >= 1; out[0] = int64[ceil(n / block)] counts per block;
       lo + n <= PC_PRIMES_TRIAL_MAX_END (2^62). */
    PC_KERNEL_PRIMES_TRIAL = 3,
    /* Same contract as PC_KERNEL_PRIMES_TRIAL, by a segmented sieve of Eratosthenes per task, but
       lo + n <= PC_PRIMES_SIEVE_MAX_END (10^12). A task needs memory for the base primes up to
       sqrt(lo + n) and one segment of at most min(block, 2^20) bytes, whatever the block size. */
    PC_KERNEL_PRIMES_SIEVE = 4,
    /* Mandelbrot escape counts. Item k is pixel (k % width, k / width) at c = (x0 + col*dx, y0 + row*dy);
       z = z*z + c from 0 until |z|^2 > 4 or max_iter steps; out[0] = int64[n] step counts.
       iparam[0] = width >= 1, iparam[1] = max_iter >= 1; dparam[0..3] = x0, y0, dx, dy (finite). */
    PC_KERNEL_MANDELBROT = 5,
    /* Sum of in[0] = double[n] per block: out[0] = double[ceil(n / block)]; iparam[0] = block >= 1.
       Within a block of items [from, to), 8 lanes: lane j adds from + j, from + j + 8, ... left to right
       from 0.0, and the block sum is ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). */
    PC_KERNEL_REDUCE_SUM = 6,
    /* Neumaier (improved Kahan) compensated sum per block: out[0] = sums, out[1] = compensations,
       both double[ceil(n / block)]. iparam[0] = block >= 1. Lanes as for REDUCE_SUM, each with its own
       sum and compensation; the block sum is Neumaier over the 8 lane sums in lane order, its
       compensation that sum's compensation plus each lane's, in lane order. Each step s + v adds its
       rounding error by TwoSum: t = s + v, bv = t - s, c += (s - (t - bv)) + (v - bv). */
    PC_KERNEL_REDUCE_SUM_NEUMAIER = 7,
    /* Dot product of in[0], in[1] (double[n]) per block, lanes as for REDUCE_SUM (lane j adds
       x[i] * y[i]): out[0] = double[nblocks]. iparam[0] = block >= 1. */
    PC_KERNEL_REDUCE_DOT = 8,
    /* Minimum and maximum with the index of their first occurrence, NaN ignored, per block:
       out[0] = double[2 * nblocks] (min, max), out[1] = int64[2 * nblocks] (argmin, argmax; -1 when the
       block has no number). Comparisons are < and >, so -0.0 and 0.0 tie and the first one wins.
       iparam[0] = block >= 1. */
    PC_KERNEL_REDUCE_MINMAX = 9,
    /* C = A * B, row-major doubles, blocked for cache; items are rows of C. in[0] = A (double[n * k]),
       in[1] = B (double[k * cols]), out[0] = C (double[n * cols]); iparam[0] = k >= 1, iparam[1] = cols >= 1;
       each of the three sizes, times 8 bytes, at most PC_MAX_BUFFER_BYTES (checked also when n == 0).
       Each C[i][j] accumulates A[i][p] * B[p][j] for p = 0, 1, ... in order (no reassociation). */
    PC_KERNEL_MATMUL = 10,
    /* Histogram of in[0] = double[n] over [lo, hi) in `bins` equal bins, per block:
       out[0] = int64[nblocks * bins]. Value x counts in bin min(bins - 1, (int64)((x - lo) * scale)) when
       lo <= x < hi; NaN and values outside are not counted. iparam[0] = bins (1 .. PC_HISTOGRAM_MAX_BINS),
       iparam[1] = block >= 1; dparam[0] = lo, dparam[1] = hi (finite, lo < hi), dparam[2] = scale =
       bins / (hi - lo) (finite, > 0, consistent within PC_HISTOGRAM_SCALE_TOLERANCE). */
    PC_KERNEL_HISTOGRAM = 11,
    /* Collatz steps: out[0][k] = steps of n -> n / 2 (even) or 3n + 1 (odd) from in[0][k] to 1.
       in[0] = int64[n] with 1 <= value <= PC_COLLATZ_MAX_START (10^9), out[0] = int64[n]. */
    PC_KERNEL_COLLATZ_STEPS = 12
} pc_kernel;

/* Number of kernels: their ids are 1 .. pc_kernel_count(). */
int32_t pc_kernel_count(void);

/* The kernel's name ("gcd_brute", ...), a static string, or NULL for an unknown id. Thread-safe. */
const char* pc_kernel_name(int32_t kernel);

/* TEST ONLY: while `enabled` is non-zero, `kernel` computes deliberately wrong results for some inputs,
   so that port-validation tools can prove they catch a broken port. Global state. Present only in the
   test build of the library (compiled with PC_TEST_HOOKS, CMake target pcompute_testhooks); the release
   library, the one the jar ships, does not export it, so linking or binding it there fails.
   Errors: PC_ERR_UNKNOWN_KERNEL. */
pc_status pc_test_plant_bug(int32_t kernel, int32_t enabled);


/* Opaque handles. */
typedef struct pc_pool pc_pool;
typedef struct pc_job pc_job;

/* A static, NUL-terminated English description of a status code (unknown codes included). Thread-safe. */
const char* pc_strerror(int32_t status);

/* The library version as "MAJOR.MINOR.PATCH", a static string. Thread-safe. */
const char* pc_version(void);

/* The build id of this library, a static string "<version>-<32 hex digits>": a hash of its sources,
   headers, compiler and flags (computed by the build, native-src/cmake/build_id.cmake), so two builds
   share an id only if they compiled the same code the same way. The build writes the same id to
   libpcompute.so.buildid beside the library; the Java loader refuses a library whose id differs from
   the one shipped in its jar. Thread-safe. */
const char* pc_build_id(void);

/* Number of CPUs this process may use, at least 1: the CPUs of its affinity mask (sched_getaffinity),
   capped by the CPU quota of its cgroup, rounded up (cgroup v2 cpu.max, or v1 cpu.cfs_quota_us /
   cpu.cfs_period_us, of the process's cgroup and its ancestors, as /proc/self/cgroup names it under
   /sys/fs/cgroup; "max" or -1 means no limit). A quota of 1.5 CPUs gives 2, one below a CPU gives 1;
   unreadable or malformed files count as no limit. The JVM's availableProcessors() reads the same files.
   Reads the files on every call. Thread-safe. */
int32_t pc_cpu_count(void);

/* Brute-force gcd of n pairs on the calling thread: out[k] = gcd(a[k], b[k]).
   a, b, out: caller-owned int64 arrays of n elements (may be NULL only when n == 0); out may alias neither.
   bad_index (may be NULL): on PC_ERR_INVALID_ARGUMENT receives the first k with a[k] < 1 or b[k] < 1.
   Inputs are all validated before anything is written. Thread-safe; never calls back into the caller.
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (also when n * 8 exceeds PC_MAX_BUFFER_BYTES). */
pc_status pc_gcd_brute(const int64_t* a, const int64_t* b, int64_t* out, uint64_t n, uint64_t* bad_index);

/* Binary gcd of n pairs on the calling thread; like pc_gcd_brute but accepts a[k], b[k] >= 0.
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (bad_index gets the first negative item). */
pc_status pc_gcd_fast(const int64_t* a, const int64_t* b, int64_t* out, uint64_t n, uint64_t* bad_index);

/* ---- SIMD paths ----------------------------------------------------------------------------------
   Kernels with vectorized code (PC_KERNEL_GCD_BRUTE and PC_KERNEL_GCD_FAST, also through pc_gcd_brute and
   pc_gcd_fast) run one of these paths; every path computes the same bits, only the speed differs.
   gcd_fast has an AVX-512 path only (64 pairs at a time; AVX2 has no 64-bit lane minimum, absolute
   value or bit count): on PC_SIMD_AVX2 it runs the scalar loop. By default the library uses the
   widest path the CPU (and the OS) supports. The choice is process-wide and read by each kernel call
   as it starts, so tests, validators and benchmarks can run every path on any machine that has it.
   Environment: PCOMPUTE_SIMD=scalar|avx2|avx512|auto is read once, at the first use of the choice
   (the first such kernel call, pc_simd_level or pc_simd_force); auto, an unknown value or a path the
   CPU cannot run means the widest supported path. A pc_simd_force made before that first use wins
   over the variable. Non-x86-64 builds have the scalar path only. */
#define PC_SIMD_AUTO 0   /* the widest path this CPU supports */
#define PC_SIMD_SCALAR 1 /* plain C, one candidate at a time */
#define PC_SIMD_AVX2 2   /* x86-64 AVX2 + FMA: 4 doubles per step (8 floats up to 2^24) */
#define PC_SIMD_AVX512 3 /* x86-64 AVX-512F + CD: 8 doubles per step (16 floats up to 2^24) */

/* 1 if this process can run `level` (PC_SIMD_AUTO and PC_SIMD_SCALAR always), 0 if the CPU or the OS
   lacks it or the value is not one of PC_SIMD_*. Thread-safe. */
int32_t pc_simd_supported(int32_t level);

/* Makes every kernel call that starts from now on use path `level` (PC_SIMD_AUTO: the widest supported
   one), in the whole process; calls already running keep their path. Thread-safe (the last call wins).
   Errors: PC_ERR_INVALID_ARGUMENT (not one of PC_SIMD_*, or pc_simd_supported(level) == 0: nothing
   changes). */
pc_status pc_simd_force(int32_t level);

/* The path in effect: PC_SIMD_SCALAR, PC_SIMD_AVX2 or PC_SIMD_AVX512 (never PC_SIMD_AUTO). The first use
   reads PCOMPUTE_SIMD (see above). Thread-safe. */
int32_t pc_simd_level(void);

/* ---- Kernels by descriptor ------------------------------------------------------------------------
   Every kernel, built-in or an application's, is a pc_kernel_def (pcompute_kernel.h); the id-based
   functions below are thin wrappers over these. A descriptor is validated before use: NULL ->
   PC_ERR_NULL_ARGUMENT; abi_version != pc_kernel_abi_version() -> PC_ERR_ABI_MISMATCH (a caller's
   message names both: def->abi_version and pc_kernel_abi_version()); run == NULL -> PC_ERR_NULL_ARGUMENT;
   block_param outside -1 .. PC_MAX_PARAMS - 1 or masks with bits beyond the slots ->
   PC_ERR_INVALID_ARGUMENT. When n > 0, a buffer the masks require with a length of 0 in pc_args is
   refused with PC_ERR_BUFFER_SIZE (its slot in *bad_index) before validate() runs; validate() checks
   the lengths against what it needs. A kernel function returning a status it may not return is
   reported as PC_ERR_KERNEL_STATUS, never passed on. */

/* PC_KERNEL_ABI_VERSION of this library. Thread-safe. */
int32_t pc_kernel_abi_version(void);

/* The descriptor of built-in kernel `id` (static storage, valid for the life of the process), or NULL
   for an unknown id. Thread-safe. */
const pc_kernel_def* pc_kernel_def_of(int32_t id);

/* Runs the kernel `def` over items [0, n) of `args` on the calling thread (one call, no pool): checks
   the descriptor, the buffers its masks require (when n > 0), the block parameter, then validate()
   (bad_index, may be NULL, as validate() sets it), then run() over [0, n) with cancel == NULL.
   Thread-safe if the kernel is. Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_ABI_MISMATCH,
   PC_ERR_INVALID_ARGUMENT, PC_ERR_BUFFER_SIZE, PC_ERR_OUT_OF_MEMORY, PC_ERR_KERNEL_STATUS. */
pc_status pc_run_def(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index);

/* pc_run_def with four `keep` pointers that are never read (see pc_run_keep). Same returns as pc_run_def. */
pc_status pc_run_def_keep(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index,
                          const void* keep0, const void* keep1, const void* keep2, const void* keep3);

/* pc_run_def with the buffers passed as arguments: in0..in3 and out0, out1 stand for args->in[i] and
   args->out[i] (NULL: no buffer), whose own pointers are ignored; their lengths (in_bytes, out_bytes),
   the parameters and everything else come from `args`, which is only read. For a managed caller that can
   lend memory for the duration of one call only: a Java heap array passed through a critical
   (no-safepoint) FFM downcall has an address during that call and none that could be stored in a struct
   beforehand. The call runs the kernel on the calling thread and returns: it never calls back into the
   caller, never waits on a lock or a condition, and keeps no pointer after it returns. Thread-safe if the
   kernel is. Same returns as pc_run_def. */
pc_status pc_run_def_buffers(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* bad_index,
                             const void* in0, const void* in1, const void* in2, const void* in3, void* out0,
                             void* out1);

/* Runs `kernel` over items [0, n) of `args` on the calling thread (one call, no pool).
   bad_index (may be NULL): as for the kernel's direct function. Thread-safe.
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_UNKNOWN_KERNEL, PC_ERR_INVALID_ARGUMENT, PC_ERR_BUFFER_SIZE
   (bad_index: the slot). */
pc_status pc_run(int32_t kernel, const pc_args* args, uint64_t n, uint64_t* bad_index);

/* pc_run with four `keep` pointers that are never read: as for pc_job_start_and_wait, they let a managed
   caller keep the caller-owned buffers of `args` alive for the whole call. Pass NULL for unused ones.
   Same returns as pc_run. */
pc_status pc_run_keep(int32_t kernel, const pc_args* args, uint64_t n, uint64_t* bad_index, const void* keep0,
                      const void* keep1, const void* keep2, const void* keep3);

/* ---- Pool and jobs -------------------------------------------------------------------------------
   A pool owns persistent worker threads; a job is one kernel call split into tasks the workers pull.
   Job life cycle: created (pc_job_create) -> queued (pc_job_start) -> running -> finished, where
   "finished" means done, cancelled or failed; pc_job_wait tells which. A job stays valid, whatever
   happens to its pool, until pc_job_free. A finished job can report its end through its pool's
   completion queue (pc_job_set_completion_tag, pc_pool_next_completions), so one thread can wait for
   any number of jobs. */

/* Most worker threads a pool may have. */
#define PC_MAX_THREADS 1024

/* Idle spin window of a new pool's workers, in nanoseconds: about one wake-up of a sleeping thread on the
   reference VM (~26 us), so a job started within that time after a worker ran out of work is taken in
   about a microsecond instead of after a wake-up. */
#define PC_POOL_DEFAULT_SPIN_NS 30000
/* Largest spin window pc_pool_set_spin_ns accepts (1 ms): spinning is a latency trade, never a wait. */
#define PC_POOL_MAX_SPIN_NS 1000000

/* Creates a pool of `threads` persistent worker threads (0 = pc_cpu_count(), capped at PC_MAX_THREADS).
   A worker that runs out of work spins (polls, burning its core) for the pool's spin window,
   PC_POOL_DEFAULT_SPIN_NS, then sleeps without using CPU until a job is started. When threads >=
   pc_cpu_count() it spins only while the pool's busy workers, spinning workers and helping callers
   (pc_job_run_and_wait) leave a core free, so a spinner never takes a core from a thread of the pool that
   is working; an explicit pc_pool_set_spin_ns lifts that rule.
   On PC_OK *out_pool owns the pool; release it with pc_pool_destroy.
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (threads < 0 or > PC_MAX_THREADS),
   PC_ERR_OUT_OF_MEMORY, PC_ERR_THREAD. */
pc_status pc_pool_create(int32_t threads, pc_pool** out_pool);

/* Stores the pool's worker count in *out_threads. Thread-safe. Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_pool_thread_count(const pc_pool* pool, int32_t* out_threads);

/* Sets the pool's spin window: how long, in nanoseconds, an idle worker (and a thread in
   pc_job_run_and_wait whose job other workers are finishing) polls for work before it sleeps on a
   condition variable. 0 turns spinning off (every idle thread sleeps at once). Once set, the window
   applies on every idle period, whether or not a core is free (see pc_pool_create). Takes effect at each
   thread's next idle period. Thread-safe; must not race with pc_pool_destroy.
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (spin_ns < 0 or > PC_POOL_MAX_SPIN_NS). */
pc_status pc_pool_set_spin_ns(pc_pool* pool, int64_t spin_ns);

/* Stores the pool's spin window (nanoseconds) in *out_spin_ns. Thread-safe. Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_pool_spin_ns(const pc_pool* pool, int64_t* out_spin_ns);

/* Lazy wake window of a new pool, in nanoseconds: about one wake-up of a sleeping thread on the reference
   VM (~26 us) plus the waker's system call. */
#define PC_POOL_DEFAULT_LAZY_WAKE_NS 30000
/* Largest lazy wake window pc_pool_set_lazy_wake_ns accepts (1 ms). */
#define PC_POOL_MAX_LAZY_WAKE_NS 1000000

/* Sets the pool's lazy wake window. The caller of pc_job_run_and_wait (and pc_pool_run_def_buffers)
   measures what its kernel's items cost it, per kernel definition and pool. When such a measurement says
   the caller alone will finish a new job of that kernel within the window, the call wakes no sleeping
   worker at first: waking one costs about as much as the whole job, and the caller runs every task itself
   (workers that are busy or spinning still join). If the job is still running once the window has
   passed, the caller wakes them then, after the task it is running; a kernel's first job on a pool, any
   job its last measurements call larger, and any job that starts within the pool's spin window after a
   caller left its job (a stream of jobs: a worker woken now still spins at the next one) wake them at
   once. A job expected under an eighth of the window is not queued at first (no worker joins it). Results never depend on it: only which
   threads run which tasks. 0 turns it off (every job wakes the workers it needs at once). Thread-safe;
   must not race with pc_pool_destroy.
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (lazy_wake_ns < 0 or > PC_POOL_MAX_LAZY_WAKE_NS). */
pc_status pc_pool_set_lazy_wake_ns(pc_pool* pool, int64_t lazy_wake_ns);

/* Stores the pool's lazy wake window (nanoseconds) in *out_lazy_wake_ns. Thread-safe.
   Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_pool_lazy_wake_ns(const pc_pool* pool, int64_t* out_lazy_wake_ns);

/* Cancels every job of the pool that has not finished -- created but not started, queued, or running
   (running tasks stop at their next cancel check) -- waits until the workers have stopped touching job
   memory, joins the threads and frees the pool. Tags still in the completion queue are discarded with
   it (drain them first if they matter). Every job of the pool not yet freed stays valid, finished
   (PC_OK, PC_ERR_CANCELLED or a task's failure) and detached from the pool: pc_job_start, pc_job_cancel,
   pc_job_wait, pc_job_progress and pc_job_free work on it without touching the freed pool.
   Must not race with any other call naming this pool or one of its jobs (pc_job_create, pc_job_start,
   pc_job_cancel, pc_job_free, pc_job_set_completion_tag, pc_pool_next_completions, ...); pc_job_wait
   and pc_job_progress are the exceptions. Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_pool_destroy(pc_pool* pool);

/* Validates `args` for `kernel` over items [0, n) and creates a job of ceil(n / chunk) tasks of `chunk`
   items each (chunk 0 = one task per item, or per block for kernels with partials; chunk must be a
   multiple of such a kernel's block), not yet running: start it with pc_job_start or
   pc_job_start_and_wait. Workers pull tasks dynamically, so uneven items balance.
   The pc_args struct is copied; the buffers it points to are borrowed until the job has finished.
   On PC_OK *out_job owns the job: wait for it, then pc_job_free it (to discard a job that never
   started, pc_job_cancel it first). bad_index (may be NULL): as for the kernel's direct function.
   Thread-safe (many creators at once).
   Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_UNKNOWN_KERNEL, PC_ERR_INVALID_ARGUMENT, PC_ERR_BUFFER_SIZE
   (bad_index: the slot), PC_ERR_OUT_OF_MEMORY, PC_ERR_THREAD. */
pc_status pc_job_create(pc_pool* pool, int32_t kernel, const pc_args* args, uint64_t n, uint64_t chunk,
                        pc_job** out_job, uint64_t* bad_index);

/* pc_job_create for the kernel `def` (see "Kernels by descriptor"): same arguments, ownership and
   returns, plus PC_ERR_ABI_MISMATCH; a task's run() returning a status it may not return fails the job
   with PC_ERR_KERNEL_STATUS (pc_job_wait). `def` must stay valid until the job is freed. */
pc_status pc_job_create_def(pc_pool* pool, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                            uint64_t chunk, pc_job** out_job, uint64_t* bad_index);

/* Asks the pool to post `tag` to its completion queue when the job finishes, whatever the outcome: done,
   failed, cancelled (before start too), n == 0, or finished by pc_pool_destroy (whose queue is then
   discarded). Call it after pc_job_create and before pc_job_start; a job has at most one tag, and a
   job without one posts nothing. Any value is a valid tag (pcompute's Java layer uses an id).
   Thread-safe. Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (the job already has a tag, or is
   no longer merely created: started, cancelled, or its pool destroyed). */
pc_status pc_job_set_completion_tag(pc_job* job, uint64_t tag);

/* Waits until at least one tag is in the pool's completion queue, timeout_ns nanoseconds have passed
   (timeout_ns < 0: no limit; 0: just look) or pc_pool_wake_completions is called; then moves up to
   `capacity` tags, oldest first (the queue is in finishing order), into the caller-owned tags[capacity]
   and stores how many in *out_count. Each tag is delivered once, to one caller. The job of a delivered
   tag has finished (its outputs are complete and visible to the caller; pc_job_wait returns its outcome
   at once) and stays valid until pc_job_free. Posting never allocates, and a queue never overflows.
   Thread-safe (any number of callers); must not race with pc_pool_destroy.
   Returns PC_OK (*out_count >= 1, or 0 after a pc_pool_wake_completions), PC_ERR_TIMEOUT (*out_count = 0),
   PC_ERR_NULL_ARGUMENT, PC_ERR_INVALID_ARGUMENT (capacity < 1; *out_count = 0). */
pc_status pc_pool_next_completions(pc_pool* pool, int64_t timeout_ns, uint64_t* tags, int32_t capacity,
                                   int32_t* out_count);

/* Makes every thread waiting in pc_pool_next_completions return at once (PC_OK, with the tags posted
   so far, possibly none). When no thread is waiting, the next call to pc_pool_next_completions returns
   at once instead, so a completion thread told to stop (a flag set before the wake, checked after each
   return) cannot miss the wake by not having reached its wait yet. A wake is used up by the calls it
   releases: later calls wait as usual. Thread-safe; must not race with pc_pool_destroy.
   Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_pool_wake_completions(pc_pool* pool);

/* Queues a created job on its pool's workers (after all jobs queued before it). A job of n == 0, or one
   that has already finished (cancelled before it started, or detached by pc_pool_destroy), finishes at
   once / stays finished: pc_job_wait then tells PC_OK or PC_ERR_CANCELLED. Starting a job twice has no
   further effect. Must not race with pc_pool_destroy of its pool. Thread-safe.
   Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_job_start(pc_job* job);

/* pc_job_create followed by pc_job_start: same arguments, returns and errors. */
pc_status pc_job_submit(pc_pool* pool, int32_t kernel, const pc_args* args, uint64_t n, uint64_t chunk,
                        pc_job** out_job, uint64_t* bad_index);

/* Waits until the job has finished or timeout_ns nanoseconds have passed (timeout_ns < 0: no limit;
   0: just look). Thread-safe; any number of waiters, even while its pool is destroyed.
   Returns PC_OK (finished, every item computed), PC_ERR_CANCELLED (finished after a cancel, some items
   not computed), PC_ERR_TIMEOUT (still running), PC_ERR_NULL_ARGUMENT, or the first failure of a task
   (PC_ERR_OUT_OF_MEMORY: the job stopped early). */
pc_status pc_job_wait(pc_job* job, int64_t timeout_ns);

/* Waits until the job has left the created state -- started (queued or running) or finished (e.g.
   cancelled before it started, or its pool destroyed) -- or timeout_ns nanoseconds have passed
   (timeout_ns < 0: no limit; 0: just look). Lets one thread learn that another has started the job,
   e.g. inside pc_job_start_and_wait, whose `keep` arguments a managed caller pins before the call
   starts the job. Thread-safe; any number of waiters, even while its pool is destroyed; must not race
   with pc_job_free of the job. Returns PC_OK, PC_ERR_TIMEOUT (still only created), PC_ERR_NULL_ARGUMENT. */
pc_status pc_job_wait_started(pc_job* job, int64_t timeout_ns);

/* pc_job_start, then pc_job_wait with no time limit: the calling thread only waits, so the job runs
   on the pool's workers alone, after the jobs queued before it (pc_job_run_and_wait helps instead).
   The six `keep` pointers are never read: they let a managed caller (Java's FFM keeps a memory segment
   alive while it is an argument of a running call) pin the job's buffers from before the first worker
   touches them until the last one is done. Pass NULL for unused ones. Same returns as pc_job_wait. */
pc_status pc_job_start_and_wait(pc_job* job, const void* keep0, const void* keep1, const void* keep2,
                                const void* keep3, const void* keep4, const void* keep5);

/* pc_job_start_and_wait for a synchronous call, where the calling thread would only sleep: when this call
   starts the job, the calling thread runs tasks of this job beside the workers, as OpenMP's master
   thread does -- of this job only, never another's, and even when the job is queued behind others, so
   it makes progress ahead of them. Like OpenMP's master, the caller takes a worker's place: the call
   wakes at most threads - 1 sleeping workers, so a pool of N threads runs the job on N threads, the
   caller included (a worker that was busy or spinning may still join). A job of one task thus never
   waits for a worker to wake up (~26 us on a VM), and a job its kernel's recent cost calls short wakes
   none at first (see pc_pool_set_lazy_wake_ns). Once no task is left to claim, the thread spins for the
   workers to finish -- the pool's spin window, or when that is 0 about two of its own tasks' time, within
   1 to 30 us -- then sleeps.
   Cancellation, progress and the outcome are as for any job (pc_job_cancel from another thread stops
   this thread's task at its next check too); pc_pool_destroy waits for this thread to leave the job's
   tasks. Not for a critical (no-safepoint) downcall: it runs the kernel and may wait (a job started
   elsewhere is not helped); pc_pool_run_def_buffers bounds both, for a job it creates itself. `keep` pointers
   and returns as for pc_job_start_and_wait. */
pc_status pc_job_run_and_wait(pc_job* job, const void* keep0, const void* keep1, const void* keep2,
                              const void* keep3, const void* keep4, const void* keep5);

/* One synchronous job whose buffers are passed as arguments, as for pc_run_def_buffers (args->in/out
   ignored, in0..in3/out0/out1 used instead): pc_job_create_def, pc_job_run_and_wait and pc_job_free in one
   call, for a caller that can lend its buffers for this call only (a Java heap array through a critical
   downcall). No pointer outlives the call: it returns only once no worker touches the job.
   Bounded: the calling thread runs every task no worker has claimed, so the call lasts about the job's
   cost on one thread at most, plus whatever is left of the tasks workers claimed; workers that are busy
   with other jobs or asleep never hold it up. It never calls back into the caller; it waits only on the
   pool's own mutex (held by pool code for a few list operations, never across a kernel) and, at the end,
   for the workers inside this job's tasks. Must not race with pc_pool_destroy (the pool must stay open
   for the whole call). A call the kernel's recent cost puts under an eighth of the lazy wake window (see
   pc_pool_set_lazy_wake_ns) runs on the calling thread without a job at all, unless it outlasts the
   window: its remaining tasks then go to a job as above. Thread-safe (many callers at once). Returns as
   pc_job_create_def (validation failures with bad_index; chunk 0 = the kernel's granularity) and then as
   pc_job_wait: PC_OK or a task's failure (PC_ERR_OUT_OF_MEMORY, PC_ERR_KERNEL_STATUS). */
pc_status pc_pool_run_def_buffers(pc_pool* pool, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                                  uint64_t chunk, uint64_t* bad_index, const void* in0, const void* in1,
                                  const void* in2, const void* in3, void* out0, void* out1);

/* Asks the job to stop: no new task starts, and running tasks stop at their next check (kernels check
   inside long per-item loops too). Returns at once; wait for the job to know it has stopped.
   A job cancelled before it starts never runs (it finishes at once, posting its tag). No effect on a
   finished job, detached ones included. Thread-safe, but must not race with pc_job_free of the same job
   or pc_pool_destroy of its pool. Errors: PC_ERR_NULL_ARGUMENT. */
pc_status pc_job_cancel(pc_job* job);

/* Progress while the job runs: *out_done items computed so far (monotonic), *out_total = n.
   Either output pointer may be NULL. Thread-safe, lock-free. Errors: PC_ERR_NULL_ARGUMENT (job). */
pc_status pc_job_progress(const pc_job* job, uint64_t* out_done, uint64_t* out_total);

/* Frees a finished job (detached ones included). A job not yet finished is left untouched and
   PC_ERR_BUSY is returned. If the job's tag is still in the completion queue, it is removed from it,
   never delivered. Must not race with any other call on the same job, nor with pc_pool_destroy of its
   pool. Errors: PC_ERR_NULL_ARGUMENT, PC_ERR_BUSY. */
pc_status pc_job_free(pc_job* job);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* PCOMPUTE_H */
