/* The native worker pool: persistent pthreads pulling tasks of queued jobs, and a completion queue.
 *
 * Job life cycle (job->state, guarded by pool->mu). "Leaves" = a worker returns from the job's tasks
 * because none is left to claim or the job is cancelled.
 *
 *   CREATED --pc_job_start, n > 0--> QUEUED --a worker leaves, others still inside--> RUNNING
 *      |                               |                                                |
 *      | pc_job_start with n == 0,     | the last worker inside leaves, or              | the last worker
 *      | pc_job_cancel,                | pc_job_cancel / pc_pool_destroy                | inside leaves
 *      | pc_pool_destroy               | with no worker inside                          |
 *      v                               v                                                |
 *   FINISHED <-------------------------+------------------------------------------------+
 *
 * A job enters FINISHED exactly once, in finish(): its outcome is published to waiters and its completion
 * tag, if it has one, is posted to the pool's completion queue. pc_pool_destroy finishes (as cancelled)
 * every job of the pool that has not finished, waits for the workers, then detaches every job not yet
 * freed (job->pool = NULL): a detached job is FINISHED for good, and pc_job_* calls on it never touch the
 * (freed) pool.
 *
 * Lists, all circular and doubly linked through a `list_node` in pc_job, so every removal is O(1):
 *   pool->live   every job created on the pool and neither freed nor detached (job->live_node);
 *   pool->queue  QUEUED jobs in start order; workers take tasks of the first one (job->queue_node);
 *   pool->done   FINISHED jobs whose tag was posted and neither drained nor freed (job->done_node).
 *
 * Hand-off (issue 11): a job's tasks are run by the pool's workers and, for pc_job_run_and_wait, by
 * the calling thread too (a "caller", counted in job->running like a worker and in pool->callers), which
 * only ever runs tasks of its own job, as OpenMP's master thread does: a job of one task then never waits
 * for a worker to wake up (~26 us on a VM), and a synchronous job ahead of others still makes progress on
 * its caller. A worker that runs out of work spins for pool->spin_ns (lock-free, polling pool->queued)
 * before it sleeps on work_cv -- when the workers fill the cores, only if pool->busy + spinning + callers
 * leave a core free -- and a caller that has left its job spins on job->finished before it sleeps on
 * job->cv (caller_tail_spin_ns): a peer that is still spinning answers in about a microsecond. After the
 * window an idle worker sleeps and uses no CPU. A caller wakes no sleeping worker for a job its kernel's
 * recent cost says it will finish alone within pool->lazy_wake_ns, unless the job outlasts that window
 * (caller_run). pc_pool_destroy waits for callers to leave (they see the cancel within a task's cancel
 * interval) before it frees the pool.
 *
 * Locking: pool->mu guards the three lists, every job's `state`, `running`, `has_tag` and `pool` fields,
 * the pool's `shutdown`, `wake_generation`, `callers`, `spinning`, `busy` and `spin_when_free`, and every
 * write of `queued`.
 * job->mu/job->cv guard `result`, `finished` and `started` for pc_job_wait and pc_job_wait_started.
 * Lock order: pool->mu, then job->mu (finish() takes job->mu with pool->mu held).
 * Memory orders: `queued` and `spin_ns` are read relaxed by spinners (a hint: the spinner takes pool->mu
 * before it looks at the queue itself, and a caller's spin on `finished` ends in pc_job_wait, under
 * job->mu); a task is claimed with an atomic fetch_add on job->next_chunk (relaxed: only uniqueness
 * matters); `cancel`, `error` and `done_items` are relaxed flags/counters; `finished` is stored with
 * release under job->mu and read with acquire on lock-free fast paths. Results written by workers are
 * published by the pool->mu hand-over: each worker decrements `running` under pool->mu, the last one calls
 * finish() under it, and waiters see them through job->mu (pc_job_wait) or pool->mu (pc_job_free,
 * pc_pool_next_completions).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "pc_internal.h"

/* ---- intrusive circular lists ------------------------------------------------------------------- */

typedef struct list_node {
    struct list_node* prev;
    struct list_node* next;
} list_node;

/* An unlinked node points at itself, so membership is a pointer comparison. */
static void list_init(list_node* node) {
    node->prev = node;
    node->next = node;
}

static int list_linked(const list_node* node) {
    return node->next != node;
}

static void list_push_back(list_node* head, list_node* node) {
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
}

static void list_remove(list_node* node) {
    node->prev->next = node->next;
    node->next->prev = node->prev;
    list_init(node);
}

#define JOB_OF(node, field) ((pc_job*)(void*)((char*)(node)-offsetof(pc_job, field)))

/* ---- types -------------------------------------------------------------------------------------- */

typedef enum job_state { JOB_CREATED, JOB_QUEUED, JOB_RUNNING, JOB_FINISHED } job_state;

struct pc_job {
    list_node live_node;  /* in pool->live until freed or detached (pool->mu) */
    list_node queue_node; /* in pool->queue while QUEUED (pool->mu) */
    list_node done_node;  /* in pool->done from posting until drained or freed (pool->mu) */
    pc_pool* pool;        /* NULL once detached by pc_pool_destroy (pool->mu; callers must not race destroy) */
    job_state state;      /* see the diagram (pool->mu) */
    int running;          /* workers inside this job's tasks (pool->mu) */
    int has_tag;          /* pc_job_set_completion_tag was called (pool->mu) */
    uint64_t tag;         /* written once while CREATED, read by pc_pool_next_completions (pool->mu) */
    /* Immutable after pc_job_create: */
    const pc_kernel_def* def;
    pc_args args;
    uint64_t n;
    uint64_t chunk;
    uint64_t chunks;
    /* Shared with the workers without a lock: */
    atomic_uint_fast64_t next_chunk;
    atomic_uint_fast64_t done_items;
    atomic_int cancel;
    atomic_int error; /* first failure of a task other than a cancel (e.g. out of memory), else PC_OK */
    /* For waiters: */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pc_status result;     /* job->mu */
    atomic_int finished;  /* set under job->mu (release); read lock-free (acquire) by fast paths */
    int started;          /* left CREATED: queued, running or finished (job->mu; set with pool->mu held) */
};

/* The cost model of lazy waking: per kernel definition, the nanoseconds per item (x16, fixed point) that the
   caller of its last synchronous job measured. A direct-mapped table, keyed by the definition's address:
   two kernels that share a slot evict each other, and a reader may pair one kernel's key with another's
   cost while a writer is between its two stores. Either only changes a guess: a wrong guess costs at most
   the lazy wake window plus one task of delay, never a wrong result (see caller_run). */
#define COST_SLOTS 64
/* A synchronous job expected to take less than lazy_wake_ns / HIDDEN_FRACTION is run by its caller alone
   and not queued at first (3.75 us with the default window). */
#define HIDDEN_FRACTION 8

typedef struct cost_slot {
    atomic_uintptr_t def;
    atomic_uint_fast64_t ns_per_item_x16;
} cost_slot;

struct pc_pool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv;   /* workers wait here for queued jobs (pool->mu) */
    pthread_cond_t done_cv;   /* pc_pool_next_completions waits here (pool->mu; CLOCK_MONOTONIC) */
    list_node live;           /* pool->mu */
    list_node queue;          /* pool->mu */
    list_node done;           /* pool->mu */
    uint64_t wake_generation; /* bumped by pc_pool_wake_completions: wakes current waiters (pool->mu) */
    int wake_pending;         /* a wake no returning caller has seen yet: the next call sees it (pool->mu) */
    int shutdown;             /* pool->mu */
    int callers;              /* threads of pc_job_run_and_wait inside their job's tasks (pool->mu) */
    int spinning;             /* workers spinning for work, not asleep (pool->mu) */
    int busy;                 /* workers inside a job's tasks (pool->mu) */
    int spin_when_free;       /* spin only while busy + spinning + callers < cpus (pool->mu) */
    int32_t cpus;             /* pc_cpu_count() at creation; immutable */
    atomic_int queued;        /* jobs in pool->queue (written under pool->mu; spinners poll it relaxed) */
    atomic_int_fast64_t spin_ns; /* idle spin window, 0 .. PC_POOL_MAX_SPIN_NS (relaxed) */
    atomic_int_fast64_t lazy_wake_ns; /* lazy wake window, 0 .. PC_POOL_MAX_LAZY_WAKE_NS (relaxed) */
    atomic_int_fast64_t last_caller_end_ns; /* when a caller last left its job (monotonic; relaxed) */
    cost_slot costs[COST_SLOTS]; /* what a task item of a kernel cost a caller lately (relaxed) */
    int32_t threads;          /* immutable once created */
    pthread_t* workers;       /* immutable once created; joined only by pc_pool_destroy */
};

/* ---- life cycle (pool->mu held) ----------------------------------------------------------------- */

/* Records that the job left CREATED and wakes pc_job_wait_started. Call with job->mu held. */
static void mark_started(pc_job* job) {
    job->started = 1;
    pthread_cond_broadcast(&job->cv);
}

/* Moves the job to FINISHED: publishes its outcome to waiters and posts its tag. No worker may be inside
   and the job must be out of the run queue. */
static void finish(pc_pool* pool, pc_job* job) {
    job->state = JOB_FINISHED;
    if (job->has_tag) {
        list_push_back(&pool->done, &job->done_node);
        pthread_cond_signal(&pool->done_cv);
    }
    uint64_t done = atomic_load_explicit(&job->done_items, memory_order_relaxed);
    pthread_mutex_lock(&job->mu);
    pc_status error = atomic_load_explicit(&job->error, memory_order_relaxed);
    job->result = error != PC_OK ? error : done == job->n ? PC_OK : PC_ERR_CANCELLED;
    atomic_store_explicit(&job->finished, 1, memory_order_release);
    mark_started(job); /* a finished job has left CREATED too (cancelled before it started, destroyed) */
    pthread_mutex_unlock(&job->mu);
}

/* Takes a QUEUED job off the run queue. */
static void dequeue(pc_pool* pool, pc_job* job) {
    list_remove(&job->queue_node);
    atomic_store_explicit(&pool->queued, atomic_load_explicit(&pool->queued, memory_order_relaxed) - 1,
                          memory_order_relaxed);
}

/* Cancels the job; finishes it here when no worker is inside (otherwise the last one out does). */
static void cancel_locked(pc_pool* pool, pc_job* job) {
    atomic_store_explicit(&job->cancel, 1, memory_order_relaxed);
    if (job->state == JOB_CREATED || (job->state == JOB_QUEUED && job->running == 0)) {
        if (job->state == JOB_QUEUED) dequeue(pool, job);
        finish(pool, job);
    }
}

/* ---- workers ------------------------------------------------------------------------------------ */

/* Tasks of `chunk` items over n items: the last may be shorter. */
static uint64_t task_count(uint64_t n, uint64_t chunk) {
    return n / chunk + (n % chunk != 0);
}

/* The end of tasks c .. c + k - 1 (those that exist) of `chunks` tasks of `chunk` over n items. c < chunks. */
static uint64_t tasks_end(uint64_t n, uint64_t chunk, uint64_t chunks, uint64_t c, uint64_t k) {
    return k >= chunks - c ? n : (c + k) * chunk; /* < n: no overflow */
}

/* Runs tasks c .. c + k - 1 of the job (those that exist) in one kernel call; returns their items, or 0
   once the thread must leave (cancelled or failed). c < job->chunks. */
static uint64_t run_tasks_from(pc_job* job, uint64_t c, uint64_t k) {
    uint64_t begin = c * job->chunk;
    uint64_t end = tasks_end(job->n, job->chunk, job->chunks, c, k);
    pc_status st = pc_run_status(job->def->run(&job->args, begin, end, &job->cancel), &job->cancel);
    if (st != PC_OK) {
        if (st != PC_ERR_CANCELLED) { /* a real failure: keep the first, stop the others */
            int expected = PC_OK;
            atomic_compare_exchange_strong(&job->error, &expected, (int)st);
            atomic_store_explicit(&job->cancel, 1, memory_order_relaxed);
        }
        return 0;
    }
    atomic_fetch_add_explicit(&job->done_items, end - begin, memory_order_relaxed);
    return end - begin;
}

/* Claims and runs the job's tasks until none is left or the job is cancelled (a worker's loop). */
static void run_tasks(pc_job* job) {
    for (;;) {
        if (atomic_load_explicit(&job->cancel, memory_order_relaxed)) return;
        uint64_t c = atomic_fetch_add_explicit(&job->next_chunk, 1, memory_order_relaxed);
        if (c >= job->chunks || run_tasks_from(job, c, 1) == 0) return;
    }
}

/* A thread (worker or caller) that was inside the job's tasks leaves it. It stopped because every task
   is claimed or the job is cancelled: either way no thread needs to pick the job up again. The last one
   out publishes the outcome. pool->mu held. */
static void leave_job(pc_pool* pool, pc_job* job) {
    job->running--;
    if (job->state == JOB_QUEUED) {
        dequeue(pool, job);
        job->state = JOB_RUNNING;
    }
    if (job->running == 0) finish(pool, job);
}

static int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Tells the core a spin-wait is under way (x86 PAUSE: saves power, yields to a hyper-thread sibling). */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Spins for at most spin_ns until *flag is non-zero (relaxed; the caller re-checks under a lock or with
   acquire); returns whether it saw it. */
static int spin_until_set(const atomic_int* flag, int64_t spin_ns) {
    if (spin_ns <= 0) return 0;
    if (atomic_load_explicit(flag, memory_order_relaxed)) return 1; /* no clock read when already set */
    int64_t deadline = monotonic_ns() + spin_ns;
    for (;;) {
        for (int k = 0; k < 16; k++) {
            if (atomic_load_explicit(flag, memory_order_relaxed)) return 1;
            cpu_relax();
        }
        if (monotonic_ns() >= deadline) return 0;
    }
}

static void* worker_main(void* arg) {
    pc_pool* pool = arg;
    int may_spin = 1; /* one spin window per idle period, then sleep */
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        if (!pool->shutdown && !list_linked(&pool->queue)) {
            int64_t spin_ns = atomic_load_explicit(&pool->spin_ns, memory_order_relaxed);
            /* With as many workers as cores, spin only on a core no other thread of the pool uses: a
               spinner beside busy workers and callers would take a core from one of them. */
            int core_free = !pool->spin_when_free || pool->busy + pool->spinning + pool->callers < pool->cpus;
            if (may_spin && spin_ns > 0 && core_free) {
                may_spin = 0;
                pool->spinning++; /* pc_job_start wakes fewer sleepers while this one looks */
                pthread_mutex_unlock(&pool->mu);
                spin_until_set(&pool->queued, spin_ns);
                pthread_mutex_lock(&pool->mu);
                pool->spinning--;
            } else {
                pthread_cond_wait(&pool->work_cv, &pool->mu);
            }
            continue; /* look again, under pool->mu */
        }
        if (!list_linked(&pool->queue)) break; /* shut down and nothing left to run */
        may_spin = 1;
        pc_job* job = JOB_OF(pool->queue.next, queue_node);
        job->running++;
        pool->busy++;
        pthread_mutex_unlock(&pool->mu);

        run_tasks(job);

        pthread_mutex_lock(&pool->mu);
        pool->busy--;
        leave_job(pool, job);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

static void wake_workers(pc_pool* pool, uint64_t wake) {
    for (uint64_t i = 0; i < wake; i++) pthread_cond_signal(&pool->work_cv);
}

/* ---- the caller of a synchronous job: lazy waking ------------------------------------------------ */

static cost_slot* cost_slot_of(pc_pool* pool, const pc_kernel_def* def) {
    uintptr_t key = (uintptr_t)def;
    return &pool->costs[((key >> 4) ^ (key >> 10)) % COST_SLOTS];
}

/* The nanoseconds per item (x16) a caller last measured for `def` on this pool, 0 if unknown. */
static uint64_t cost_of(pc_pool* pool, const pc_kernel_def* def) {
    cost_slot* slot = cost_slot_of(pool, def);
    if (atomic_load_explicit(&slot->def, memory_order_relaxed) != (uintptr_t)def) return 0;
    return atomic_load_explicit(&slot->ns_per_item_x16, memory_order_relaxed);
}

/* Records what a caller measured: a rise is taken at once (a job far larger than the last must not be
   judged small twice), a fall half at a time (a mix of large and small jobs keeps waking eager, so the
   large ones never wait for the window; a run of small ones gets there within a few dozen jobs). */
static void record_cost(pc_pool* pool, const pc_kernel_def* def, int64_t ns, uint64_t items) {
    if (items == 0 || ns <= 0) return;
    uint64_t measured = (uint64_t)ns >= UINT64_MAX / 16 / items ? UINT64_MAX / 2 : (uint64_t)ns * 16 / items;
    if (measured == 0) measured = 1; /* 0 means unknown */
    cost_slot* slot = cost_slot_of(pool, def);
    uint64_t old = atomic_load_explicit(&slot->def, memory_order_relaxed) == (uintptr_t)def
                       ? atomic_load_explicit(&slot->ns_per_item_x16, memory_order_relaxed)
                       : 0;
    uint64_t next = old == 0 || measured >= old ? measured : old - (old - measured) / 2;
    atomic_store_explicit(&slot->ns_per_item_x16, next, memory_order_relaxed);
    atomic_store_explicit(&slot->def, (uintptr_t)def, memory_order_relaxed);
}

/* A caller that started running `def`'s tasks at `start` has run `items` of them in `ns`: records their cost
   and when it left (the stream rule of pc_job_run_and_wait). */
static void caller_left(pc_pool* pool, const pc_kernel_def* def, int64_t start, int64_t ns, uint64_t items) {
    record_cost(pool, def, ns, items);
    atomic_store_explicit(&pool->last_caller_end_ns, start + ns, memory_order_relaxed);
}

/* Whether a job of n items of `def` is expected to take no longer than `window_ns` on one thread. */
static int expected_within(pc_pool* pool, const pc_kernel_def* def, uint64_t n, int64_t window_ns) {
    uint64_t cost = cost_of(pool, def);
    return cost != 0 && window_ns > 0 && n <= (uint64_t)window_ns * 16 / cost;
}

/* What a caller measured while it ran its job's tasks. */
typedef struct caller_stats {
    int64_t ns;
    uint64_t items;
    uint64_t tasks;
} caller_stats;

/* Puts a job its caller has been running alone (JOB_RUNNING, never queued: see pc_job_run_and_wait) on
   the run queue, so that workers may join it, and returns how many sleeping workers to wake. pool->mu held. */
static uint64_t publish_locked(pc_pool* pool, pc_job* job) {
    if (job->state != JOB_RUNNING) return 0;
    job->state = JOB_QUEUED;
    list_push_back(&pool->queue, &job->queue_node);
    atomic_store_explicit(&pool->queued, atomic_load_explicit(&pool->queued, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    uint64_t claimed = atomic_load_explicit(&job->next_chunk, memory_order_relaxed);
    uint64_t left = claimed < job->chunks ? job->chunks - claimed : 0;
    uint64_t limit = pool->threads > 1 ? (uint64_t)pool->threads - 1 : 0; /* the caller is one of the team */
    uint64_t spinning = (uint64_t)pool->spinning;
    uint64_t wake = left > spinning ? left - spinning : 0;
    return wake < limit ? wake : limit;
}

/* The caller's loop: run_tasks, timed. The kernel's recent cost said the caller alone would finish the job
   soon, so the workers were left alone: `deferred` sleeping workers were not woken (the job is queued, and
   busy or spinning workers may join), or, when `hidden`, the job is not even queued (expected to take a
   few microseconds: another thread joining costs more than it saves). A wake-up costs about as much as a
   job within the lazy wake window (~26 us on a VM, plus the waker's system call), and a worker that
   arrives late only stretches the job's tail. If the job is still running once the window (`window_ns`)
   has passed (the guess was wrong), the caller queues it if hidden and wakes workers then. It reads the
   clock after a task, at first after every one and then less often while tasks are short (at most once
   per microsecond or so of work), so a long first task delays the wake by that one task at most. */
static void caller_run(pc_pool* pool, pc_job* job, uint64_t deferred, int hidden, int64_t window_ns,
                       int64_t start, caller_stats* stats) {
    int64_t checked = start;
    uint64_t stride = 1, until_check = 1;
    int watching = deferred > 0 || hidden;
    /* While the job is hidden no other thread claims its tasks, so the caller claims them in batches that
       double (one kernel call each: a 16x16 matmul in eight calls of two rows cost a third more than in
       one), and one at a time once others may join. A batch is at most as long as all before it, so a
       wrong guess is found at most about one window late. */
    uint64_t batch = 1;
    int alone = hidden;
    for (;;) {
        if (atomic_load_explicit(&job->cancel, memory_order_relaxed)) break;
        uint64_t c = atomic_fetch_add_explicit(&job->next_chunk, batch, memory_order_relaxed);
        if (c >= job->chunks) break;
        uint64_t items = run_tasks_from(job, c, batch);
        if (items == 0) break;
        stats->items += items;
        stats->tasks += batch < job->chunks - c ? batch : job->chunks - c;
        if (alone && batch < job->chunks) batch *= 2;
        if (watching && --until_check == 0) {
            int64_t now = monotonic_ns();
            if (now - start >= window_ns) {
                watching = 0;
                alone = 0;
                batch = 1;
                if (atomic_load_explicit(&job->next_chunk, memory_order_relaxed) < job->chunks) {
                    if (hidden) {
                        pthread_mutex_lock(&pool->mu);
                        deferred = publish_locked(pool, job);
                        pthread_mutex_unlock(&pool->mu);
                    }
                    wake_workers(pool, deferred);
                }
            } else if (now - checked < 1000 && stride < 1024) {
                stride *= 2; /* tasks this short: look less often */
            }
            checked = now;
            until_check = stride;
        }
    }
    stats->ns = monotonic_ns() - start;
}

/* How long a caller that has left its job spins for the workers still inside before it sleeps: the pool's
   spin window, or, when that is off or the workers fill the cores, about two of the tasks it ran, within
   [1, 30] us: what is left is at most one task per worker inside, and a sleep costs a wake-up (~26 us). */
static int64_t caller_tail_spin_ns(int64_t spin_ns, const caller_stats* stats) {
    if (spin_ns > 0) return spin_ns;
    int64_t per_task = stats->tasks > 0 ? stats->ns / (int64_t)stats->tasks : 0;
    int64_t tail = 2 * per_task;
    return tail < 1000 ? 1000 : tail > PC_POOL_DEFAULT_SPIN_NS ? PC_POOL_DEFAULT_SPIN_NS : tail;
}

/* ---- pool --------------------------------------------------------------------------------------- */

static int cond_init_monotonic(pthread_cond_t* cv) {
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return -1;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

static void deadline_after(struct timespec* ts, int64_t timeout_ns) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    int64_t nsec = ts->tv_nsec + timeout_ns % 1000000000;
    ts->tv_sec += (time_t)(timeout_ns / 1000000000 + nsec / 1000000000);
    ts->tv_nsec = (long)(nsec % 1000000000);
}

/* One step of a wait with the library's timeout convention (timeout_ns < 0: no limit, 0: just look, else
   until `deadline`, from deadline_after): waits on cv (mu held) and returns 1 once the time is up. */
static int wait_step(pthread_cond_t* cv, pthread_mutex_t* mu, int64_t timeout_ns, const struct timespec* deadline) {
    if (timeout_ns < 0) {
        pthread_cond_wait(cv, mu);
        return 0;
    }
    if (timeout_ns == 0) return 1;
    return pthread_cond_timedwait(cv, mu, deadline) == ETIMEDOUT;
}

pc_status pc_pool_create(int32_t threads, pc_pool** out_pool) {
    if (out_pool == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_pool = NULL;
    if (threads < 0 || threads > PC_MAX_THREADS) return PC_ERR_INVALID_ARGUMENT;
    int32_t cpus = pc_cpu_count(); /* affinity and cgroup files: read once */
    if (threads == 0) threads = cpus;
    if (threads > PC_MAX_THREADS) threads = PC_MAX_THREADS;

    pc_pool* pool = calloc(1, sizeof *pool);
    if (pool == NULL) return PC_ERR_OUT_OF_MEMORY;
    pool->workers = calloc((size_t)threads, sizeof *pool->workers);
    if (pool->workers == NULL) {
        free(pool);
        return PC_ERR_OUT_OF_MEMORY;
    }
    list_init(&pool->live);
    list_init(&pool->queue);
    list_init(&pool->done);
    if (pthread_mutex_init(&pool->mu, NULL) != 0) goto fail_mutex;
    if (pthread_cond_init(&pool->work_cv, NULL) != 0) goto fail_work_cv;
    if (cond_init_monotonic(&pool->done_cv) != 0) goto fail_done_cv;
    atomic_init(&pool->queued, 0);
    /* Spinning pays only when an idle core can run the spinner: when the workers fill the cores, a worker
       spins only while the pool's busy workers, spinners and callers leave a core free. */
    atomic_init(&pool->spin_ns, PC_POOL_DEFAULT_SPIN_NS);
    pool->cpus = cpus;
    pool->spin_when_free = threads >= cpus;
    atomic_init(&pool->lazy_wake_ns, PC_POOL_DEFAULT_LAZY_WAKE_NS);
    atomic_init(&pool->last_caller_end_ns, INT64_MIN / 2);
    for (int i = 0; i < COST_SLOTS; i++) {
        atomic_init(&pool->costs[i].def, 0);
        atomic_init(&pool->costs[i].ns_per_item_x16, 0);
    }
    for (int32_t i = 0; i < threads; i++) {
        if (pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0) {
            pool->threads = i; /* join the ones that started */
            pc_pool_destroy(pool);
            return PC_ERR_THREAD;
        }
    }
    pool->threads = threads;
    *out_pool = pool;
    return PC_OK;

fail_done_cv:
    pthread_cond_destroy(&pool->work_cv);
fail_work_cv:
    pthread_mutex_destroy(&pool->mu);
fail_mutex:
    free(pool->workers);
    free(pool);
    return PC_ERR_THREAD;
}

pc_status pc_pool_thread_count(const pc_pool* pool, int32_t* out_threads) {
    if (pool == NULL || out_threads == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_threads = pool->threads;
    return PC_OK;
}

pc_status pc_pool_set_spin_ns(pc_pool* pool, int64_t spin_ns) {
    if (pool == NULL) return PC_ERR_NULL_ARGUMENT;
    if (spin_ns < 0 || spin_ns > PC_POOL_MAX_SPIN_NS) return PC_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&pool->mu);
    pool->spin_when_free = 0; /* an explicit window applies as set */
    atomic_store_explicit(&pool->spin_ns, spin_ns, memory_order_relaxed);
    pthread_mutex_unlock(&pool->mu);
    return PC_OK;
}

pc_status pc_pool_spin_ns(const pc_pool* pool, int64_t* out_spin_ns) {
    if (pool == NULL || out_spin_ns == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_spin_ns = atomic_load_explicit(&pool->spin_ns, memory_order_relaxed);
    return PC_OK;
}

pc_status pc_pool_set_lazy_wake_ns(pc_pool* pool, int64_t lazy_wake_ns) {
    if (pool == NULL) return PC_ERR_NULL_ARGUMENT;
    if (lazy_wake_ns < 0 || lazy_wake_ns > PC_POOL_MAX_LAZY_WAKE_NS) return PC_ERR_INVALID_ARGUMENT;
    atomic_store_explicit(&pool->lazy_wake_ns, lazy_wake_ns, memory_order_relaxed);
    return PC_OK;
}

pc_status pc_pool_lazy_wake_ns(const pc_pool* pool, int64_t* out_lazy_wake_ns) {
    if (pool == NULL || out_lazy_wake_ns == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_lazy_wake_ns = atomic_load_explicit(&pool->lazy_wake_ns, memory_order_relaxed);
    return PC_OK;
}

pc_status pc_pool_destroy(pc_pool* pool) {
    if (pool == NULL) return PC_ERR_NULL_ARGUMENT;
    pthread_mutex_lock(&pool->mu);
    pool->shutdown = 1;
    /* Every live job, not only the queued ones: a RUNNING job is out of the queue but has workers
       inside, and a CREATED one is on no queue at all. */
    for (list_node* node = pool->live.next; node != &pool->live; node = node->next) {
        pc_job* job = JOB_OF(node, live_node);
        if (job->state != JOB_FINISHED) cancel_locked(pool, job);
    }
    pthread_cond_broadcast(&pool->work_cv);
    /* A caller of pc_job_run_and_wait inside its (now cancelled) job's tasks still touches pool->mu
       when it leaves: wait for it. It stops at its task's next cancel check, then broadcasts work_cv. */
    while (pool->callers > 0) pthread_cond_wait(&pool->work_cv, &pool->mu);
    pthread_mutex_unlock(&pool->mu);

    for (int32_t i = 0; i < pool->threads; i++) pthread_join(pool->workers[i], NULL);

    /* The workers are gone and every job they were inside has finished. Detach the jobs not yet freed:
       their tags die with the completion queue, and pc_job_* on them no longer touches the pool. */
    pthread_mutex_lock(&pool->mu);
    while (list_linked(&pool->done)) list_remove(pool->done.next);
    while (list_linked(&pool->live)) {
        pc_job* job = JOB_OF(pool->live.next, live_node);
        list_remove(&job->live_node);
        job->pool = NULL;
    }
    pthread_mutex_unlock(&pool->mu);

    pthread_cond_destroy(&pool->done_cv);
    pthread_cond_destroy(&pool->work_cv);
    pthread_mutex_destroy(&pool->mu);
    free(pool->workers);
    free(pool);
    return PC_OK;
}

/* ---- completion queue --------------------------------------------------------------------------- */

pc_status pc_job_set_completion_tag(pc_job* job, uint64_t tag) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    pc_pool* pool = job->pool;
    if (pool == NULL) return PC_ERR_INVALID_ARGUMENT; /* detached: finished long ago */
    pthread_mutex_lock(&pool->mu);
    pc_status st = PC_ERR_INVALID_ARGUMENT;
    if (job->state == JOB_CREATED && !job->has_tag) {
        job->has_tag = 1;
        job->tag = tag;
        st = PC_OK;
    }
    pthread_mutex_unlock(&pool->mu);
    return st;
}

pc_status pc_pool_next_completions(pc_pool* pool, int64_t timeout_ns, uint64_t* tags, int32_t capacity,
                                   int32_t* out_count) {
    if (pool == NULL || tags == NULL || out_count == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_count = 0;
    if (capacity < 1) return PC_ERR_INVALID_ARGUMENT;
    struct timespec deadline;
    if (timeout_ns > 0) deadline_after(&deadline, timeout_ns);

    pthread_mutex_lock(&pool->mu);
    uint64_t generation = pool->wake_generation;
    int woken = pool->wake_pending; /* woken before this call began waiting: a stop flag set before the
                                       wake must not be missed by a thread that had not reached us yet */
    int timed_out = 0;
    while (!list_linked(&pool->done) && !woken && !timed_out) {
        timed_out = wait_step(&pool->done_cv, &pool->mu, timeout_ns, &deadline);
        woken = pool->wake_generation != generation;
    }
    if (woken || pool->wake_generation != generation) {
        woken = 1;
        pool->wake_pending = 0; /* delivered */
    }
    int32_t count = 0;
    while (count < capacity && list_linked(&pool->done)) {
        pc_job* job = JOB_OF(pool->done.next, done_node);
        list_remove(&job->done_node);
        tags[count++] = job->tag;
    }
    pthread_mutex_unlock(&pool->mu);

    *out_count = count;
    return count > 0 || woken ? PC_OK : PC_ERR_TIMEOUT;
}

pc_status pc_pool_wake_completions(pc_pool* pool) {
    if (pool == NULL) return PC_ERR_NULL_ARGUMENT;
    pthread_mutex_lock(&pool->mu);
    pool->wake_generation++;
    pool->wake_pending = 1;
    pthread_cond_broadcast(&pool->done_cv);
    pthread_mutex_unlock(&pool->mu);
    return PC_OK;
}

/* ---- jobs --------------------------------------------------------------------------------------- */

pc_status pc_job_create(pc_pool* pool, int32_t kernel, const pc_args* args, uint64_t n, uint64_t chunk,
                        pc_job** out_job, uint64_t* bad_index) {
    if (pool == NULL || out_job == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_job = NULL;
    const pc_kernel_def* def = pc_kernel_lookup(kernel);
    if (def == NULL) return PC_ERR_UNKNOWN_KERNEL;
    return pc_job_create_def(pool, def, args, n, chunk, out_job, bad_index);
}

/* Validates a job's call and settles its task size: 0 means the kernel's granularity, and tasks must cover
   whole blocks; at most n. */
static pc_status job_shape(const pc_kernel_def* def, const pc_args* args, uint64_t n, uint64_t* chunk,
                           uint64_t* bad_index) {
    pc_status st = pc_validate_call(def, args, n, bad_index);
    if (st != PC_OK) return st;
    uint64_t granularity = pc_granularity(def, args);
    if (*chunk == 0) *chunk = granularity;
    if (*chunk % granularity != 0) return PC_ERR_INVALID_ARGUMENT;
    if (n > 0 && *chunk > n) *chunk = n;
    return PC_OK;
}

/* A new CREATED job of a validated call (job_shape). */
static pc_status job_new(pc_pool* pool, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                         uint64_t chunk, pc_job** out_job) {
    pc_job* job = calloc(1, sizeof *job);
    if (job == NULL) return PC_ERR_OUT_OF_MEMORY;
    if (cond_init_monotonic(&job->cv) != 0) {
        free(job);
        return PC_ERR_THREAD;
    }
    if (pthread_mutex_init(&job->mu, NULL) != 0) {
        pthread_cond_destroy(&job->cv);
        free(job);
        return PC_ERR_THREAD;
    }
    list_init(&job->live_node);
    list_init(&job->queue_node);
    list_init(&job->done_node);
    job->state = JOB_CREATED;
    job->def = def;
    job->args = *args;
    job->n = n;
    job->chunk = chunk;
    job->chunks = task_count(n, chunk);
    atomic_init(&job->next_chunk, 0);
    atomic_init(&job->done_items, 0);
    atomic_init(&job->cancel, 0);
    atomic_init(&job->error, PC_OK);
    atomic_init(&job->finished, 0);

    pthread_mutex_lock(&pool->mu);
    job->pool = pool;
    list_push_back(&pool->live, &job->live_node);
    pthread_mutex_unlock(&pool->mu);
    *out_job = job;
    return PC_OK;
}

pc_status pc_job_create_def(pc_pool* pool, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                            uint64_t chunk, pc_job** out_job, uint64_t* bad_index) {
    if (pool == NULL || out_job == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_job = NULL;
    pc_status st = job_shape(def, args, n, &chunk, bad_index);
    return st != PC_OK ? st : job_new(pool, def, args, n, chunk, out_job);
}

/* pc_job_start with pool->mu held. `helpers` threads besides the workers will run the job's tasks (1 for
   the caller of pc_job_run_and_wait, else 0). Returns how many sleeping workers to wake (wake_workers).
   pc_job_run_and_wait signals after it released pool->mu (a woken worker then does not block on it at
   once; a worker that looked at the queue before it was pushed is waiting on work_cv or spinning by then,
   so no wake-up is lost); it may, because pool->callers keeps pc_pool_destroy from freeing the pool. */
static uint64_t start_locked(pc_pool* pool, pc_job* job, uint64_t helpers) {
    if (job->state != JOB_CREATED) return 0;
    if (job->n == 0) {
        finish(pool, job);
        return 0;
    }
    job->state = JOB_QUEUED;
    list_push_back(&pool->queue, &job->queue_node);
    atomic_store_explicit(&pool->queued, atomic_load_explicit(&pool->queued, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    pthread_mutex_lock(&job->mu);
    mark_started(job);
    pthread_mutex_unlock(&job->mu);
    /* Wake only as many idle workers as the job has tasks no one else takes: not for the caller's, nor
       for those spinning workers will see (a spinner takes pool->mu and looks at the queue before it
       sleeps, so none is missed); busy ones look at the queue anyway. */
    uint64_t others = helpers + (uint64_t)pool->spinning;
    uint64_t wake = job->chunks > others ? job->chunks - others : 0;
    /* A helping caller takes a worker's place, as OpenMP's master thread is one of its team: a pool of N
       runs a synchronous job on N threads, not N + 1 on N cores (memory-bound kernels lose to the
       preempted thread's chunk then). Workers that are busy or spinning may still join it. */
    uint64_t limit = (uint64_t)pool->threads > helpers ? (uint64_t)pool->threads - helpers : 0;
    return wake < limit ? wake : limit;
}

pc_status pc_job_start(pc_job* job) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    /* Finished (cancelled before start, or its pool destroyed): nothing to do, and the pool may be gone. */
    if (atomic_load_explicit(&job->finished, memory_order_acquire)) return PC_OK;
    pc_pool* pool = job->pool;
    if (pool == NULL) return PC_OK;
    pthread_mutex_lock(&pool->mu);
    /* Wakes under pool->mu: once it is released the job may finish and its pool be destroyed by a thread
       that waited for it, so this call touches the pool no more. */
    wake_workers(pool, start_locked(pool, job, 0));
    pthread_mutex_unlock(&pool->mu);
    return PC_OK;
}

pc_status pc_job_submit(pc_pool* pool, int32_t kernel, const pc_args* args, uint64_t n, uint64_t chunk,
                        pc_job** out_job, uint64_t* bad_index) {
    pc_status st = pc_job_create(pool, kernel, args, n, chunk, out_job, bad_index);
    return st == PC_OK ? pc_job_start(*out_job) : st;
}

pc_status pc_job_wait(pc_job* job, int64_t timeout_ns) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    struct timespec deadline;
    if (timeout_ns > 0) deadline_after(&deadline, timeout_ns);
    pthread_mutex_lock(&job->mu);
    int timed_out = 0;
    while (!atomic_load_explicit(&job->finished, memory_order_relaxed) && !timed_out) {
        timed_out = wait_step(&job->cv, &job->mu, timeout_ns, &deadline);
    }
    pc_status st = atomic_load_explicit(&job->finished, memory_order_relaxed) ? job->result : PC_ERR_TIMEOUT;
    pthread_mutex_unlock(&job->mu);
    return st;
}

pc_status pc_job_wait_started(pc_job* job, int64_t timeout_ns) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    struct timespec deadline;
    if (timeout_ns > 0) deadline_after(&deadline, timeout_ns);
    pthread_mutex_lock(&job->mu);
    int timed_out = 0;
    while (!job->started && !timed_out) {
        timed_out = wait_step(&job->cv, &job->mu, timeout_ns, &deadline);
    }
    pc_status st = job->started ? PC_OK : PC_ERR_TIMEOUT;
    pthread_mutex_unlock(&job->mu);
    return st;
}

pc_status pc_job_start_and_wait(pc_job* job, const void* keep0, const void* keep1, const void* keep2,
                                const void* keep3, const void* keep4, const void* keep5) {
    (void)keep0, (void)keep1, (void)keep2, (void)keep3, (void)keep4, (void)keep5;
    pc_status st = pc_job_start(job);
    return st == PC_OK ? pc_job_wait(job, -1) : st;
}

pc_status pc_job_run_and_wait(pc_job* job, const void* keep0, const void* keep1, const void* keep2,
                              const void* keep3, const void* keep4, const void* keep5) {
    (void)keep0, (void)keep1, (void)keep2, (void)keep3, (void)keep4, (void)keep5;
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    /* Finished (cancelled before start, or its pool destroyed): the pool may be gone. */
    if (atomic_load_explicit(&job->finished, memory_order_acquire)) return pc_job_wait(job, -1);
    pc_pool* pool = job->pool;
    if (pool == NULL) return pc_job_wait(job, -1);
    pthread_mutex_lock(&pool->mu);
    int was_created = job->state == JOB_CREATED;
    int64_t window_ns = atomic_load_explicit(&pool->lazy_wake_ns, memory_order_relaxed);
    /* A job expected to take less than an eighth of the window (a few us) is not even queued: another
       thread joining it (the cache lines of its data and outputs, its tail) costs more than it saves. */
    int hidden = was_created && job->n > 0 && !pool->shutdown &&
                 expected_within(pool, job->def, job->n, window_ns / HIDDEN_FRACTION);
    uint64_t wake = 0;
    if (hidden) {
        job->state = JOB_RUNNING; /* never queued: no worker sees it until publish_locked */
        pthread_mutex_lock(&job->mu);
        mark_started(job);
        pthread_mutex_unlock(&job->mu);
    } else {
        wake = start_locked(pool, job, 1);
    }
    /* Only the call that started the job helps, and only while the job is queued (tasks unclaimed) or
       hidden: this thread then runs tasks of this job and of no other, as a worker would, and leaves it as
       they do. */
    int help = hidden || (was_created && job->state == JOB_QUEUED && !pool->shutdown);
    if (help) {
        job->running++;
        pool->callers++;
    }
    int64_t worker_spin_ns = atomic_load_explicit(&pool->spin_ns, memory_order_relaxed);
    /* The tail spin: the pool's window, or when the workers fill the cores, about two tasks' time */
    int64_t spin_ns = pool->spin_when_free ? 0 : worker_spin_ns;
    uint64_t deferred = 0;
    int64_t start = monotonic_ns();
    /* Synchronous jobs arriving within a spin window of each other: a worker woken now is still spinning
       at the next one and joins it at once, so a stream of short jobs runs on the whole team after its
       first job. Only a job after a quiet spell is left to its caller (the workers are asleep then). */
    int stream = worker_spin_ns > 0 &&
                 start - atomic_load_explicit(&pool->last_caller_end_ns, memory_order_relaxed) < worker_spin_ns;
    if (help && wake > 0 && !stream && expected_within(pool, job->def, job->n, window_ns)) {
        deferred = wake; /* caller_run wakes them if the job outlasts the window */
        wake = 0;
    }
    pthread_mutex_unlock(&pool->mu);
    wake_workers(pool, wake); /* wake > 0 only when help: pool->callers > 0 keeps the pool alive */
    if (help) {
        caller_stats stats = {0, 0, 0};
        caller_run(pool, job, deferred, hidden, window_ns, start, &stats);
        caller_left(pool, job->def, start, stats.ns, stats.items);
        pthread_mutex_lock(&pool->mu);
        leave_job(pool, job);
        pool->callers--;
        if (pool->shutdown) pthread_cond_broadcast(&pool->work_cv); /* pc_pool_destroy waits for callers */
        pthread_mutex_unlock(&pool->mu);
        /* Workers may still be inside: a short spin catches their end without a sleep and a wake-up. */
        spin_until_set(&job->finished, caller_tail_spin_ns(spin_ns, &stats));
    }
    return pc_job_wait(job, -1);
}

/* The hidden case of pc_pool_run_def_buffers without a job: a call its kernel's recent cost says will take
   a few microseconds runs on its caller alone, with no job to create, queue and free. It runs the first
   task and reads the clock: if that pace puts the whole call within a quarter of the window (the guess
   holds), the rest runs in one kernel call; else in doubling batches, as a hidden job's (caller_run), with
   the clock read after each. Once the lazy wake window has passed with tasks left (a wrong guess), it
   stops and leaves them to a job. A 16x16 matmul took 1.07-1.14 us through pc_run_def, 190-230 ns more as
   a hidden job, 160-180 ns more without a job in doubling batches (5 kernel calls, 7 clock reads), and
   80-105 ns more as here (2 calls, 3 reads; min of 400 x 1000 calls each, 2-core Zen 5 VM). Only tasks
   much dearer than the first escape the check: at most the rest of one call goes without the workers.
   It takes no lock, so it is not counted in pool->callers: a worker choosing whether to spin beside the
   other threads of the pool does not see it (a spin lasts one spin window at most, after a job).
   Sets *out_done to the tasks it ran; returns a task's failure, as a job would. */
static pc_status run_without_job(pc_pool* pool, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                                 uint64_t chunk, int64_t window_ns, uint64_t* out_done) {
    uint64_t chunks = task_count(n, chunk);
    int64_t start = monotonic_ns();
    uint64_t c = 0, batch = 1;
    int watching = 1;
    while (c < chunks) {
        uint64_t end = tasks_end(n, chunk, chunks, c, batch);
        pc_status st = pc_run_status(def->run(args, c * chunk, end, NULL), NULL);
        if (st != PC_OK) return st;
        c = batch < chunks - c ? c + batch : chunks;
        batch *= 2;
        if (c == chunks || !watching) continue;
        int64_t elapsed = monotonic_ns() - start;
        if (elapsed >= window_ns) break;
        if (c == 1 && (uint64_t)elapsed <= (uint64_t)(window_ns / 4) / chunks) { /* chunks >= 2 here */
            batch = chunks;
            watching = 0;
        }
    }
    caller_left(pool, def, start, monotonic_ns() - start, c == chunks ? n : c * chunk);
    *out_done = c;
    return PC_OK;
}

pc_status pc_pool_run_def_buffers(pc_pool* pool, const pc_kernel_def* def, const pc_args* args, uint64_t n,
                                  uint64_t chunk, uint64_t* bad_index, const void* in0, const void* in1,
                                  const void* in2, const void* in3, void* out0, void* out1) {
    if (pool == NULL || args == NULL) return PC_ERR_NULL_ARGUMENT;
    pc_args direct = pc_args_with_buffers(args, in0, in1, in2, in3, out0, out1);
    pc_status st = job_shape(def, &direct, n, &chunk, bad_index);
    if (st != PC_OK) return st;
    if (n == 0) return PC_OK;
    uint64_t done = 0; /* tasks run without a job */
    int64_t window_ns = atomic_load_explicit(&pool->lazy_wake_ns, memory_order_relaxed);
    if (expected_within(pool, def, n, window_ns / HIDDEN_FRACTION)) {
        st = run_without_job(pool, def, &direct, n, chunk, window_ns, &done);
        if (st != PC_OK || done * chunk >= n) return st;
    }
    pc_job* job;
    st = job_new(pool, def, &direct, n, chunk, &job);
    if (st != PC_OK) return st;
    /* its first `done` tasks ran: claimed, and their items count as done (finish() checks done == n) */
    atomic_store_explicit(&job->next_chunk, done, memory_order_relaxed);
    atomic_store_explicit(&job->done_items, done * chunk, memory_order_relaxed);
    /* The job was created here, so this call starts it and helps (pc_job_run_and_wait): this thread claims
       every task no worker has, and then waits only for the tasks workers are inside. It returns once the
       job has finished, i.e. once the last thread inside left it under pool->mu, which pc_job_free takes:
       no worker touches the caller's buffers after this returns. */
    st = pc_job_run_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL);
    pc_status freed = pc_job_free(job);
    return st != PC_OK ? st : freed;
}

pc_status pc_job_cancel(pc_job* job) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    /* A finished job may belong to a destroyed pool: do not touch the pool then. */
    if (atomic_load_explicit(&job->finished, memory_order_acquire)) return PC_OK;
    pc_pool* pool = job->pool;
    if (pool == NULL) return PC_OK;
    pthread_mutex_lock(&pool->mu);
    if (job->state != JOB_FINISHED) cancel_locked(pool, job);
    pthread_mutex_unlock(&pool->mu);
    return PC_OK;
}

pc_status pc_job_progress(const pc_job* job, uint64_t* out_done, uint64_t* out_total) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    if (out_done != NULL) *out_done = atomic_load_explicit(&job->done_items, memory_order_relaxed);
    if (out_total != NULL) *out_total = job->n;
    return PC_OK;
}

pc_status pc_job_free(pc_job* job) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    pc_pool* pool = job->pool;
    if (pool != NULL) {
        pthread_mutex_lock(&pool->mu);
        if (job->state != JOB_FINISHED) {
            pthread_mutex_unlock(&pool->mu);
            return PC_ERR_BUSY;
        }
        list_remove(&job->live_node);
        if (list_linked(&job->done_node)) list_remove(&job->done_node); /* its tag is dropped, not drained */
        pthread_mutex_unlock(&pool->mu);
    }
    /* Detached, or finished and unlinked: no worker, pool or waiter list refers to the job any more. */
    pthread_cond_destroy(&job->cv);
    pthread_mutex_destroy(&job->mu);
    free(job);
    return PC_OK;
}
