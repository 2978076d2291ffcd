/*
 * fuzz_jobs: sequences of pool and job operations run from 2-3 threads at once.
 *
 * The input decodes into a list of operations (create/destroy pool, create/submit job, start,
 * start_and_wait, cancel, wait with timeouts, wait until started, progress, free, and the completion
 * queue: set a tag, drain tags, wake), each assigned to one of the threads. The harness only keeps the
 * calls apart that pcompute.h says must not race (pool destroy vs. calls naming the pool or its jobs,
 * except wait and progress; free vs. any call on the same job), with one rwlock per pool slot and per
 * job slot.
 *
 * Checks: every job that finishes PC_OK has outputs bit-identical to the one-call pc_run on the same
 * args; a job ends PC_ERR_CANCELLED only after a cancel or its pool's destroy; progress never exceeds n;
 * a delivered completion tag belongs to a finished job and arrives once; when the threads are done,
 * every remaining tagged job of a live pool has delivered its tag, and after every pool is destroyed
 * every job finishes and frees with PC_OK (no job left busy or leaked).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "fuzz_common.h"

#define POOLS 2
#define JOBS 6
#define MAX_OPS 40
#define MAX_THREADS 3
#define MAX_POOL_INSTANCES (MAX_OPS + 1)

enum op_kind {
    OP_POOL_CREATE,
    OP_POOL_DESTROY,
    OP_JOB_CREATE,
    OP_JOB_START,
    OP_JOB_CANCEL,
    OP_JOB_WAIT,
    OP_JOB_PROGRESS,
    OP_JOB_FREE,
    OP_SET_TAG,
    OP_NEXT_COMPLETIONS,
    OP_WAKE,
    OP_KINDS
};

typedef struct op {
    int kind;
    int pool;       /* pool slot */
    int job;        /* job slot */
    uint8_t arg;    /* op-specific */
    uint64_t chunk; /* OP_JOB_CREATE */
    fuzz_call call; /* OP_JOB_CREATE: the kernel call; owned by the op until a job takes its buffers */
    int has_call;
} op;

typedef struct pool_slot {
    pthread_rwlock_t lock; /* write: create/destroy; read: calls naming the pool or its jobs */
    pc_pool* pool;
    int instance;
} pool_slot;

typedef struct job_slot {
    pthread_rwlock_t lock; /* write: create into the slot, free; read: every other call on the job */
    pc_job* job;
    fuzz_call call; /* the job's buffers */
    uint64_t chunk;
    int pool_slot;
    int pool_instance;
    uint64_t generation;
    atomic_int started;   /* pc_job_start (or start_and_wait) returned or is running */
    atomic_int cancelled; /* pc_job_cancel was called (set before the call) */
    atomic_int tagged;    /* a tag is set, or being set (then set before the call, so a drain racing with
                             the job's end never sees its tag as unknown) */
    pthread_mutex_t tag_mu; /* one pc_job_set_completion_tag call on the job at a time */
    atomic_int delivered; /* times its tag came out of the completion queue */
} job_slot;

static pool_slot pools[POOLS];
static job_slot jobs[JOBS];
static atomic_int pool_dead[MAX_POOL_INSTANCES]; /* set before pc_pool_destroy of that instance */
static int pool_instances;
static pthread_mutex_t instance_mu = PTHREAD_MUTEX_INITIALIZER;

#ifdef FUZZ_HAVE_COMPLETIONS
static uint64_t make_tag(int slot, uint64_t generation) {
    return generation << 8 | (uint64_t)slot;
}
#endif

/* Runs the job's call through pc_run into fresh outputs and compares them with the job's outputs. */
static void check_against_pc_run(const job_slot* s) {
    pc_args args = s->call.args;
    void* fresh[PC_MAX_OUTPUTS] = {0};
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) {
        if (s->call.args.out[i] == NULL) continue;
        fresh[i] = fuzz_alloc(s->call.out_bytes[i]);
        memset(fresh[i], 0x3C, s->call.out_bytes[i]);
        args.out[i] = fresh[i];
    }
    pc_status st = pc_run(s->call.kernel, &args, s->call.n, NULL);
    FUZZ_CHECK(st == PC_OK, "job finished PC_OK but pc_run on its args returned %d (kernel %d)", (int)st,
               s->call.kernel);
    for (int i = 0; i < PC_MAX_OUTPUTS; i++) {
        if (fresh[i] == NULL) continue;
        /* Only the contract's part of the buffer is written; compare that (the buffer is exactly it). */
        FUZZ_CHECK(memcmp(fresh[i], s->call.args.out[i], s->call.out_bytes[i]) == 0,
                   "kernel %d n %llu chunk %llu: pool output %d differs from pc_run", s->call.kernel,
                   (unsigned long long)s->call.n, (unsigned long long)s->chunk, i);
        free(fresh[i]);
    }
}

/* What a finished job's status may be, given what was done to it. Job read lock held. */
static void check_outcome(job_slot* s, pc_status st) {
    FUZZ_CHECK(st == PC_OK || st == PC_ERR_CANCELLED || st == PC_ERR_TIMEOUT || st == PC_ERR_OUT_OF_MEMORY,
               "pc_job_wait: %d", (int)st);
    if (st == PC_OK) check_against_pc_run(s);
    if (st == PC_ERR_CANCELLED) {
        FUZZ_CHECK(atomic_load(&s->cancelled) || atomic_load(&pool_dead[s->pool_instance]),
                   "job (kernel %d) cancelled though nobody cancelled it or destroyed its pool", s->call.kernel);
    }
}

static int64_t timeout_of(uint8_t arg, int started) {
    switch (arg % 4u) {
    case 0: return 0;
    case 1: return 1000000;  /* 1 ms */
    case 2: return 20000000; /* 20 ms */
    default: return started ? -1 : 5000000;
    }
}

#ifdef FUZZ_HAVE_COMPLETIONS
/* Takes up to 4 tags from the pool (pool read lock held), then checks them with the lock released. */
static void drain(pool_slot* p, uint8_t arg) {
    uint64_t tags[4];
    int32_t capacity = (int32_t)(arg % 5u); /* 0 must be refused */
    int32_t count = -1;
    pc_status st = pc_pool_next_completions(p->pool, (arg & 0x10u) ? 1000000 : 0, tags, capacity, &count);
    if (capacity < 1) {
        FUZZ_CHECK(st == PC_ERR_INVALID_ARGUMENT && count == 0, "capacity 0: %d count %d", (int)st, (int)count);
        return;
    }
    FUZZ_CHECK(st == PC_OK || st == PC_ERR_TIMEOUT, "pc_pool_next_completions: %d", (int)st);
    FUZZ_CHECK(count >= 0 && count <= capacity, "count %d of capacity %d", (int)count, (int)capacity);
    if (st == PC_ERR_TIMEOUT) FUZZ_CHECK(count == 0, "timeout with %d tags", (int)count);
    pthread_rwlock_unlock(&p->lock); /* lock order: job slot before pool slot */
    for (int32_t i = 0; i < count; i++) {
        int slot = (int)(tags[i] & 0xffu);
        FUZZ_CHECK(slot < JOBS, "tag %llx names no job slot", (unsigned long long)tags[i]);
        job_slot* s = &jobs[slot];
        /* The tag's job may have been freed in the meantime (its slot then has another generation). */
        pthread_rwlock_rdlock(&s->lock);
        if (s->job != NULL && s->generation == tags[i] >> 8) {
            FUZZ_CHECK(atomic_load(&s->tagged), "tag %llx delivered for an untagged job", (unsigned long long)tags[i]);
            FUZZ_CHECK(atomic_fetch_add(&s->delivered, 1) == 0, "tag %llx delivered twice", (unsigned long long)tags[i]);
            pc_status w = pc_job_wait(s->job, 0);
            FUZZ_CHECK(w != PC_ERR_TIMEOUT, "tag %llx delivered before its job finished", (unsigned long long)tags[i]);
            check_outcome(s, w);
        }
        pthread_rwlock_unlock(&s->lock);
    }
    pthread_rwlock_rdlock(&p->lock);
}
#endif

static void run_op(op* o) {
    pool_slot* p = &pools[o->pool];
    job_slot* s = &jobs[o->job];
    switch (o->kind) {
    case OP_POOL_CREATE: {
        pthread_rwlock_wrlock(&p->lock);
        if (p->pool == NULL) {
            static const int32_t counts[] = {1, 2, 3, 1, 2, 0, -1, PC_MAX_THREADS + 1};
            int32_t threads = counts[o->arg % 8u];
            if (threads == 0 && pc_cpu_count() > 4) threads = 2; /* keep pools small on big machines */
            pc_pool* pool = NULL;
            pc_status st = pc_pool_create(threads, &pool);
            if (threads < 0 || threads > PC_MAX_THREADS) {
                FUZZ_CHECK(st == PC_ERR_INVALID_ARGUMENT, "pc_pool_create(%d): %d", (int)threads, (int)st);
            } else {
                FUZZ_CHECK(st == PC_OK && pool != NULL, "pc_pool_create(%d): %d", (int)threads, (int)st);
                int32_t have = -1;
                FUZZ_CHECK(pc_pool_thread_count(pool, &have) == PC_OK && have >= 1, "thread count %d", (int)have);
                pthread_mutex_lock(&instance_mu);
                p->instance = pool_instances++;
                pthread_mutex_unlock(&instance_mu);
                p->pool = pool;
            }
        }
        pthread_rwlock_unlock(&p->lock);
        break;
    }
    case OP_POOL_DESTROY:
        pthread_rwlock_wrlock(&p->lock);
        if (p->pool != NULL) {
            atomic_store(&pool_dead[p->instance], 1);
            FUZZ_CHECK(pc_pool_destroy(p->pool) == PC_OK, "pc_pool_destroy");
            p->pool = NULL;
        }
        pthread_rwlock_unlock(&p->lock);
        break;
    case OP_JOB_CREATE:
        pthread_rwlock_wrlock(&s->lock);
        pthread_rwlock_rdlock(&p->lock);
        if (s->job == NULL && p->pool != NULL) {
            pc_job* job = NULL;
            uint64_t bad = UINT64_MAX;
            int submit = o->arg & 1u;
            pc_status st = submit ? pc_job_submit(p->pool, o->call.kernel, &o->call.args, o->call.n, o->chunk, &job, &bad)
                                  : pc_job_create(p->pool, o->call.kernel, &o->call.args, o->call.n, o->chunk, &job, &bad);
            FUZZ_CHECK(fuzz_known_status(st) && st != PC_ERR_TIMEOUT && st != PC_ERR_BUSY && st != PC_ERR_CANCELLED,
                       "pc_job_create: %d", (int)st);
            fuzz_check_short(&o->call, st, &bad);
            if (o->call.must_fail) {
                FUZZ_CHECK(st != PC_OK, "pc_job_create accepted a call the contract rules out: kernel %d n %llu "
                           "iparam %lld %lld", o->call.kernel, (unsigned long long)o->call.n,
                           (long long)o->call.args.iparam[0], (long long)o->call.args.iparam[1]);
            }
            if (st == PC_OK) {
                FUZZ_CHECK(job != NULL, "PC_OK without a job");
                s->job = job;
                s->call = o->call; /* the job borrows these buffers until it is freed */
                memset(&o->call, 0, sizeof o->call);
                o->has_call = 0;
                s->chunk = o->chunk;
                s->pool_slot = o->pool;
                s->pool_instance = p->instance;
                s->generation++;
                atomic_store(&s->started, submit);
                atomic_store(&s->cancelled, 0);
                atomic_store(&s->tagged, 0);
                atomic_store(&s->delivered, 0);
#ifdef FUZZ_HAVE_COMPLETIONS
                if (!submit && (o->arg & 2u)) {
                    FUZZ_CHECK(pc_job_set_completion_tag(job, make_tag(o->job, s->generation)) == PC_OK,
                               "tag on a created job");
                    atomic_store(&s->tagged, 1);
                }
#endif
            } else {
                FUZZ_CHECK(job == NULL || st != PC_OK, "job on failure");
            }
        }
        pthread_rwlock_unlock(&p->lock);
        pthread_rwlock_unlock(&s->lock);
        break;
    case OP_JOB_START:
    case OP_JOB_CANCEL:
    case OP_SET_TAG: {
        pthread_rwlock_rdlock(&s->lock);
        if (s->job != NULL) {
            pool_slot* jp = &pools[s->pool_slot];
            pthread_rwlock_rdlock(&jp->lock);
            if (o->kind == OP_JOB_START) {
                atomic_store(&s->started, 1);
                if (o->arg & 1u) {
                    pc_status st = pc_job_start_and_wait(s->job, s->call.in[0], s->call.out[0], NULL, NULL, NULL, NULL);
                    FUZZ_CHECK(st != PC_ERR_TIMEOUT, "start_and_wait timed out");
                    check_outcome(s, st);
                } else {
                    FUZZ_CHECK(pc_job_start(s->job) == PC_OK, "pc_job_start");
                }
            } else if (o->kind == OP_JOB_CANCEL) {
                atomic_store(&s->cancelled, 1);
                FUZZ_CHECK(pc_job_cancel(s->job) == PC_OK, "pc_job_cancel");
            } else {
#ifdef FUZZ_HAVE_COMPLETIONS
                /* Racing with a start or cancel on another thread, either outcome is allowed. */
                pthread_mutex_lock(&s->tag_mu);
                int had = atomic_exchange(&s->tagged, 1);
                pc_status st = pc_job_set_completion_tag(s->job, make_tag(o->job, s->generation));
                FUZZ_CHECK(st == PC_OK || st == PC_ERR_INVALID_ARGUMENT, "pc_job_set_completion_tag: %d", (int)st);
                if (st == PC_OK) FUZZ_CHECK(!had, "a second tag was accepted");
                if (st != PC_OK && !had) atomic_store(&s->tagged, 0);
                pthread_mutex_unlock(&s->tag_mu);
#endif
            }
            pthread_rwlock_unlock(&jp->lock);
        }
        pthread_rwlock_unlock(&s->lock);
        break;
    }
    case OP_JOB_WAIT:
    case OP_JOB_PROGRESS:
        pthread_rwlock_rdlock(&s->lock);
        if (s->job != NULL) {
            if (o->kind == OP_JOB_WAIT && (o->arg & 4u)) {
#ifdef FUZZ_HAVE_COMPLETIONS
                /* pc_job_wait_started: an unlimited wait only once a start was issued (it may still be
                   on its way), or the job is finished (cancelled, its pool destroyed) */
                int started = atomic_load(&s->started);
                pc_status st = pc_job_wait_started(s->job, timeout_of(o->arg, started));
                FUZZ_CHECK(st == PC_OK || st == PC_ERR_TIMEOUT, "pc_job_wait_started: %d", (int)st);
                /* once started, for good: a finished job counts as started too */
                if (st == PC_OK) FUZZ_CHECK(pc_job_wait_started(s->job, 0) == PC_OK, "started, then not");
#endif
            } else if (o->kind == OP_JOB_WAIT) {
                check_outcome(s, pc_job_wait(s->job, timeout_of(o->arg, atomic_load(&s->started))));
            } else {
                uint64_t done = UINT64_MAX, total = 0;
                FUZZ_CHECK(pc_job_progress(s->job, &done, (o->arg & 1u) ? NULL : &total) == PC_OK, "progress");
                FUZZ_CHECK(done <= s->call.n, "progress %llu of %llu", (unsigned long long)done, (unsigned long long)s->call.n);
                if (!(o->arg & 1u)) FUZZ_CHECK(total == s->call.n, "total %llu", (unsigned long long)total);
            }
        }
        pthread_rwlock_unlock(&s->lock);
        break;
    case OP_JOB_FREE:
        pthread_rwlock_wrlock(&s->lock);
        if (s->job != NULL) {
            pool_slot* jp = &pools[s->pool_slot];
            pthread_rwlock_rdlock(&jp->lock);
            pc_status finished = pc_job_wait(s->job, 0);
            pc_status st = pc_job_free(s->job);
            FUZZ_CHECK(st == PC_OK || st == PC_ERR_BUSY, "pc_job_free: %d", (int)st);
            if (finished != PC_ERR_TIMEOUT) FUZZ_CHECK(st == PC_OK, "pc_job_free of a finished job: %d", (int)st);
            if (st == PC_OK) {
                if (finished != PC_ERR_TIMEOUT) check_outcome(s, finished);
                s->job = NULL;
                fuzz_call_free(&s->call);
            }
            pthread_rwlock_unlock(&jp->lock);
        }
        pthread_rwlock_unlock(&s->lock);
        break;
    case OP_NEXT_COMPLETIONS:
    case OP_WAKE:
#ifdef FUZZ_HAVE_COMPLETIONS
        pthread_rwlock_rdlock(&p->lock);
        if (p->pool != NULL) {
            if (o->kind == OP_WAKE) FUZZ_CHECK(pc_pool_wake_completions(p->pool) == PC_OK, "wake");
            else drain(p, o->arg);
        }
        pthread_rwlock_unlock(&p->lock);
#endif
        break;
    default:
        break;
    }
}

typedef struct thread_plan {
    op* ops[MAX_OPS];
    int count;
} thread_plan;

static void* thread_main(void* arg) {
    thread_plan* plan = arg;
    for (int i = 0; i < plan->count; i++) run_op(plan->ops[i]);
    return NULL;
}

static void reset_state(void) {
    for (int i = 0; i < POOLS; i++) {
        pools[i].pool = NULL;
        pthread_rwlock_init(&pools[i].lock, NULL);
    }
    for (int i = 0; i < JOBS; i++) {
        memset(&jobs[i].call, 0, sizeof jobs[i].call);
        jobs[i].job = NULL;
        jobs[i].generation = 0;
        pthread_rwlock_init(&jobs[i].lock, NULL);
        pthread_mutex_init(&jobs[i].tag_mu, NULL);
    }
    for (int i = 0; i < MAX_POOL_INSTANCES; i++) atomic_store(&pool_dead[i], 0);
    pool_instances = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz_reader r = fuzz_reader_of(data, size);
    static op ops[MAX_OPS];
    int nops = 0;
    int nthreads = 2 + (fuzz_u8(&r) & 1u);
    uint8_t finale = fuzz_u8(&r);
    thread_plan plans[MAX_THREADS] = {0};
    /* Every input starts with a pool, so short inputs already run jobs. */
    ops[nops++] = (op){.kind = OP_POOL_CREATE, .pool = 0, .arg = 1};
    plans[0].ops[plans[0].count++] = &ops[0];
    while (nops < MAX_OPS && r.pos < r.size) {
        uint8_t b = fuzz_u8(&r);
        op* o = &ops[nops];
        memset(o, 0, sizeof *o);
        o->kind = b % OP_KINDS;
        o->pool = (b >> 4) & 1u;
        uint8_t c = fuzz_u8(&r);
        o->job = c % JOBS;
        o->arg = fuzz_u8(&r);
        if (o->kind == OP_JOB_CREATE) {
            if (!fuzz_decode_call(&r, &o->call)) {
                fuzz_call_free(&o->call);
                continue;
            }
            o->has_call = 1;
            uint8_t cm = fuzz_u8(&r);
            o->chunk = cm < 64 ? 0 : cm < 128 ? (uint64_t)(cm & 7u) : cm < 192 ? (uint64_t)fuzz_bytes(&r, 2) : (uint64_t)fuzz_int(&r);
            uint64_t per_task = fuzz_task_overhead(&o->call);
            if (per_task > 0) { /* tasks x per-task work within the budget */
                uint64_t unit = o->chunk != 0 ? o->chunk : (uint64_t)o->call.args.iparam[1];
                if (fuzz_ceil_div(o->call.n, unit) > FUZZ_MAX_WORK / per_task) {
                    fuzz_call_free(&o->call);
                    continue;
                }
            }
        }
        int t = (b >> 5) % nthreads;
        plans[t].ops[plans[t].count++] = o;
        nops++;
    }

    reset_state();
    pthread_t threads[MAX_THREADS];
    for (int t = 1; t < nthreads; t++) {
        if (pthread_create(&threads[t], NULL, thread_main, &plans[t]) != 0) abort();
    }
    thread_main(&plans[0]);
    for (int t = 1; t < nthreads; t++) pthread_join(threads[t], NULL);

    /* Finale, single-threaded: optionally destroy the pools first (jobs of every state detach). */
    if (finale & 1u) {
        for (int i = 0; i < POOLS; i++) {
            op o = {.kind = OP_POOL_DESTROY, .pool = i};
            run_op(&o);
        }
    }
    /* Cancel what never started, then every job must finish. */
    for (int j = 0; j < JOBS; j++) {
        job_slot* s = &jobs[j];
        if (s->job == NULL) continue;
        if (!atomic_load(&s->started)) {
            atomic_store(&s->cancelled, 1);
            FUZZ_CHECK(pc_job_cancel(s->job) == PC_OK, "cancel");
        }
        pc_status st = pc_job_wait(s->job, (int64_t)5000000000);
        FUZZ_CHECK(st != PC_ERR_TIMEOUT, "job (kernel %d, n %llu, chunk %llu, iparam %lld %lld, started %d) did not "
                   "finish within 5 s", s->call.kernel, (unsigned long long)s->call.n, (unsigned long long)s->chunk,
                   (long long)s->call.args.iparam[0], (long long)s->call.args.iparam[1], atomic_load(&s->started));
        check_outcome(s, st);
    }
#ifdef FUZZ_HAVE_COMPLETIONS
    /* Live pools: every remaining tagged job has finished, so its tag is queued or delivered. */
    for (int i = 0; i < POOLS; i++) {
        if (pools[i].pool == NULL) continue;
        pthread_rwlock_rdlock(&pools[i].lock);
        for (int k = 0; k < JOBS + 2; k++) drain(&pools[i], 4u); /* capacity 4, just look */
        pthread_rwlock_unlock(&pools[i].lock);
        for (int j = 0; j < JOBS; j++) {
            job_slot* s = &jobs[j];
            if (s->job == NULL || s->pool_slot != i || s->pool_instance != pools[i].instance) continue;
            if (atomic_load(&s->tagged)) {
                FUZZ_CHECK(atomic_load(&s->delivered) == 1, "finished tagged job delivered %d times",
                           atomic_load(&s->delivered));
            }
        }
    }
#endif
    for (int i = 0; i < POOLS; i++) {
        op o = {.kind = OP_POOL_DESTROY, .pool = i};
        run_op(&o);
    }
    for (int j = 0; j < JOBS; j++) {
        job_slot* s = &jobs[j];
        if (s->job == NULL) continue;
        pc_status st = pc_job_free(s->job);
        FUZZ_CHECK(st == PC_OK, "pc_job_free after its pool was destroyed: %d", (int)st);
        s->job = NULL;
        fuzz_call_free(&s->call);
    }
    for (int i = 0; i < nops; i++) {
        if (ops[i].has_call) fuzz_call_free(&ops[i].call);
    }
    for (int i = 0; i < POOLS; i++) pthread_rwlock_destroy(&pools[i].lock);
    for (int j = 0; j < JOBS; j++) {
        pthread_rwlock_destroy(&jobs[j].lock);
        pthread_mutex_destroy(&jobs[j].tag_mu);
    }
    return 0;
}
