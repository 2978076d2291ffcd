package io.pcompute;

import io.pcompute.internal.WorkerHooks;
import io.pcompute.internal.WorkerProcess;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProcessPool#submit}: the asynchronous surface of the process pool (future, live progress, cancel
 * of queued and running jobs, a job's own timeout, crashes through the future, close draining the queue).
 */
class ProcessJobTest {
    private static final Pairs ENDLESS = new Pairs(new long[] {TestData.ENDLESS_A}, new long[] {TestData.ENDLESS_B});

    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerHooks.clear();
        WorkerTestSupport.assertNoneRemain();
    }

    private static long[] reference(Gcd kernel, Pairs p) {
        long[] out = new long[p.a().length];
        for (int k = 0; k < out.length; k++) {
            out[k] = kernel.apply(p.a()[k], p.b()[k]);
        }
        return out;
    }

    /** Waits (at most 10 s) until the job is running: the pool's job thread has taken it. */
    private static void awaitRunning(ProcessJob<?> job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!job.isDone() && System.nanoTime() < deadline && !job.isRunning()) {
            Thread.sleep(5);
        }
        assertTrue(job.isRunning(), job + " did not start");
    }

    @Test
    @Timeout(60)
    void submittedJobsCompleteWithTheReferenceResultsOffThePoolsSlotThreads() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Pairs> problems = new ArrayList<>();
            List<ProcessJob<long[]>> jobs = new ArrayList<>();
            List<AtomicReference<String>> callbackThreads = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Pairs p = new Pairs(TestData.random(100 + i, 500 + 100 * i, 1, 100_000),
                        TestData.random(200 + i, 500 + 100 * i, 1, 100_000));
                problems.add(p);
                ProcessJob<long[]> job = pool.submit(i % 2 == 0 ? Gcd.FAST : Gcd.BRUTE, p);
                AtomicReference<String> thread = new AtomicReference<>();
                job.future().thenRun(() -> thread.set(Thread.currentThread().getName()));
                jobs.add(job);
                callbackThreads.add(thread);
                assertEquals(p.a().length, job.total());
            }
            for (int i = 0; i < jobs.size(); i++) {
                long[] result = jobs.get(i).join();
                assertArrayEquals(reference(i % 2 == 0 ? Gcd.FAST : Gcd.BRUTE, problems.get(i)), result, "job " + i);
                assertEquals(jobs.get(i).total(), jobs.get(i).done());
                assertArrayEquals(result, jobs.get(i).future().get(10, TimeUnit.SECONDS));
            }
            for (AtomicReference<String> t : callbackThreads) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (t.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(t.get() != null && !t.get().startsWith("pcompute-process-slot"), "callback ran on " + t.get());
            }
        }
    }

    @Test
    @Timeout(60)
    void progressIsLiveWhileASubmittedJobRuns() throws Exception {
        // a partner above 2^53 keeps gcd_brute scalar (~1 ms a pair): the job lasts long enough to be watched
        long[] a = Arrays.stream(TestData.random(7, 300, 100_000, 500_000)).map(x -> (1L << 53) + x).toArray();
        long[] b = TestData.random(8, 300, 100_000, 500_000);
        try (ProcessPool pool = ProcessPool.create(2)) {
            ProcessJob<long[]> job = pool.submit(Gcd.BRUTE, new Pairs(a, b));
            List<Long> seen = new ArrayList<>();
            while (!job.isDone()) {
                seen.add(job.done());
                Thread.sleep(2);
            }
            assertArrayEquals(reference(Gcd.BRUTE, new Pairs(a, b)), job.join());
            assertEquals(300, job.done());
            assertTrue(seen.stream().anyMatch(d -> d > 0 && d < 300), "no progress seen between 0 and 300: " + seen.size()
                    + " polls");
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) >= seen.get(i - 1), "progress went back: " + seen);
            }
        }
    }

    @Test
    @Timeout(60)
    void cancelStopsARunningJobThroughTheCancelWordWithoutKillingItsWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            List<Long> before = pool.workerPids();
            ProcessJob<long[]> job = pool.submit(Gcd.BRUTE, ENDLESS);
            awaitRunning(job);
            Thread.sleep(200); // inside the kernel by now
            long start = System.nanoTime();
            assertTrue(job.cancel());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < ProcessPool.GRACE_MILLIS, "cancel took " + ms + " ms: the kernel should stop at its cancel check");
            assertTrue(job.isDone());
            assertTrue(job.future().isCancelled());
            assertThrows(CancellationException.class, job::join);
            assertEquals(before, pool.workerPids());
            assertArrayEquals(new long[] {6}, pool.submit(Gcd.BRUTE, new Pairs(new long[] {12}, new long[] {18})).join());
        }
    }

    @Test
    @Timeout(60)
    void cancelKillsAndReplacesAWorkerWhoseKernelDoesNotStop() throws Exception {
        long[] a = TestData.random(3, 32, 1, 1000);
        try (ProcessPool pool = ProcessPool.create(2, WorkerTestSupport.hooksWorker())) {
            List<Long> before = pool.workerPids();
            WorkerHooks.plant(WorkerProcess.HOOK_HANG, 5);
            ProcessJob<long[]> job = pool.submit(Gcd.FAST, new Pairs(a, a));
            awaitRunning(job);
            Thread.sleep(100); // let the worker reach the hang
            long start = System.nanoTime();
            assertTrue(job.cancel());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= ProcessPool.GRACE_MILLIS - 50, "the hung worker was given " + ms + " ms, not the grace period");
            CancellationException e = assertThrows(CancellationException.class, job::join);
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
            WorkerHooks.clear();
            assertArrayEquals(a, pool.submit(Gcd.FAST, new Pairs(a, a)).join());
            WorkerTestSupport.awaitWorkers(pool, 2);
            List<Long> after = pool.workerPids();
            assertNotEquals(before, after, "the hung worker was not replaced");
        }
    }

    @Test
    @Timeout(60)
    void aQueuedJobCancelledNeverRunsAndEndsAtOnce() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            ProcessJob<long[]> running = pool.submit(Gcd.BRUTE, ENDLESS);
            awaitRunning(running);
            ProcessJob<long[]> queued = pool.submit(Gcd.FAST, new Pairs(new long[] {4}, new long[] {6}));
            ProcessJob<long[]> queued2 = pool.submit(Gcd.FAST, new Pairs(new long[] {4}, new long[] {6}));
            assertTrue(queued.cancel());
            assertTrue(queued.isDone());
            assertEquals(0, queued.done());
            assertTrue(queued2.future().cancel(true));
            assertThrows(CancellationException.class, queued2::join); // ends without waiting for the worker
            assertEquals(0, queued2.done());
            assertFalse(running.isDone(), "cancelling queued jobs touched the running one");
            assertTrue(running.cancel());
            assertThrows(CancellationException.class, queued::join);
        }
    }

    @Test
    @Timeout(60)
    void aSmallJobRunsBesideALongOneOnAnotherWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            ProcessJob<long[]> endless = pool.submit(Gcd.BRUTE, ENDLESS); // one chunk: one worker
            awaitRunning(endless);
            for (int i = 0; i < 20; i++) {
                Pairs p = new Pairs(TestData.random(300 + i, 50, 1, 10_000), TestData.random(400 + i, 50, 1, 10_000));
                assertArrayEquals(reference(Gcd.BRUTE, p), pool.submit(Gcd.BRUTE, p).await(Duration.ofSeconds(20)));
                assertArrayEquals(reference(Gcd.FAST, p), pool.run(Gcd.FAST, p));
            }
            assertFalse(endless.isDone());
            assertTrue(endless.cancel());
        }
    }

    @Test
    @Timeout(60)
    void closeInsideASubmittedJobsFinishThrowsInsteadOfDeadlocking() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (ProcessPool pool = ProcessPool.create(1); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            java.lang.foreign.MemorySegment a = pool.allocate(arena, 8), b = pool.allocate(arena, 8);
            a.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 12);
            b.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 18);
            SegmentGcd closing = new SegmentGcd(() -> {
                try {
                    pool.close();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertArrayEquals(new long[] {6}, pool.submit(closing, new SegmentGcd.Problem(a, b)).join());
            assertInstanceOf(IllegalStateException.class, thrown.get());
            assertTrue(thrown.get().getMessage().contains("finish()"), thrown.get().getMessage());
            assertFalse(pool.isClosed());
        }
    }

    @Test
    @Timeout(60)
    void cancellingTheFutureCompletesItAtOnceAndStopsTheJob() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            ProcessJob<long[]> job = pool.submit(Gcd.BRUTE, ENDLESS);
            awaitRunning(job);
            assertTrue(job.future().cancel(true));
            assertTrue(job.future().isCancelled());
            ExecutionException notExpected = null;
            try {
                job.future().get();
            } catch (CancellationException expected) {
                // as Future specifies
            } catch (ExecutionException e) {
                notExpected = e;
            }
            assertEquals(null, notExpected);
            assertThrows(CancellationException.class, job::join); // join waits for the job to end
            assertTrue(job.isDone());
            assertTrue(job.cancel(), "a job whose future was cancelled counts as cancelled");
        }
    }

    @Test
    @Timeout(60)
    void aSubmittedJobOverItsTimeoutFailsWithJobTimeoutException() throws Exception {
        long[] a = TestData.random(3, 32, 1, 1000);
        try (ProcessPool pool = ProcessPool.create(2, WorkerTestSupport.hooksWorker())) {
            WorkerHooks.plant(WorkerProcess.HOOK_HANG, 7);
            ProcessJob<long[]> job = pool.submit(Gcd.FAST, new Pairs(a, a), Duration.ofMillis(300));
            ExecutionException e = assertThrows(ExecutionException.class, () -> job.future().get(30, TimeUnit.SECONDS));
            JobTimeoutException timeout = assertInstanceOf(JobTimeoutException.class, e.getCause());
            assertEquals(1, timeout.killedWorkers().size(), timeout.getMessage());
            assertThrows(JobTimeoutException.class, job::join);
            assertFalse(job.cancel(), "a job that failed did not end cancelled");
            WorkerHooks.clear();
            assertArrayEquals(a, pool.submit(Gcd.FAST, new Pairs(a, a), Duration.ofSeconds(30)).join());
        }
    }

    @Test
    @Timeout(120)
    void aCrashFailsOnlyItsOwnJobAndTheQueuedJobsRunOnAReplacedWorker() throws Exception {
        long[] a = TestData.random(1, 64, 1, 1_000_000);
        long[] b = TestData.random(2, 64, 1, 1_000_000);
        try (ProcessPool pool = ProcessPool.create(2, WorkerTestSupport.hooksWorker())) {
            WorkerHooks.plant(WorkerProcess.HOOK_SEGV, 37, "gcd_fast");
            ProcessJob<long[]> crashing = pool.submit(Gcd.FAST, new Pairs(a, b));
            List<ProcessJob<long[]>> after = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                after.add(pool.submit(Gcd.BRUTE, new Pairs(a, b)));
            }
            WorkerCrashedException e = assertThrows(WorkerCrashedException.class, crashing::join);
            assertEquals(11, e.signal(), e.getMessage());
            CompletionException viaFuture = assertThrows(CompletionException.class, () -> crashing.future().join());
            assertInstanceOf(WorkerCrashedException.class, viaFuture.getCause());
            for (ProcessJob<long[]> job : after) {
                assertArrayEquals(reference(Gcd.BRUTE, new Pairs(a, b)), job.join());
            }
            WorkerTestSupport.awaitWorkers(pool, 2);
        }
    }

    @Test
    @Timeout(60)
    void closeWaitsForTheQueuedJobsThenRefusesNewOnes() {
        ProcessPool pool = ProcessPool.create(2);
        List<ProcessJob<long[]>> jobs = new ArrayList<>();
        List<Pairs> problems = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Pairs p = new Pairs(TestData.random(i, 2000, 1, 50_000), TestData.random(i + 50, 2000, 1, 50_000));
            problems.add(p);
            jobs.add(pool.submit(Gcd.BRUTE, p));
        }
        pool.close();
        for (int i = 0; i < jobs.size(); i++) {
            assertTrue(jobs.get(i).isDone(), "close() returned before job " + i + " ended");
            assertArrayEquals(reference(Gcd.BRUTE, problems.get(i)), jobs.get(i).join());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> pool.submit(Gcd.FAST, new Pairs(new long[] {4}, new long[] {6})));
        assertEquals("this process pool is closed", e.getMessage());
        pool.close(); // idempotent
    }

    @Test
    @Timeout(60)
    void submitRejectsBadInputInTheCallerBeforeQueuingAnything() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.submit(Gcd.BRUTE, new Pairs(new long[] {0}, new long[] {1})));
            assertTrue(e.getMessage().contains("0"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> pool.submit(Gcd.FAST, new Pairs(new long[] {1}, new long[] {1}), Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> pool.submit(null, new Pairs(new long[] {1}, new long[] {1})));
            assertArrayEquals(new long[] {1}, pool.submit(Gcd.FAST, new Pairs(new long[] {1}, new long[] {1})).await(
                    Duration.ofSeconds(30)));
        }
    }

    @Test
    @Timeout(60)
    void awaitTimesOutWhileTheJobRunsOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            ProcessJob<long[]> job = pool.submit(Gcd.BRUTE, ENDLESS);
            TimeoutException e = assertThrows(TimeoutException.class, () -> job.await(Duration.ofMillis(50)));
            assertTrue(e.getMessage().contains("keeps running"), e.getMessage());
            assertFalse(job.isDone());
            assertTrue(job.cancel());
        }
    }
}
