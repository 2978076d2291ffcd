/* C tests of the worker pool's life cycle and its completion queue: tags in finishing order for every
 * way a job can finish, wake-ups, freeing with a queued tag, destroy with running / created / queued
 * jobs (issue 8, defects 1 and 2), ten thousand queued cancels, and a multi-threaded run (submitters,
 * cancellers, one completion thread that frees what it drains, destroy with jobs in flight) meant to be
 * run under ThreadSanitizer too. A watchdog turns a hang into a failure. Prints "N passed, N failed" and
 * exits non-zero on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcompute.h"

#include "pc_test.h"

/* Items that run for ages unless cancelled: gcd_brute counts down from min(a, b) ~ 2^63. */
#define ENDLESS_A INT64_MAX
#define ENDLESS_B (INT64_MAX - 1)
#define MS 1000000L /* nanoseconds */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- watchdog: a hang is a failure, not a stuck CI job ------------------------------------------- */

static const char* volatile current_test = "";
static atomic_llong watchdog_deadline_ms; /* 0 = disarmed */
static atomic_int watchdog_stop;
static long watchdog_limit_s = 120;       /* PC_TEST_WATCHDOG_S overrides (valgrind is slow) */

static long long now_ms(void) {
    return (long long)(now_seconds() * 1000.0);
}

static void* watchdog_main(void* arg) {
    (void)arg;
    while (!atomic_load(&watchdog_stop)) {
        sleep_ms(100);
        long long deadline = atomic_load(&watchdog_deadline_ms);
        if (deadline != 0 && now_ms() > deadline) {
            fprintf(stderr, "FAIL %s: still running after %ld s (hang?)\n", current_test, watchdog_limit_s);
            fflush(stderr);
            _exit(2);
        }
    }
    return NULL;
}

static const char* only; /* PC_TEST_ONLY: run just the tests whose name contains it */

static void run_test(const char* name, void (*fn)(void)) {
    if (only != NULL && strstr(name, only) == NULL) return;
    current_test = name;
    atomic_store(&watchdog_deadline_ms, now_ms() + watchdog_limit_s * 1000);
    int before = checks_failed;
    fn();
    atomic_store(&watchdog_deadline_ms, 0);
    record_test(name, before);
}

/* ---- helpers ------------------------------------------------------------------------------------ */

/* a, b and out: arrays (not pointers) of as many elements as a */
#define pair_args(a, b, out) pc_test_pair_args(a, b, out, sizeof(a))

/* Drains whatever is queued now (timeout 0) into tags; returns how many. */
static int32_t drain_now(pc_pool* pool, uint64_t* tags, int32_t capacity) {
    int32_t total = 0;
    for (;;) {
        int32_t count = -1;
        pc_status st = pc_pool_next_completions(pool, 0, tags + total, capacity - total, &count);
        if (st == PC_ERR_TIMEOUT) {
            CHECK(count == 0);
            return total;
        }
        CHECK_STATUS(PC_OK, st);
        CHECK(count >= 1 && count <= capacity - total);
        if (count < 1) return total;
        total += count;
        if (total == capacity) return total;
    }
}

/* ---- completion queue: contract ----------------------------------------------------------------- */

static void test_completion_calls_validate_arguments(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t a[1] = {12}, b[1] = {18}, out[1] = {0};
    pc_args args = pair_args(a, b, out);
    uint64_t tags[4];
    int32_t count = 7;

    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_set_completion_tag(NULL, 1));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_next_completions(NULL, 0, tags, 4, &count));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_next_completions(pool, 0, NULL, 4, &count));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_next_completions(pool, 0, tags, 4, NULL));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_pool_next_completions(pool, 0, tags, 0, &count));
    CHECK(count == 0);
    count = 7;
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_pool_next_completions(pool, 0, tags, -3, &count));
    CHECK(count == 0);
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_pool_wake_completions(NULL));

    /* nothing posted: just looking, and a short wait, both time out with no tags */
    count = 7;
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_pool_next_completions(pool, 0, tags, 4, &count));
    CHECK(count == 0);
    count = 7;
    double start = now_seconds();
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_pool_next_completions(pool, 20 * MS, tags, 4, &count));
    CHECK(count == 0);
    CHECK(now_seconds() - start >= 0.019); /* it did wait (a lower bound only) */

    /* one tag per job, set only while the job is merely created */
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &job, NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(job, 5));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_set_completion_tag(job, 6));
    CHECK_STATUS(PC_OK, pc_job_start(job));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_set_completion_tag(job, 7));
    CHECK_STATUS(PC_OK, pc_job_wait(job, -1));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_set_completion_tag(job, 8));
    CHECK(drain_now(pool, tags, 4) == 1 && tags[0] == 5);
    CHECK_STATUS(PC_OK, pc_job_free(job));

    pc_job* cancelled = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &cancelled, NULL));
    CHECK_STATUS(PC_OK, pc_job_cancel(cancelled));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_set_completion_tag(cancelled, 9));
    CHECK_STATUS(PC_OK, pc_job_free(cancelled));
    CHECK(drain_now(pool, tags, 4) == 0); /* a job without a tag posts nothing */
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_tags_arrive_in_finishing_order_for_every_outcome(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t a[2] = {12, 30}, b[2] = {18, 45}, out[2] = {0, 0};
    int64_t ea[1] = {ENDLESS_A}, eb[1] = {ENDLESS_B}, eout[1] = {0};
    pc_args args = pair_args(a, b, out);
    pc_args endless = pair_args(ea, eb, eout);
    pc_job* jobs[7] = {NULL};

    /* n == 0: finishes, and posts, at start */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 0, 0, &jobs[0], NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[0], 100));
    CHECK_STATUS(PC_OK, pc_job_start(jobs[0]));
    /* cancelled before start: posts at the cancel; the later start changes nothing */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 2, 1, &jobs[1], NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[1], UINT64_MAX)); /* any value is a tag */
    CHECK_STATUS(PC_OK, pc_job_cancel(jobs[1]));
    CHECK_STATUS(PC_OK, pc_job_start(jobs[1]));
    /* computed in full */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 2, 1, &jobs[2], NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[2], 0));
    CHECK_STATUS(PC_OK, pc_job_start(jobs[2]));
    CHECK_STATUS(PC_OK, pc_job_wait(jobs[2], -1));
    /* no tag: posts nothing */
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &args, 2, 1, &jobs[3], NULL));
    CHECK_STATUS(PC_OK, pc_job_wait(jobs[3], -1));
    /* a running job, then one queued behind it, cancelled in the other order */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &endless, 1, 1, &jobs[4], NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[4], 104));
    CHECK_STATUS(PC_OK, pc_job_start(jobs[4]));
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 2, 1, &jobs[5], NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[5], 105));
    CHECK_STATUS(PC_OK, pc_job_start(jobs[5]));
    uint64_t tags[8];
    CHECK(drain_now(pool, tags, 2) == 2 && tags[0] == 100 && tags[1] == UINT64_MAX); /* capacity respected */
    CHECK_STATUS(PC_OK, pc_job_cancel(jobs[5]));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(jobs[5], 0)); /* finished by the cancel, no worker needed */
    CHECK_STATUS(PC_OK, pc_job_cancel(jobs[4]));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(jobs[4], -1));
    int32_t count = 0;
    CHECK_STATUS(PC_OK, pc_pool_next_completions(pool, 0, tags, 8, &count)); /* 0, 105, 104: all there */
    CHECK(count == 3 && tags[0] == 0 && tags[1] == 105 && tags[2] == 104);
    /* a later job: its tag comes once its outcome is published */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 2, 1, &jobs[6], NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[6], 106));
    CHECK_STATUS(PC_OK, pc_job_start(jobs[6]));
    CHECK_STATUS(PC_OK, pc_pool_next_completions(pool, -1, tags, 8, &count));
    CHECK(count == 1 && tags[0] == 106);
    CHECK_STATUS(PC_OK, pc_job_wait(jobs[6], 0));
    CHECK(out[0] == 6 && out[1] == 15);
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_pool_next_completions(pool, 0, tags, 8, &count));
    CHECK(count == 0);

    CHECK_STATUS(PC_OK, pc_job_wait(jobs[0], 0));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(jobs[1], 0));
    for (int j = 0; j < 7; j++) CHECK_STATUS(PC_OK, pc_job_free(jobs[j]));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

typedef struct completion_waiter {
    pc_pool* pool;
    pc_status status;
    int32_t count;
    uint64_t tags[4];
} completion_waiter;

static void* wait_for_completions(void* arg) {
    completion_waiter* w = arg;
    w->status = pc_pool_next_completions(w->pool, -1, w->tags, 4, &w->count);
    return NULL;
}

static void test_a_blocked_completion_waiter_gets_the_tag_of_a_later_job(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    completion_waiter w = {pool, PC_ERR_THREAD, -1, {0}};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, wait_for_completions, &w) == 0);
    sleep_ms(20); /* most likely blocked by now; correct either way */
    int64_t a[3] = {2030677, 1551645, 1823712}, b[3] = {3814172, 2229620, 1924928}, out[3];
    pc_args args = pair_args(a, b, out);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 3, 1, &job, NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(job, 42));
    CHECK_STATUS(PC_OK, pc_job_start(job));
    pthread_join(thread, NULL);
    CHECK_STATUS(PC_OK, w.status);
    CHECK(w.count == 1 && w.tags[0] == 42);
    /* the drainer sees the outputs without waiting on the job */
    for (int k = 0; k < 3; k++) CHECK(out[k] == euclid(a[k], b[k]));
    CHECK_STATUS(PC_OK, pc_job_wait(job, 0));
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_wake_releases_every_waiter_and_is_never_missed(void) {
    enum { WAITERS = 3 };
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    completion_waiter w[WAITERS];
    pthread_t threads[WAITERS];
    for (int t = 0; t < WAITERS; t++) {
        w[t] = (completion_waiter){pool, PC_ERR_THREAD, -1, {0}};
        CHECK(pthread_create(&threads[t], NULL, wait_for_completions, &w[t]) == 0);
    }
    sleep_ms(50);
    /* All three are normally waiting now and all return from this one wake. If one was not yet waiting,
       the pending wake releases it instead; any still left waits for the next wake, so a stuck one
       shows up as a watchdog failure, never as a false pass. */
    CHECK_STATUS(PC_OK, pc_pool_wake_completions(pool));
    for (int t = 0; t < WAITERS; t++) {
        pthread_join(threads[t], NULL);
        CHECK_STATUS(PC_OK, w[t].status);
        CHECK(w[t].count == 0);
    }
    /* a wake with nobody waiting is kept for the next call, once */
    CHECK_STATUS(PC_OK, pc_pool_wake_completions(pool));
    uint64_t tags[2];
    int32_t count = -1;
    CHECK_STATUS(PC_OK, pc_pool_next_completions(pool, -1, tags, 2, &count));
    CHECK(count == 0);
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_pool_next_completions(pool, 0, tags, 2, &count));
    /* a wake with a tag queued delivers the tag */
    int64_t a[1] = {4}, b[1] = {6}, out[1];
    pc_args args = pair_args(a, b, out);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &job, NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(job, 3));
    CHECK_STATUS(PC_OK, pc_job_start_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK_STATUS(PC_OK, pc_pool_wake_completions(pool));
    CHECK_STATUS(PC_OK, pc_pool_next_completions(pool, -1, tags, 2, &count));
    CHECK(count == 1 && tags[0] == 3);
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_pool_next_completions(pool, 0, tags, 2, &count));
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static void test_freeing_a_job_whose_tag_is_queued_unlinks_the_tag(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t a[1] = {4}, b[1] = {6}, out[1];
    pc_args args = pair_args(a, b, out);
    pc_job* jobs[4];
    for (int j = 0; j < 4; j++) {
        CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 0, 0, &jobs[j], NULL));
        CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[j], (uint64_t)j));
        CHECK_STATUS(PC_OK, pc_job_start(jobs[j]));
    }
    CHECK_STATUS(PC_OK, pc_job_free(jobs[0])); /* head of the queue */
    CHECK_STATUS(PC_OK, pc_job_free(jobs[2])); /* middle */
    uint64_t tags[4];
    CHECK(drain_now(pool, tags, 4) == 2 && tags[0] == 1 && tags[1] == 3);
    CHECK_STATUS(PC_OK, pc_job_free(jobs[1]));
    CHECK_STATUS(PC_OK, pc_job_free(jobs[3]));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* ---- pc_job_wait_started ------------------------------------------------------------------------- */

typedef struct start_waiter {
    pc_job* job;
    pc_status status; /* PC_ERR_THREAD until the wait returned */
} start_waiter;

static void* wait_for_start(void* arg) {
    start_waiter* w = arg;
    w->status = pc_job_wait_started(w->job, -1);
    return NULL;
}

/* A created job makes pc_job_wait_started time out; leaving CREATED in any way releases every waiter:
   a start (even one inside pc_job_start_and_wait on another thread), a cancel before the start, n == 0,
   a pc_pool_destroy. Java's pinning thread relies on this to tell submit() when the job has started. */
static void test_wait_started_returns_once_the_job_left_the_created_state(void) {
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, pc_job_wait_started(NULL, 0));
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    int64_t ea[1] = {ENDLESS_A}, eb[1] = {ENDLESS_B}, eout[1] = {0};
    int64_t a[1] = {12}, b[1] = {18}, out[1] = {0};
    pc_args endless = pair_args(ea, eb, eout);
    pc_args args = pair_args(a, b, out);

    /* started: blocked waiters return once another thread starts the job */
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &endless, 1, 1, &job, NULL));
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait_started(job, 0));
    double start = now_seconds();
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait_started(job, 20 * MS));
    CHECK(now_seconds() - start >= 0.019); /* it did wait (a lower bound only) */
    enum { WAITERS = 3 };
    start_waiter w[WAITERS];
    pthread_t threads[WAITERS];
    for (int t = 0; t < WAITERS; t++) {
        w[t] = (start_waiter){job, PC_ERR_THREAD};
        CHECK(pthread_create(&threads[t], NULL, wait_for_start, &w[t]) == 0);
    }
    sleep_ms(20);
    for (int t = 0; t < WAITERS; t++) CHECK_STATUS(PC_ERR_THREAD, w[t].status); /* still waiting */
    CHECK_STATUS(PC_OK, pc_job_start(job));
    for (int t = 0; t < WAITERS; t++) {
        pthread_join(threads[t], NULL);
        CHECK_STATUS(PC_OK, w[t].status);
    }
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 0)); /* started, not finished */
    CHECK_STATUS(PC_OK, pc_job_wait_started(job, 0));
    CHECK_STATUS(PC_OK, pc_job_cancel(job));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, -1));
    CHECK_STATUS(PC_OK, pc_job_wait_started(job, 0)); /* finished still counts as started */
    CHECK_STATUS(PC_OK, pc_job_free(job));

    /* started inside pc_job_start_and_wait on another thread (the Java pinning thread's shape) */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &job, NULL));
    start_waiter runner = {job, PC_ERR_THREAD};
    pthread_t run_thread;
    CHECK(pthread_create(&run_thread, NULL, wait_for_start, &runner) == 0);
    CHECK_STATUS(PC_OK, pc_job_start_and_wait(job, a, b, out, NULL, NULL, NULL));
    pthread_join(run_thread, NULL);
    CHECK_STATUS(PC_OK, runner.status);
    CHECK(out[0] == 6);
    CHECK_STATUS(PC_OK, pc_job_free(job));

    /* cancelled before it started: finished at once, so started too */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &job, NULL));
    w[0] = (start_waiter){job, PC_ERR_THREAD};
    CHECK(pthread_create(&threads[0], NULL, wait_for_start, &w[0]) == 0);
    CHECK_STATUS(PC_OK, pc_job_cancel(job));
    pthread_join(threads[0], NULL);
    CHECK_STATUS(PC_OK, w[0].status);
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 0));
    CHECK_STATUS(PC_OK, pc_job_free(job));

    /* n == 0: finished by its start */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 0, 1, &job, NULL));
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait_started(job, 0));
    CHECK_STATUS(PC_OK, pc_job_start(job));
    CHECK_STATUS(PC_OK, pc_job_wait_started(job, 0));
    CHECK_STATUS(PC_OK, pc_job_free(job));

    /* its pool destroyed: a waiter blocked on a created job returns, and the detached job counts as started */
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &job, NULL));
    w[0] = (start_waiter){job, PC_ERR_THREAD};
    CHECK(pthread_create(&threads[0], NULL, wait_for_start, &w[0]) == 0);
    sleep_ms(10);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    pthread_join(threads[0], NULL);
    CHECK_STATUS(PC_OK, w[0].status);
    CHECK_STATUS(PC_OK, pc_job_wait_started(job, -1));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 0));
    CHECK_STATUS(PC_OK, pc_job_free(job));
}

/* ---- destroy (issue 8 defects 1 and 2) ------------------------------------------------------------ */

/* Defect 1: a worker that found no task left took the job off the queue while another worker still ran
   it, and destroy cancelled only queued jobs, so it waited for ~2^63 gcd steps. Both shapes: an endless
   item beside a quick one (the quick one's worker leaves first), and a few endless items on more workers
   than items. */
static void test_destroy_cancels_a_running_job_that_left_the_queue(void) {
    static const struct {
        int32_t threads;
        int items;
        int endless;
    } shapes[] = {{2, 2, 1}, {3, 2, 1}, {4, 3, 3}, {2, 4, 4}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t a[4], b[4], out[4] = {0};
        for (int k = 0; k < shapes[s].items; k++) {
            int endless = k < shapes[s].endless;
            a[k] = endless ? ENDLESS_A : 12;
            b[k] = endless ? ENDLESS_B : 18;
        }
        pc_pool* pool = NULL;
        CHECK_STATUS(PC_OK, pc_pool_create(shapes[s].threads, &pool));
        pc_args args = pair_args(a, b, out);
        pc_job* job = NULL;
        CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, (uint64_t)shapes[s].items, 1, &job, NULL));
        CHECK_STATUS(PC_OK, pc_job_set_completion_tag(job, 1));
        CHECK_STATUS(PC_OK, pc_job_start(job));
        /* until every quick item is done, then a little longer for idle workers to look at the job */
        uint64_t done = 0;
        while (done < (uint64_t)(shapes[s].items - shapes[s].endless)) {
            CHECK_STATUS(PC_OK, pc_job_progress(job, &done, NULL));
            sleep_ms(1);
        }
        sleep_ms(30);
        CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(job, 0));
        double start = now_seconds();
        CHECK_STATUS(PC_OK, pc_pool_destroy(pool)); /* before the fix: the watchdog fires here */
        double took = now_seconds() - start;
        if (took > 10.0) fprintf(stderr, "destroy took %.1f s\n", took);
        CHECK(took < 10.0); /* a hang bound, not a speed claim: cancel checks come every ~65k steps */
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 0));
        CHECK_STATUS(PC_OK, pc_job_free(job));
    }
}

/* Defect 2: a job created but not started kept a dangling pool pointer after pc_pool_destroy (start was
   a use-after-free, cancel an invalid read, free returned PC_ERR_BUSY forever). Queued and finished
   jobs are detached the same way. Run under ASan and valgrind to see the difference. */
static void test_destroy_detaches_created_queued_and_finished_jobs(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t a[2] = {12, 30}, b[2] = {18, 45}, out[2] = {0, 0};
    int64_t ea[1] = {ENDLESS_A}, eb[1] = {ENDLESS_B}, eout[1] = {0};
    pc_args args = pair_args(a, b, out);
    pc_args endless = pair_args(ea, eb, eout);
    pc_job *created = NULL, *created_tagged = NULL, *blocker = NULL, *queued = NULL, *finished = NULL;
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_FAST, &args, 2, 1, &finished, NULL));
    CHECK_STATUS(PC_OK, pc_job_wait(finished, -1));
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 2, 1, &created, NULL));
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 2, 1, &created_tagged, NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(created_tagged, 7));
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &endless, 1, 1, &blocker, NULL));
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_FAST, &args, 2, 1, &queued, NULL));
    sleep_ms(10);
    out[0] = out[1] = 0;

    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));

    CHECK_STATUS(PC_OK, pc_job_wait(finished, 0));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(blocker, 0));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(queued, 0));
    pc_job* detached[] = {created, created_tagged};
    for (int j = 0; j < 2; j++) {
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(detached[j], 0)); /* finished by the destroy */
        CHECK_STATUS(PC_OK, pc_job_start(detached[j]));              /* no effect, touches no pool */
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(detached[j], 0));
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_start_and_wait(detached[j], NULL, NULL, NULL, NULL, NULL, NULL));
        CHECK_STATUS(PC_ERR_CANCELLED, pc_job_run_and_wait(detached[j], NULL, NULL, NULL, NULL, NULL, NULL));
        CHECK_STATUS(PC_OK, pc_job_cancel(detached[j]));
        CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, pc_job_set_completion_tag(detached[j], 9));
        uint64_t done = 1, total = 0;
        CHECK_STATUS(PC_OK, pc_job_progress(detached[j], &done, &total));
        CHECK(done == 0 && total == 2);
    }
    CHECK(out[0] == 0 && out[1] == 0); /* nothing ran after the destroy */
    pc_job* all[] = {created, created_tagged, blocker, queued, finished};
    for (int j = 0; j < 5; j++) CHECK_STATUS(PC_OK, pc_job_free(all[j])); /* not PC_ERR_BUSY */
}

/* Cancelling each of 10,000 queued jobs removes it from the middle of the run queue: O(1) each (a
   doubly linked queue) where the singly linked one walked the queue. Not timed; checks the outcome:
   every job finishes cancelled without a worker, and the tags come back in cancel order. */
static void test_cancelling_ten_thousand_queued_jobs_finishes_each_in_cancel_order(void) {
    enum { JOBS = 10000 };
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t a[1] = {12}, b[1] = {18}, out[1] = {0};
    int64_t ea[1] = {ENDLESS_A}, eb[1] = {ENDLESS_B}, eout[1] = {0};
    pc_args args = pair_args(a, b, out);
    pc_args endless = pair_args(ea, eb, eout);
    pc_job* blocker = NULL;
    CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &endless, 1, 1, &blocker, NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(blocker, JOBS));
    CHECK_STATUS(PC_OK, pc_job_start(blocker));
    pc_job** jobs = calloc(JOBS, sizeof *jobs);
    uint64_t* tags = calloc(JOBS + 1, sizeof *tags);
    CHECK(jobs != NULL && tags != NULL);
    if (jobs == NULL || tags == NULL) return;
    for (int j = 0; j < JOBS; j++) {
        CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_FAST, &args, 1, 1, &jobs[j], NULL));
        CHECK_STATUS(PC_OK, pc_job_set_completion_tag(jobs[j], (uint64_t)j));
        CHECK_STATUS(PC_OK, pc_job_start(jobs[j]));
    }
    /* odd ones from the back, then even ones from the front */
    for (int j = JOBS - 1; j >= 0; j--) if (j % 2) CHECK_STATUS(PC_OK, pc_job_cancel(jobs[j]));
    for (int j = 0; j < JOBS; j += 2) CHECK_STATUS(PC_OK, pc_job_cancel(jobs[j]));
    int bad = 0;
    for (int j = 0; j < JOBS; j++) bad += pc_job_wait(jobs[j], 0) != PC_ERR_CANCELLED;
    CHECK(bad == 0);
    CHECK(out[0] == 0);
    CHECK(drain_now(pool, tags, JOBS + 1) == JOBS);
    int misordered = 0;
    for (int i = 0; i < JOBS / 2; i++) misordered += tags[i] != (uint64_t)(JOBS - 1 - 2 * i);
    for (int i = 0; i < JOBS / 2; i++) misordered += tags[JOBS / 2 + i] != (uint64_t)(2 * i);
    CHECK(misordered == 0);
    CHECK_STATUS(PC_OK, pc_job_cancel(blocker));
    int32_t count = 0;
    CHECK_STATUS(PC_OK, pc_pool_next_completions(pool, -1, tags, 1, &count));
    CHECK(count == 1 && tags[0] == JOBS);
    CHECK_STATUS(PC_OK, pc_job_free(blocker));
    for (int j = 0; j < JOBS; j++) CHECK_STATUS(PC_OK, pc_job_free(jobs[j]));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    free(jobs);
    free(tags);
}

/* ---- many threads at once (run under TSan) -------------------------------------------------------- */

enum { STRESS_SUBMITTERS = 4, STRESS_JOBS = 150, STRESS_ITEMS = 48, STRESS_ENDLESS = 12 };
enum { STRESS_SLOTS = STRESS_SUBMITTERS * STRESS_JOBS + STRESS_ENDLESS };

/* One job and its buffers. The slot mutex orders pc_job_cancel (cancellers) before pc_job_free (the
   completion thread), as the Java layer's per-job lock does: the two must not race. */
typedef struct slot {
    pthread_mutex_t mu;
    pc_job* job; /* slot->mu */
    int freed;   /* slot->mu */
    int cancel_requested;
    int64_t a[STRESS_ITEMS], b[STRESS_ITEMS], out[STRESS_ITEMS];
} slot;

typedef struct stress {
    pc_pool* pool;
    slot* slots;
    atomic_int submitted; /* slots [0, submitted) hold a created job */
    atomic_int drained;
    atomic_int stop;
    atomic_int wrong; /* wrong results, bad statuses, unknown or repeated tags */
    atomic_int cancelled;
    atomic_uchar seen[STRESS_SLOTS];
} stress;

typedef struct submitter_arg {
    stress* st;
    int index;
} submitter_arg;

static uint64_t lcg(uint64_t* x) {
    *x = *x * 6364136223846793005u + 1442695040888963407u;
    return *x >> 11;
}

static void* stress_submitter(void* arg) {
    submitter_arg* sa = arg;
    stress* st = sa->st;
    uint64_t x = (uint64_t)sa->index * 7919u + 17u;
    for (int j = 0; j < STRESS_JOBS; j++) {
        int id = sa->index * STRESS_JOBS + j;
        slot* s = &st->slots[id];
        for (int k = 0; k < STRESS_ITEMS; k++) {
            s->a[k] = (int64_t)(lcg(&x) % 50000) + 1;
            s->b[k] = (int64_t)(lcg(&x) % 50000) + 1;
        }
        pc_args args = pair_args(s->a, s->b, s->out);
        int32_t kernel = j % 3 ? PC_KERNEL_GCD_FAST : PC_KERNEL_GCD_BRUTE;
        pc_job* job = NULL;
        if (pc_job_create(st->pool, kernel, &args, STRESS_ITEMS, (uint64_t)(j % 5), &job, NULL) != PC_OK ||
            pc_job_set_completion_tag(job, (uint64_t)id) != PC_OK) {
            atomic_fetch_add(&st->wrong, 1);
            continue;
        }
        /* Published, and started, under the slot lock: once finished, the completion thread may free the
           job at any time, so this thread does not touch it after the unlock. */
        pthread_mutex_lock(&s->mu);
        s->job = job;
        if (lcg(&x) % 8 == 0) { /* cancelled before start: must still post its tag */
            s->cancel_requested = 1;
            if (pc_job_cancel(job) != PC_OK) atomic_fetch_add(&st->wrong, 1);
        }
        if (pc_job_start(job) != PC_OK) atomic_fetch_add(&st->wrong, 1);
        pthread_mutex_unlock(&s->mu);
        atomic_fetch_add(&st->submitted, 1);
    }
    return NULL;
}

static void* stress_canceller(void* arg) {
    stress* st = arg;
    uint64_t x = 99;
    while (!atomic_load(&st->stop)) {
        int limit = STRESS_SUBMITTERS * STRESS_JOBS;
        slot* s = &st->slots[lcg(&x) % (uint64_t)limit];
        pthread_mutex_lock(&s->mu);
        if (s->job != NULL && !s->freed) {
            s->cancel_requested = 1;
            if (pc_job_cancel(s->job) != PC_OK) atomic_fetch_add(&st->wrong, 1);
        }
        pthread_mutex_unlock(&s->mu);
        sleep_ms(1);
    }
    return NULL;
}

/* One completion thread, as the Java layer has: drain tags, check the job, free it. */
static void* stress_completer(void* arg) {
    stress* st = arg;
    uint64_t tags[16];
    while (!atomic_load(&st->stop)) {
        int32_t count = 0;
        pc_status status = pc_pool_next_completions(st->pool, -1, tags, 16, &count);
        if (status != PC_OK || count < 0 || count > 16) {
            atomic_fetch_add(&st->wrong, 1);
            continue;
        }
        for (int32_t i = 0; i < count; i++) {
            if (tags[i] >= STRESS_SLOTS || atomic_exchange(&st->seen[tags[i]], 1) != 0) {
                atomic_fetch_add(&st->wrong, 1);
                continue;
            }
            slot* s = &st->slots[tags[i]];
            pthread_mutex_lock(&s->mu);
            pc_status outcome = pc_job_wait(s->job, 0);
            if (outcome == PC_OK) {
                for (int k = 0; k < STRESS_ITEMS; k++) {
                    if (s->out[k] != euclid(s->a[k], s->b[k])) atomic_fetch_add(&st->wrong, 1);
                }
            } else if (outcome == PC_ERR_CANCELLED && s->cancel_requested) {
                atomic_fetch_add(&st->cancelled, 1);
            } else {
                atomic_fetch_add(&st->wrong, 1); /* timeout (not finished) or cancelled without a cancel */
            }
            if (pc_job_free(s->job) != PC_OK) atomic_fetch_add(&st->wrong, 1);
            s->freed = 1;
            pthread_mutex_unlock(&s->mu);
            atomic_fetch_add(&st->drained, 1);
        }
    }
    return NULL;
}

static void test_submitters_cancellers_and_a_completion_thread_then_destroy_in_flight(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(3, &pool));
    stress* st = calloc(1, sizeof *st);
    slot* slots = calloc(STRESS_SLOTS, sizeof *slots);
    CHECK(st != NULL && slots != NULL);
    if (st == NULL || slots == NULL) return;
    for (int i = 0; i < STRESS_SLOTS; i++) pthread_mutex_init(&slots[i].mu, NULL);
    st->pool = pool;
    st->slots = slots;

    pthread_t completer, canceller, submitters[STRESS_SUBMITTERS];
    submitter_arg args[STRESS_SUBMITTERS];
    CHECK(pthread_create(&completer, NULL, stress_completer, st) == 0);
    CHECK(pthread_create(&canceller, NULL, stress_canceller, st) == 0);
    for (int t = 0; t < STRESS_SUBMITTERS; t++) {
        args[t] = (submitter_arg){st, t};
        CHECK(pthread_create(&submitters[t], NULL, stress_submitter, &args[t]) == 0);
    }
    for (int t = 0; t < STRESS_SUBMITTERS; t++) pthread_join(submitters[t], NULL);
    int expected = STRESS_SUBMITTERS * STRESS_JOBS;
    while (atomic_load(&st->drained) < expected) sleep_ms(2); /* the watchdog bounds this */

    /* Jobs in flight: endless ones, tagged, then stop the completion thread and destroy the pool. */
    int64_t ea[2] = {ENDLESS_A, ENDLESS_A}, eb[2] = {ENDLESS_B, ENDLESS_B}, eout[2];
    pc_args endless = pair_args(ea, eb, eout);
    for (int e = 0; e < STRESS_ENDLESS; e++) {
        slot* s = &slots[expected + e];
        pc_job* job = NULL;
        CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &endless, 2, 1, &job, NULL));
        CHECK_STATUS(PC_OK, pc_job_set_completion_tag(job, (uint64_t)(expected + e)));
        pthread_mutex_lock(&s->mu);
        s->job = job;
        s->cancel_requested = 1; /* the destroy cancels them */
        pthread_mutex_unlock(&s->mu);
        if (e % 4 != 3) CHECK_STATUS(PC_OK, pc_job_start(job)); /* every fourth stays merely created */
    }
    atomic_store(&st->stop, 1);
    CHECK_STATUS(PC_OK, pc_pool_wake_completions(pool));
    pthread_join(completer, NULL);
    pthread_join(canceller, NULL);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    int leftover = 0;
    for (int i = 0; i < STRESS_SLOTS; i++) {
        if (slots[i].job != NULL && !slots[i].freed) {
            leftover++;
            CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(slots[i].job, 0));
            CHECK_STATUS(PC_OK, pc_job_free(slots[i].job));
        }
        pthread_mutex_destroy(&slots[i].mu);
    }
    CHECK(leftover == STRESS_ENDLESS);
    CHECK(atomic_load(&st->wrong) == 0);
    CHECK(atomic_load(&st->submitted) == expected);
    printf("     stress: %d jobs drained and verified (%d cancelled), %d destroyed in flight\n",
           atomic_load(&st->drained), atomic_load(&st->cancelled), leftover);
    free(slots);
    free(st);
}

/* ---- hand-off (issue 11 item 3): the synchronous caller helps, workers spin a bounded window --------- */

/* A kernel that records which thread ran each item: out[0][k] = the caller's mark (see thread_mark),
   after iparam[0] microseconds of cancellable sleep; out[1][k] += 1 when out[1] is given (counting runs). A cancelled item on a test's own thread (a caller
   of pc_job_start_and_wait) lingers iparam[1] ms before it returns: a slow cancel check, made long. */
static _Thread_local uint64_t thread_mark = 0; /* 0 on pool workers; tests set their own threads' mark */

static pc_status whose_thread_run(const pc_args* args, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    uint64_t* out = args->out[0];
    for (uint64_t k = begin; k < end; k++) {
        for (int64_t us = 0; us < args->iparam[0]; us += 50) {
            if (cancel != NULL && atomic_load_explicit(cancel, memory_order_relaxed)) {
                if (thread_mark != 0) sleep_ms((long)args->iparam[1]);
                return PC_ERR_CANCELLED;
            }
            struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
        }
        out[k] = thread_mark == 0 ? 99 : thread_mark; /* 99: a pool worker */
        if (args->out[1] != NULL) ((int64_t*)args->out[1])[k] += 1;
    }
    return PC_OK;
}

static const pc_kernel_def WHOSE_THREAD = {.abi_version = PC_KERNEL_ABI_VERSION, .name = "whose_thread",
    .run = whose_thread_run, .inputs_mask = 0x0u, .outputs_mask = 0x1u, .block_param = -1};

static pc_args marks_args(uint64_t* out, uint64_t count, int64_t sleep_us) {
    pc_args args;
    memset(&args, 0, sizeof args);
    args.out[0] = out;
    args.out_bytes[0] = count * sizeof *out;
    args.iparam[0] = sleep_us;
    return args;
}

/* A pool's nanosecond setting (the spin window, the lazy wake window): its default, its argument checks
   (refused values leave it alone), its largest value and 0. */
typedef pc_status (*set_ns_fn)(pc_pool*, int64_t);
typedef pc_status (*get_ns_fn)(const pc_pool*, int64_t*);

static void check_ns_setting(pc_pool* pool, set_ns_fn set, get_ns_fn get, int64_t dflt, int64_t max) {
    int64_t value = -1;
    CHECK_STATUS(PC_OK, get(pool, &value));
    CHECK(value == dflt);
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, set(NULL, 1000));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, get(NULL, &value));
    CHECK_STATUS(PC_ERR_NULL_ARGUMENT, get(pool, NULL));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, set(pool, -1));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, set(pool, max + 1));
    CHECK_STATUS(PC_ERR_INVALID_ARGUMENT, set(pool, INT64_MIN));
    CHECK_STATUS(PC_OK, get(pool, &value));
    CHECK(value == dflt);
    CHECK_STATUS(PC_OK, set(pool, max));
    CHECK_STATUS(PC_OK, get(pool, &value));
    CHECK(value == max);
    CHECK_STATUS(PC_OK, set(pool, 0));
    CHECK_STATUS(PC_OK, get(pool, &value));
    CHECK(value == 0);
}

static void test_spin_window_is_validated_and_defaults_to_about_one_wake_up(void) {
    int32_t cpus = pc_cpu_count();
    pc_pool* pool = NULL;
    /* workers fill the cores: the window is the default too, spent only on a free core */
    CHECK_STATUS(PC_OK, pc_pool_create(cpus, &pool));
    check_ns_setting(pool, pc_pool_set_spin_ns, pc_pool_spin_ns, PC_POOL_DEFAULT_SPIN_NS, PC_POOL_MAX_SPIN_NS);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    if (cpus > 1) { /* fewer workers than cores: spinning on by default, on any idle period */
        int64_t spin = -1;
        CHECK_STATUS(PC_OK, pc_pool_create(cpus - 1, &pool));
        CHECK_STATUS(PC_OK, pc_pool_spin_ns(pool, &spin));
        CHECK(spin == PC_POOL_DEFAULT_SPIN_NS);
        CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    }
}

typedef struct {
    pc_job* job;
    uint64_t mark;
    pc_status status;
    int only_wait; /* pc_job_start_and_wait instead of pc_job_run_and_wait */
} sync_call;

static void* start_and_wait_main(void* arg) {
    sync_call* call = arg;
    thread_mark = call->mark;
    call->status = call->only_wait ? pc_job_start_and_wait(call->job, NULL, NULL, NULL, NULL, NULL, NULL)
                                   : pc_job_run_and_wait(call->job, NULL, NULL, NULL, NULL, NULL, NULL);
    return NULL;
}

/* Before: the caller only slept, so a synchronous job behind a job that keeps every worker busy waited
   for it (here: forever). Now its caller runs the job's tasks itself, and only its own job's.
   pc_job_start_and_wait still only waits: a pinning thread of an asynchronous submit (Java) uses it, and
   there the pool's size must bound how many threads run kernels. */
static void test_a_synchronous_job_runs_on_its_caller_while_every_worker_is_busy(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    int64_t ea[1] = {ENDLESS_A}, eb[1] = {ENDLESS_B}, eout[1] = {0};
    pc_args endless = pair_args(ea, eb, eout);
    pc_job* blocker = NULL;
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &endless, 1, 1, &blocker, NULL));
    sleep_ms(20); /* the only worker is inside the endless item */

    uint64_t marks[5] = {0};
    pc_args args = marks_args(marks, 5, 0);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &args, 5, 1, &job, NULL));
    sync_call call = {.job = job, .mark = 7, .status = -1};
    pthread_t caller;
    CHECK(pthread_create(&caller, NULL, start_and_wait_main, &call) == 0);
    CHECK_STATUS(PC_OK, pc_job_wait(job, 5000 * MS)); /* before: PC_ERR_TIMEOUT */
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(blocker, 0));
    for (int k = 0; k < 5; k++) CHECK(marks[k] == 7);

    pthread_join(caller, NULL);
    CHECK_STATUS(PC_OK, call.status);

    memset(marks, 0, sizeof marks);
    pc_job* waiting = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &args, 5, 1, &waiting, NULL));
    sync_call wait_call = {.job = waiting, .mark = 8, .status = -1, .only_wait = 1};
    CHECK(pthread_create(&caller, NULL, start_and_wait_main, &wait_call) == 0);
    CHECK_STATUS(PC_OK, pc_job_wait_started(waiting, -1));
    CHECK_STATUS(PC_ERR_TIMEOUT, pc_job_wait(waiting, 100 * MS)); /* queued behind the blocker */
    CHECK_STATUS(PC_OK, pc_job_cancel(blocker));
    pthread_join(caller, NULL);
    CHECK_STATUS(PC_OK, wait_call.status);
    for (int k = 0; k < 5; k++) CHECK(marks[k] == 99); /* on the worker, once the blocker was cancelled */
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(blocker, -1));
    CHECK_STATUS(PC_OK, pc_job_free(waiting));
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_job_free(blocker));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* The caller helps with its own job only: a job queued before it runs on the workers alone, while the
   caller's items are shared by the caller and the worker that is free again. */
static void test_the_caller_never_runs_another_jobs_tasks(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, PC_POOL_MAX_SPIN_NS));
    enum { EARLIER = 60, MINE = 40 };
    uint64_t earlier_marks[EARLIER] = {0}, my_marks[MINE] = {0};
    pc_args earlier_args = marks_args(earlier_marks, EARLIER, 300), my_args = marks_args(my_marks, MINE, 300);
    pc_job *earlier = NULL, *mine = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &earlier_args, EARLIER, 1, &earlier, NULL));
    CHECK_STATUS(PC_OK, pc_job_start(earlier));
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &my_args, MINE, 1, &mine, NULL));
    thread_mark = 1;
    CHECK_STATUS(PC_OK, pc_job_run_and_wait(mine, NULL, NULL, NULL, NULL, NULL, NULL));
    thread_mark = 0;
    CHECK_STATUS(PC_OK, pc_job_wait(earlier, -1));
    int mine_by_caller = 0;
    for (int k = 0; k < EARLIER; k++) CHECK(earlier_marks[k] == 99);
    for (int k = 0; k < MINE; k++) {
        CHECK(my_marks[k] == 1 || my_marks[k] == 99);
        mine_by_caller += my_marks[k] == 1;
    }
    CHECK(mine_by_caller > 0);
    CHECK_STATUS(PC_OK, pc_job_free(mine));
    CHECK_STATUS(PC_OK, pc_job_free(earlier));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* The caller takes a worker's place: on a pool of one sleeping worker (spin off), a synchronous job runs
   on its caller alone, not on two threads. */
static void test_a_pool_of_one_runs_a_synchronous_job_on_one_thread(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, 0));
    sleep_ms(10); /* the worker is asleep */
    uint64_t marks[6] = {0};
    pc_args args = marks_args(marks, 6, 1000);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &args, 6, 1, &job, NULL));
    thread_mark = 5;
    CHECK_STATUS(PC_OK, pc_job_run_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL));
    thread_mark = 0;
    for (int k = 0; k < 6; k++) CHECK(marks[k] == 5); /* before: the woken worker took some */
    CHECK_STATUS(PC_OK, pc_job_free(job));
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* ---- lazy waking (issue 11): a job its kernel's recent cost calls short wakes no one at first -------- */

static void test_lazy_wake_window_is_validated_and_defaults_to_about_one_wake_up(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    check_ns_setting(pool, pc_pool_set_lazy_wake_ns, pc_pool_lazy_wake_ns, PC_POOL_DEFAULT_LAZY_WAKE_NS,
                     PC_POOL_MAX_LAZY_WAKE_NS);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

static int items_run_right_away_by_workers(pc_pool* pool, uint64_t count, int64_t sleep_us);

/* Runs `count` whose_thread items of `sleep_us` each, one per task, as a synchronous job on this thread
   (mark 4) once the pool's workers are asleep; returns how many items a worker ran. */
static int items_run_by_workers(pc_pool* pool, uint64_t count, int64_t sleep_us) {
    sleep_ms(10); /* past any spin window: the workers are asleep */
    return items_run_right_away_by_workers(pool, count, sleep_us);
}

/* The synchronous job of items_run_by_workers, started at once. */
static int items_run_right_away_by_workers(pc_pool* pool, uint64_t count, int64_t sleep_us) {
    uint64_t marks[16] = {0};
    CHECK(count <= 16);
    pc_args args = marks_args(marks, count, sleep_us);
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &args, count, 1, &job, NULL));
    thread_mark = 4;
    CHECK_STATUS(PC_OK, pc_job_run_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL));
    thread_mark = 0;
    CHECK_STATUS(PC_OK, pc_job_free(job));
    int by_workers = 0;
    for (uint64_t k = 0; k < count; k++) {
        CHECK(marks[k] == 4 || marks[k] == 99);
        by_workers += marks[k] == 99;
    }
    return by_workers;
}

/* A kernel's first synchronous job wakes the workers at once. Once its caller has measured the kernel's
   items (one 50 us sleep each: ~130 us with this VM's timer slack), a job expected to fit in the window -- but not
   in an eighth of it, so it is queued (deferred, not hidden) -- runs on the caller alone: no sleeping worker
   is woken (with the window off, the same job's woken worker takes part). */
static void test_a_job_expected_within_the_window_wakes_no_worker(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, 0));
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, PC_POOL_MAX_LAZY_WAKE_NS));
    CHECK(items_run_by_workers(pool, 8, 20000) > 0); /* unknown kernel: eager; 8 items of 20 ms */
    /* the caller measures the items; a fall is taken half at a time: 20 ms halves to 100 us in 8 */
    for (int i = 0; i < 20; i++) items_run_by_workers(pool, 2, 20);
    CHECK(items_run_by_workers(pool, 3, 20) == 0); /* expected ~400 us: queued, no one woken */
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, 0));
    CHECK(items_run_by_workers(pool, 8, 20) > 0); /* eager: the worker wakes within the first item */
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* After a quiet spell a short job is left to its caller, but the next one, started right after it (a
   stream: within the spin window), wakes a worker at once, which then takes part (and keeps spinning for
   the one after). Before, every job of such a stream was left to its caller: workers asleep at its start
   stayed asleep, and AUTO timed the pool at its serial speed (reduce_sum over 1 MiB: 15.6 us against
   8.6 us for a pool whose workers were awake). */
static void test_a_stream_of_short_jobs_wakes_the_workers_after_its_first(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    /* 100 us: a spinner on the other core can hold off the caller's timer wake-ups (here one 50 us sleep
       took 1.1 ms beside a worker spinning for 1 ms), which would spoil the measured cost */
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, 100000));
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, PC_POOL_MAX_LAZY_WAKE_NS));
    for (int i = 0; i < 20; i++) items_run_by_workers(pool, 2, 20); /* measured: ~130 us per item */
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, PC_POOL_MAX_SPIN_NS)); /* the stream: within 1 ms */
    CHECK(items_run_by_workers(pool, 3, 20) == 0);             /* after 10 ms: deferred */
    int joined = items_run_right_away_by_workers(pool, 3, 20); /* right after it: a stream */
    if (getenv("PC_TEST_LOOSE_TIMING") != NULL) {
        /* valgrind runs one thread at a time, ~50x slower: "right after" may be more than 1 ms later */
        printf("     loose timing (valgrind): a worker took %d of 3 items of the second job\n", joined);
    } else {
        CHECK(joined > 0);
    }
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* A wrong guess is mended within the job: items measured at one 50 us sleep (~130 us with the timer slack
   of this VM), then a job of 4 items of eight sleeps each (expected ~520 us: deferred, not hidden; it
   takes ~4 ms) with a 1 ms window -- the caller wakes the workers after a task once the window has
   passed, and they take part. */
static void test_a_job_that_outlasts_the_window_wakes_the_workers_then(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, 0));
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, PC_POOL_MAX_LAZY_WAKE_NS));
    for (int i = 0; i < 20; i++) items_run_by_workers(pool, 2, 20); /* measured: ~130 us per item here */
    int by_workers = items_run_by_workers(pool, 4, 400);             /* expected ~520 us, takes ~4 ms */
    CHECK(by_workers > 0);
    CHECK(by_workers < 4);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* Runs `count` whose_thread items (one 50 us sleep each, one per task) as a synchronous job on this thread
   (mark 4) right after an asynchronous gcd job the workers ran, so that they are spinning (window 1 ms);
   returns how many items a worker ran. */
static int items_run_by_spinning_workers(pc_pool* pool, uint64_t count) {
    int64_t a[2] = {12, 30}, b[2] = {18, 45}, out[2];
    pc_args gcd = pair_args(a, b, out);
    pc_job* warm = NULL;
    CHECK_STATUS(PC_OK, pc_job_submit(pool, PC_KERNEL_GCD_BRUTE, &gcd, 2, 1, &warm, NULL));
    CHECK_STATUS(PC_OK, pc_job_wait(warm, -1));
    CHECK_STATUS(PC_OK, pc_job_free(warm));
    return items_run_right_away_by_workers(pool, count, 20);
}

/* A job expected to take a few microseconds (under an eighth of the window) is not queued at all: a
   spinning worker does not join it either (another thread's joining costs a job that short more than it
   saves: 16x16 matmul took 1.4x its serial time on the pool). With the window off, the spinner joins. */
static void test_a_job_expected_to_take_microseconds_is_not_queued_even_for_a_spinning_worker(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, PC_POOL_MAX_SPIN_NS));
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, PC_POOL_MAX_LAZY_WAKE_NS)); /* hidden below 125 us */
    for (int i = 0; i < 40; i++) items_run_by_workers(pool, 4, 0); /* measured cheap (a few ns per item) */
    CHECK(items_run_by_spinning_workers(pool, 2) == 0); /* ~100 us of sleeps, estimated at nanoseconds */
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, 0));
    CHECK(items_run_by_spinning_workers(pool, 2) > 0);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* A job hidden on a wrong guess is queued once the window has passed, and the workers join it. */
static void test_a_hidden_job_that_outlasts_the_window_is_queued_and_joined(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, 0));
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, 100000));
    for (int i = 0; i < 40; i++) items_run_by_workers(pool, 4, 0); /* measured cheap: hidden next */
    int by_workers = items_run_by_workers(pool, 12, 20);            /* 12 x 50 us or more */
    CHECK(by_workers > 0);
    CHECK(by_workers < 12);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* `count` whose_thread items of `sleep_us` each, one per task, through pc_pool_run_def_buffers on this
   thread (mark 4) once the workers are asleep, counting each item's runs: checks that each ran once and
   returns how many a worker ran. */
static int bumps_run_by_workers(pc_pool* pool, uint64_t count, int64_t sleep_us) {
    int64_t runs[16] = {0};
    uint64_t who[16] = {0};
    CHECK(count <= 16);
    pc_args args = marks_args(who, 16, sleep_us);
    args.out_bytes[1] = sizeof runs;
    sleep_ms(10); /* past any spin window: the workers are asleep */
    thread_mark = 4;
    CHECK_STATUS(PC_OK, pc_pool_run_def_buffers(pool, &WHOSE_THREAD, &args, count, 1, NULL, NULL, NULL, NULL, NULL,
                                                who, runs));
    thread_mark = 0;
    int by_workers = 0;
    for (uint64_t k = 0; k < count; k++) {
        CHECK(runs[k] == 1);
        CHECK(who[k] == 4 || who[k] == 99);
        by_workers += who[k] == 99;
    }
    for (uint64_t k = count; k < 16; k++) CHECK(runs[k] == 0);
    return by_workers;
}

/* pc_pool_run_def_buffers runs a call expected to take microseconds on its caller without a job; when
   the guess is wrong, it hands the tasks left after the window to a job that the workers join, and every
   item still runs exactly once (a job that started again from its first task would run the first twice). */
static void test_a_buffers_call_expected_short_runs_without_a_job_and_hands_the_rest_over_if_wrong(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, 0));
    CHECK_STATUS(PC_OK, pc_pool_set_lazy_wake_ns(pool, 100000));
    for (int i = 0; i < 40; i++) bumps_run_by_workers(pool, 4, 0); /* measured cheap: no job next */
    int cheap_by_workers = bumps_run_by_workers(pool, 16, 0);
    if (getenv("PC_TEST_LOOSE_TIMING") != NULL) {
        /* valgrind runs ~50x slower: 16 cheap items may be measured above an eighth of the window (12.5 us) */
        printf("     loose timing (valgrind): a worker took %d of 16 cheap items\n", cheap_by_workers);
    } else {
        CHECK(cheap_by_workers == 0);
    }
    int by_workers = bumps_run_by_workers(pool, 12, 20); /* 12 x 50 us or more */
    CHECK(by_workers > 0);
    CHECK(by_workers < 12);
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* pc_pool_destroy while a caller of pc_job_run_and_wait is inside its job's endless item: destroy
   cancels it and waits for the caller to leave before it frees the pool (else the caller's leaving
   locks a freed mutex: ASan and valgrind see it). */
static void test_destroy_waits_for_a_caller_inside_its_job(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(1, &pool));
    uint64_t marks[2] = {0, 0};
    pc_args endless = marks_args(marks, 2, 100 * 1000 * 1000); /* 100 s per item, unless cancelled */
    endless.iparam[1] = 100;                                /* the caller leaves 100 ms after the cancel */
    pc_job* job = NULL;
    CHECK_STATUS(PC_OK, pc_job_create_def(pool, &WHOSE_THREAD, &endless, 2, 1, &job, NULL));
    CHECK_STATUS(PC_OK, pc_job_set_completion_tag(job, 5)); /* finishing it then writes to the pool */
    sync_call call = {.job = job, .mark = 3, .status = -1};
    pthread_t caller;
    CHECK(pthread_create(&caller, NULL, start_and_wait_main, &call) == 0);
    CHECK_STATUS(PC_OK, pc_job_wait_started(job, -1));
    sleep_ms(20); /* the caller and the worker are each inside an endless item */
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    CHECK_STATUS(PC_ERR_CANCELLED, pc_job_wait(job, 0)); /* finished when destroy returns, as documented */
    pthread_join(caller, NULL);
    CHECK_STATUS(PC_ERR_CANCELLED, call.status);
    CHECK_STATUS(PC_OK, pc_job_free(job));
}

/* CPU time of the whole process (every thread), in seconds. */
static double process_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Idle workers spin one bounded window, then sleep: over 200 ms of an idle pool, with the longest window
   allowed, the process uses (almost) no CPU. A spinner that never slept would use ~200 ms per worker. */
static void test_idle_workers_use_no_cpu_once_the_spin_window_has_passed(void) {
    pc_pool* pool = NULL;
    CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
    CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, PC_POOL_MAX_SPIN_NS));
    int64_t a[8] = {12, 30, 7, 9, 100, 81, 64, 15}, b[8] = {18, 45, 21, 6, 75, 27, 48, 25}, out[8];
    pc_args args = pair_args(a, b, out);
    for (int round = 0; round < 200; round++) {
        pc_job* job = NULL;
        CHECK_STATUS(PC_OK, pc_job_create(pool, PC_KERNEL_GCD_BRUTE, &args, 8, 1, &job, NULL));
        CHECK_STATUS(PC_OK, pc_job_run_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL));
        CHECK_STATUS(PC_OK, pc_job_free(job));
        for (int k = 0; k < 8; k++) CHECK(out[k] == euclid(a[k], b[k]));
    }
    sleep_ms(10); /* past the 1 ms window */
    double cpu0 = process_cpu_seconds(), wall0 = now_seconds();
    sleep_ms(200);
    double cpu = process_cpu_seconds() - cpu0, wall = now_seconds() - wall0;
    printf("     idle pool of 2 workers (spin window 1 ms): %.2f ms CPU over %.0f ms\n", cpu * 1e3, wall * 1e3);
    CHECK(cpu < 0.010); /* the watchdog thread wakes twice; a spinning worker alone would be ~0.2 s */
    CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
}

/* Many small synchronous jobs from two callers at once beside asynchronous ones, with spinning on: every
   result right, every job finished once (meant for ThreadSanitizer too). */
typedef struct {
    pc_pool* pool;
    int sync;
    int failures;
} small_jobs;

static void* small_jobs_main(void* arg) {
    small_jobs* s = arg;
    int64_t a[6] = {12, 30, 7, 9, 100, 81}, b[6] = {18, 45, 21, 6, 75, 27}, out[6];
    pc_args args = pair_args(a, b, out);
    for (int round = 0; round < 1000; round++) {
        memset(out, 0, sizeof out);
        pc_job* job = NULL;
        uint64_t n = 1 + (uint64_t)round % 6;
        if (pc_job_create(s->pool, PC_KERNEL_GCD_BRUTE, &args, n, 1, &job, NULL) != PC_OK) {
            s->failures++;
            continue;
        }
        pc_status st = s->sync ? pc_job_run_and_wait(job, NULL, NULL, NULL, NULL, NULL, NULL)
                               : (pc_job_start(job), pc_job_wait(job, -1));
        if (st != PC_OK) s->failures++;
        for (uint64_t k = 0; k < n; k++) s->failures += out[k] != euclid(a[k], b[k]);
        if (pc_job_free(job) != PC_OK) s->failures++;
    }
    return NULL;
}

static void test_small_synchronous_and_asynchronous_jobs_from_several_threads(void) {
    static const int64_t spins[] = {0, 50000}; /* off, and 50 us */
    for (size_t i = 0; i < sizeof spins / sizeof spins[0]; i++) {
        int64_t spin = spins[i];
        pc_pool* pool = NULL;
        CHECK_STATUS(PC_OK, pc_pool_create(2, &pool));
        CHECK_STATUS(PC_OK, pc_pool_set_spin_ns(pool, spin));
        small_jobs runs[3] = {{pool, 1, 0}, {pool, 1, 0}, {pool, 0, 0}};
        pthread_t threads[3];
        for (int t = 0; t < 3; t++) CHECK(pthread_create(&threads[t], NULL, small_jobs_main, &runs[t]) == 0);
        for (int t = 0; t < 3; t++) {
            pthread_join(threads[t], NULL);
            CHECK(runs[t].failures == 0);
        }
        CHECK_STATUS(PC_OK, pc_pool_destroy(pool));
    }
}

int main(void) {
    const char* limit = getenv("PC_TEST_WATCHDOG_S");
    if (limit != NULL && atol(limit) > 0) watchdog_limit_s = atol(limit);
    only = getenv("PC_TEST_ONLY");
    pthread_t watchdog;
    if (pthread_create(&watchdog, NULL, watchdog_main, NULL) != 0) return 3;
    printf("pcompute %s pool tests (watchdog %ld s per test)\n", pc_version(), watchdog_limit_s);
    run_test("completion_calls_validate_arguments", test_completion_calls_validate_arguments);
    run_test("tags_arrive_in_finishing_order_for_every_outcome", test_tags_arrive_in_finishing_order_for_every_outcome);
    run_test("a_blocked_completion_waiter_gets_the_tag_of_a_later_job",
             test_a_blocked_completion_waiter_gets_the_tag_of_a_later_job);
    run_test("wake_releases_every_waiter_and_is_never_missed", test_wake_releases_every_waiter_and_is_never_missed);
    run_test("freeing_a_job_whose_tag_is_queued_unlinks_the_tag", test_freeing_a_job_whose_tag_is_queued_unlinks_the_tag);
    run_test("wait_started_returns_once_the_job_left_the_created_state",
             test_wait_started_returns_once_the_job_left_the_created_state);
    run_test("destroy_cancels_a_running_job_that_left_the_queue", test_destroy_cancels_a_running_job_that_left_the_queue);
    run_test("destroy_detaches_created_queued_and_finished_jobs", test_destroy_detaches_created_queued_and_finished_jobs);
    run_test("cancelling_ten_thousand_queued_jobs_finishes_each_in_cancel_order",
             test_cancelling_ten_thousand_queued_jobs_finishes_each_in_cancel_order);
    run_test("submitters_cancellers_and_a_completion_thread_then_destroy_in_flight",
             test_submitters_cancellers_and_a_completion_thread_then_destroy_in_flight);
    run_test("spin_window_is_validated_and_defaults_to_about_one_wake_up",
             test_spin_window_is_validated_and_defaults_to_about_one_wake_up);
    run_test("a_synchronous_job_runs_on_its_caller_while_every_worker_is_busy_start_and_wait_only_waits",
             test_a_synchronous_job_runs_on_its_caller_while_every_worker_is_busy);
    run_test("the_caller_never_runs_another_jobs_tasks", test_the_caller_never_runs_another_jobs_tasks);
    run_test("a_pool_of_one_runs_a_synchronous_job_on_one_thread", test_a_pool_of_one_runs_a_synchronous_job_on_one_thread);
    run_test("lazy_wake_window_is_validated_and_defaults_to_about_one_wake_up",
             test_lazy_wake_window_is_validated_and_defaults_to_about_one_wake_up);
    run_test("a_job_expected_within_the_window_wakes_no_worker", test_a_job_expected_within_the_window_wakes_no_worker);
    run_test("a_stream_of_short_jobs_wakes_the_workers_after_its_first",
             test_a_stream_of_short_jobs_wakes_the_workers_after_its_first);
    run_test("a_job_that_outlasts_the_window_wakes_the_workers_then",
             test_a_job_that_outlasts_the_window_wakes_the_workers_then);
    run_test("a_job_expected_to_take_microseconds_is_not_queued_even_for_a_spinning_worker",
             test_a_job_expected_to_take_microseconds_is_not_queued_even_for_a_spinning_worker);
    run_test("a_hidden_job_that_outlasts_the_window_is_queued_and_joined",
             test_a_hidden_job_that_outlasts_the_window_is_queued_and_joined);
    run_test("a_buffers_call_expected_short_runs_without_a_job_and_hands_the_rest_over_if_wrong",
             test_a_buffers_call_expected_short_runs_without_a_job_and_hands_the_rest_over_if_wrong);
    run_test("destroy_waits_for_a_caller_inside_its_job", test_destroy_waits_for_a_caller_inside_its_job);
    run_test("idle_workers_use_no_cpu_once_the_spin_window_has_passed",
             test_idle_workers_use_no_cpu_once_the_spin_window_has_passed);
    run_test("small_synchronous_and_asynchronous_jobs_from_several_threads",
             test_small_synchronous_and_asynchronous_jobs_from_several_threads);
    atomic_store(&watchdog_stop, 1);
    pthread_join(watchdog, NULL); /* joined, not detached: valgrind reports a detached thread's stack */
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
