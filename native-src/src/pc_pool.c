/* The native worker pool: persistent pthreads pulling tasks of queued jobs.
 *
 * Locking: pool->mu guards the job queue and every job's `running`, `queued` and `finalized` fields.
 * job->mu/job->cv guard `finished` for waiters. Lock order: pool->mu, then job->mu.
 * A task is claimed with an atomic fetch_add on job->next_chunk (relaxed: only uniqueness matters).
 * Results written by workers are published to waiters by the pool->mu / job->mu hand-over in finish().
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pc_internal.h"

#define PC_MAX_THREADS 1024

struct pc_job {
    pc_job* next; /* queue link (pool->mu) */
    pc_pool* pool;
    const pc_kernel_def* def;
    pc_args args;
    uint64_t n;
    uint64_t chunk;
    uint64_t chunks;
    atomic_uint_fast64_t next_chunk;
    atomic_uint_fast64_t done_items;
    atomic_int cancel;
    atomic_int error; /* first failure of a task other than a cancel (e.g. out of memory), else PC_OK */
    int running;   /* workers inside this job's tasks (pool->mu) */
    int started;   /* pc_job_start has run (pool->mu) */
    int queued;    /* in the pool's queue (pool->mu) */
    int finalized; /* finish() has run (pool->mu) */
    pc_status result;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int finished; /* set under job->mu; read lock-free by pc_job_progress */
};

struct pc_pool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv;
    pc_job* head;
    pc_job* tail;
    int shutdown;
    int32_t threads;
    pthread_t* workers;
};

/* ---- queue helpers (pool->mu held) -------------------------------------------------------------- */

static void queue_remove(pc_pool* pool, pc_job* job) {
    pc_job** link = &pool->head;
    pc_job* prev = NULL;
    while (*link != NULL && *link != job) {
        prev = *link;
        link = &(*link)->next;
    }
    if (*link == job) {
        *link = job->next;
        if (pool->tail == job) pool->tail = prev;
        job->next = NULL;
    }
    job->queued = 0;
}

/* Publishes the job's outcome once; the job may be freed by a waiter as soon as job->mu is released. */
static void finish(pc_job* job) {
    if (job->finalized) return;
    job->finalized = 1;
    uint64_t done = atomic_load_explicit(&job->done_items, memory_order_relaxed);
    pthread_mutex_lock(&job->mu);
    pc_status error = atomic_load_explicit(&job->error, memory_order_relaxed);
    job->result = error != PC_OK ? error : done == job->n ? PC_OK : PC_ERR_CANCELLED;
    atomic_store_explicit(&job->finished, 1, memory_order_release);
    pthread_cond_broadcast(&job->cv);
    pthread_mutex_unlock(&job->mu);
}

/* ---- workers ------------------------------------------------------------------------------------ */

static void run_tasks(pc_job* job) {
    for (;;) {
        if (atomic_load_explicit(&job->cancel, memory_order_relaxed)) return;
        uint64_t c = atomic_fetch_add_explicit(&job->next_chunk, 1, memory_order_relaxed);
        if (c >= job->chunks) return;
        uint64_t begin = c * job->chunk;
        uint64_t end = begin + job->chunk < job->n ? begin + job->chunk : job->n;
        pc_status st = job->def->run(&job->args, begin, end, &job->cancel);
        if (st != PC_OK) {
            if (st != PC_ERR_CANCELLED) { /* a real failure: keep the first, stop the others */
                int expected = PC_OK;
                atomic_compare_exchange_strong(&job->error, &expected, (int)st);
                atomic_store_explicit(&job->cancel, 1, memory_order_relaxed);
            }
            return;
        }
        atomic_fetch_add_explicit(&job->done_items, end - begin, memory_order_relaxed);
    }
}

static void* worker_main(void* arg) {
    pc_pool* pool = arg;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (!pool->shutdown && pool->head == NULL) pthread_cond_wait(&pool->work_cv, &pool->mu);
        if (pool->head == NULL) break; /* shut down and nothing left to finalize */
        pc_job* job = pool->head;
        job->running++;
        pthread_mutex_unlock(&pool->mu);

        run_tasks(job);

        pthread_mutex_lock(&pool->mu);
        job->running--;
        /* This worker stopped because every task is claimed or the job is cancelled: either way no
           worker needs to pick the job up again. The last one out publishes the outcome. */
        if (job->queued) queue_remove(pool, job);
        if (job->running == 0) finish(job);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

/* ---- pool --------------------------------------------------------------------------------------- */

pc_status pc_pool_create(int32_t threads, pc_pool** out_pool) {
    if (out_pool == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_pool = NULL;
    if (threads < 0 || threads > PC_MAX_THREADS) return PC_ERR_INVALID_ARGUMENT;
    if (threads == 0) threads = pc_cpu_count();

    pc_pool* pool = calloc(1, sizeof *pool);
    if (pool == NULL) return PC_ERR_OUT_OF_MEMORY;
    pool->workers = calloc((size_t)threads, sizeof *pool->workers);
    if (pool->workers == NULL) {
        free(pool);
        return PC_ERR_OUT_OF_MEMORY;
    }
    if (pthread_mutex_init(&pool->mu, NULL) != 0) {
        free(pool->workers);
        free(pool);
        return PC_ERR_THREAD;
    }
    if (pthread_cond_init(&pool->work_cv, NULL) != 0) {
        pthread_mutex_destroy(&pool->mu);
        free(pool->workers);
        free(pool);
        return PC_ERR_THREAD;
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
}

pc_status pc_pool_thread_count(const pc_pool* pool, int32_t* out_threads) {
    if (pool == NULL || out_threads == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_threads = pool->threads;
    return PC_OK;
}

pc_status pc_pool_destroy(pc_pool* pool) {
    if (pool == NULL) return PC_ERR_NULL_ARGUMENT;
    pthread_mutex_lock(&pool->mu);
    pool->shutdown = 1;
    for (pc_job* job = pool->head; job != NULL; job = job->next) {
        atomic_store_explicit(&job->cancel, 1, memory_order_relaxed);
    }
    pthread_cond_broadcast(&pool->work_cv);
    pthread_mutex_unlock(&pool->mu);

    for (int32_t i = 0; i < pool->threads; i++) pthread_join(pool->workers[i], NULL);

    /* Workers leave only once the queue is empty, so every job has been finalized; this loop only
       matters when thread creation failed part-way and no worker ran at all. */
    pthread_mutex_lock(&pool->mu);
    while (pool->head != NULL) {
        pc_job* job = pool->head;
        queue_remove(pool, job);
        finish(job);
    }
    pthread_mutex_unlock(&pool->mu);

    pthread_cond_destroy(&pool->work_cv);
    pthread_mutex_destroy(&pool->mu);
    free(pool->workers);
    free(pool);
    return PC_OK;
}

/* ---- jobs --------------------------------------------------------------------------------------- */

static pc_status job_init_sync(pc_job* job) {
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return PC_ERR_THREAD;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(&job->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) return PC_ERR_THREAD;
    if (pthread_mutex_init(&job->mu, NULL) != 0) {
        pthread_cond_destroy(&job->cv);
        return PC_ERR_THREAD;
    }
    return PC_OK;
}

pc_status pc_job_create(pc_pool* pool, int32_t kernel, const pc_args* args, uint64_t n, uint64_t chunk,
                        pc_job** out_job, uint64_t* bad_index) {
    if (pool == NULL || out_job == NULL) return PC_ERR_NULL_ARGUMENT;
    *out_job = NULL;
    const pc_kernel_def* def = NULL;
    pc_status st = pc_validate_call(kernel, args, n, bad_index, &def);
    if (st != PC_OK) return st;
    uint64_t granularity = pc_granularity(def, args);
    if (chunk == 0) chunk = granularity;
    if (chunk % granularity != 0) return PC_ERR_INVALID_ARGUMENT; /* tasks must cover whole blocks */
    if (n > 0 && chunk > n) chunk = n;

    pc_job* job = calloc(1, sizeof *job);
    if (job == NULL) return PC_ERR_OUT_OF_MEMORY;
    st = job_init_sync(job);
    if (st != PC_OK) {
        free(job);
        return st;
    }
    job->pool = pool;
    job->def = def;
    job->args = *args;
    job->n = n;
    job->chunk = chunk;
    job->chunks = n / chunk + (n % chunk != 0);
    atomic_init(&job->next_chunk, 0);
    atomic_init(&job->done_items, 0);
    atomic_init(&job->cancel, 0);
    atomic_init(&job->error, PC_OK);
    atomic_init(&job->finished, 0);
    *out_job = job;
    return PC_OK;
}

pc_status pc_job_start(pc_job* job) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    if (atomic_load_explicit(&job->finished, memory_order_acquire)) return PC_OK; /* cancelled before start */
    pc_pool* pool = job->pool;
    pthread_mutex_lock(&pool->mu);
    if (!job->started && !job->finalized) {
        job->started = 1;
        if (job->n == 0) {
            finish(job);
        } else {
            job->queued = 1;
            if (pool->tail != NULL) pool->tail->next = job;
            else pool->head = job;
            pool->tail = job;
            pthread_cond_broadcast(&pool->work_cv);
        }
    }
    pthread_mutex_unlock(&pool->mu);
    return PC_OK;
}

pc_status pc_job_submit(pc_pool* pool, int32_t kernel, const pc_args* args, uint64_t n, uint64_t chunk,
                        pc_job** out_job, uint64_t* bad_index) {
    pc_status st = pc_job_create(pool, kernel, args, n, chunk, out_job, bad_index);
    return st == PC_OK ? pc_job_start(*out_job) : st;
}

static void deadline_after(struct timespec* ts, int64_t timeout_ns) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    int64_t nsec = ts->tv_nsec + timeout_ns % 1000000000;
    ts->tv_sec += (time_t)(timeout_ns / 1000000000 + nsec / 1000000000);
    ts->tv_nsec = (long)(nsec % 1000000000);
}

pc_status pc_job_wait(pc_job* job, int64_t timeout_ns) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    struct timespec deadline;
    if (timeout_ns > 0) deadline_after(&deadline, timeout_ns);
    pthread_mutex_lock(&job->mu);
    int timed_out = 0;
    while (!atomic_load_explicit(&job->finished, memory_order_relaxed) && !timed_out) {
        if (timeout_ns < 0) {
            pthread_cond_wait(&job->cv, &job->mu);
        } else if (timeout_ns == 0) {
            timed_out = 1;
        } else {
            timed_out = pthread_cond_timedwait(&job->cv, &job->mu, &deadline) == ETIMEDOUT;
        }
    }
    pc_status st = atomic_load_explicit(&job->finished, memory_order_relaxed) ? job->result : PC_ERR_TIMEOUT;
    pthread_mutex_unlock(&job->mu);
    return st;
}

pc_status pc_job_start_and_wait(pc_job* job, const void* keep0, const void* keep1, const void* keep2,
                                const void* keep3, const void* keep4, const void* keep5) {
    (void)keep0, (void)keep1, (void)keep2, (void)keep3, (void)keep4, (void)keep5;
    pc_status st = pc_job_start(job);
    return st == PC_OK ? pc_job_wait(job, -1) : st;
}

pc_status pc_job_cancel(pc_job* job) {
    if (job == NULL) return PC_ERR_NULL_ARGUMENT;
    /* A finished job may belong to a destroyed pool: do not touch the pool then. */
    if (atomic_load_explicit(&job->finished, memory_order_acquire)) return PC_OK;
    pc_pool* pool = job->pool;
    pthread_mutex_lock(&pool->mu);
    atomic_store_explicit(&job->cancel, 1, memory_order_relaxed);
    /* No worker inside it: nobody else will finalize it, so do it here. */
    if (job->running == 0 && !job->finalized) {
        if (job->queued) queue_remove(pool, job);
        finish(job);
    }
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
    pthread_mutex_lock(&job->mu);
    int finished = atomic_load_explicit(&job->finished, memory_order_relaxed);
    pthread_mutex_unlock(&job->mu);
    if (!finished) return PC_ERR_BUSY;
    pthread_cond_destroy(&job->cv);
    pthread_mutex_destroy(&job->mu);
    free(job);
    return PC_OK;
}
