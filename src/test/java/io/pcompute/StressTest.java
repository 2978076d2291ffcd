package io.pcompute;

import io.pcompute.kernel.Pairs;
import io.pcompute.kernel.Compare;
import io.pcompute.kernels.JavaReference;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile concurrent use of the public API for a bounded time: many Java threads run random kernels with
 * random inputs synchronously and asynchronously on one shared {@link NativePool} and on runners of every
 * {@link Strategy}; they cancel jobs ({@code job.cancel()}, {@code future().cancel(true)}, from a second
 * thread), wait with timeouts, submit from completion callbacks, pass native segments zero-copy (and try to
 * close their arena early), and create and close pools with jobs in flight. Every result that was not
 * cancelled must equal the kernel's Java reference under its comparison rule.
 *
 * <p>A watchdog turns a hang into a failure and prints every thread's full stack. After a warm-up round
 * (JIT, GC and malloc arenas reach their steady state) the process's thread count, malloc'd bytes in use and
 * RSS are measured; after the stress round, with everything closed and a GC, they must be back within
 * {@link #THREAD_TOLERANCE} threads, {@link #MALLOC_TOLERANCE_MIB} MiB and {@link #RSS_TOLERANCE_MIB} MiB.
 *
 * <p>System properties: {@code pcompute.stress.seconds} (stress round, default 30),
 * {@code pcompute.stress.warmup.seconds} (default 5), {@code pcompute.stress.threads} (Java threads, default
 * 12), {@code pcompute.stress.seed} (default: from the clock; always printed — it fixes every thread's inputs
 * and choices, not the interleaving), {@code pcompute.stress.grace.seconds} (how long past the rounds the
 * watchdog waits before it calls it a hang, default 120). A long run:
 * {@code mvn -B test -Dtest=StressTest -Dpcompute.stress.seconds=600}.
 */
class StressTest {
    private static final long SECONDS = Long.getLong("pcompute.stress.seconds", 30);
    private static final long WARMUP_SECONDS = Long.getLong("pcompute.stress.warmup.seconds", 5);
    private static final int THREADS = Integer.getInteger("pcompute.stress.threads", 12);
    private static final long SEED = Long.getLong("pcompute.stress.seed", System.nanoTime());

    /**
     * OS threads (native pool workers included) the process may end with above its count after the warm-up:
     * the JVM starts and retires JIT compiler and GC worker threads on its own.
     */
    static final int THREAD_TOLERANCE = 4;
    /**
     * Growth allowed over the stress round in the bytes malloc has handed out and not had back (glibc's
     * mallinfo2, every arena): native memory pcompute allocates (the C library, scratch buffers, arenas of
     * Java segments) all comes from malloc, so a leak shows here first. Measured: -2 MiB over a 20 s round
     * (50,000 jobs); 16 MiB catches a leak of about 300 bytes per job in a default run.
     */
    static final long MALLOC_TOLERANCE_MIB = Long.getLong("pcompute.stress.malloc.tolerance.mib", 16);
    /**
     * RSS growth allowed over the stress round: a coarse check for what malloc's count misses (mmap). RSS
     * itself grows without a leak: glibc keeps up to 40 MiB of exited threads' stacks for reuse, and freed
     * memory stays in its per-thread arenas. Measured (2 cores, malloc in use flat meanwhile): +67 MiB after
     * 20 s, +45 MiB after 120 s, +121 MiB after 240 s. {@code -Dpcompute.stress.rss.tolerance.mib}
     * overrides it; under ASan freed memory also sits in a 256 MiB quarantine (see .ci/asan-junit).
     */
    static final long RSS_TOLERANCE_MIB = Long.getLong("pcompute.stress.rss.tolerance.mib", 256);

    private static final int MAX_RECORDED_FAILURES = 20;
    /** Bounds every single wait in the test; the watchdog bounds the whole. */
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static final List<Kernel<?, ?>> KERNELS = Kernels.all();

    @Test
    void concurrentMixedUseMatchesReferenceAndLeavesNoThreadsOrMemoryBehind() {
        System.out.printf("StressTest: seed %d (-Dpcompute.stress.seed=%d), %d threads, %d s after a %d s warm-up%n",
                SEED, SEED, THREADS, SECONDS, WARMUP_SECONDS);
        // past the rounds' deadlines, operations in flight and the figures' settling take seconds at most
        Duration limit = Duration.ofSeconds(WARMUP_SECONDS + SECONDS + SECONDS / 2
                + Long.getLong("pcompute.stress.grace.seconds", 120));
        assertTimeoutPreemptively(limit, this::warmUpThenStress, () -> {
            String dump = Watchdog.threadDump();
            System.err.println("StressTest: no end after " + limit + " (seed " + SEED + "); all threads:\n" + dump);
            return "stress test hung (seed " + SEED + "); full thread dump on stderr. Threads in pcompute code:\n"
                    + Watchdog.pcomputeFrames(dump);
        });
    }

    private void warmUpThenStress() throws InterruptedException {
        Round warmUp = new Round(SEED ^ 0x9E3779B97F4A7C15L, WARMUP_SECONDS);
        warmUp.run();
        warmUp.assertNoFailures("warm-up");
        Figures before = Figures.settled(null);

        Round stress = new Round(SEED, SECONDS);
        stress.run();
        Figures after = Figures.settled(before);

        System.out.printf("StressTest: seed %d: %s%n", SEED, stress.counts());
        System.out.printf("StressTest: OS threads %d -> %d, Java threads %d -> %d, RSS %d -> %d MiB "
                        + "(tolerance +%d threads, +%d MiB), malloc in use %d -> %d MiB (tolerance +%d MiB), "
                        + "Java heap committed %d -> %d MiB%n",
                before.osThreads, after.osThreads, before.javaThreads, after.javaThreads,
                before.rssKib / 1024, after.rssKib / 1024, THREAD_TOLERANCE, RSS_TOLERANCE_MIB,
                before.mallocKib / 1024, after.mallocKib / 1024, MALLOC_TOLERANCE_MIB,
                before.heapKib / 1024, after.heapKib / 1024);
        stress.assertNoFailures("stress round");
        assertTrue(stress.verified.sum() > 0, "nothing was verified: " + stress.counts());
        assertTrue(after.osThreads <= before.osThreads + THREAD_TOLERANCE,
                "OS threads " + before.osThreads + " -> " + after.osThreads + " (tolerance " + THREAD_TOLERANCE + ")");
        assertTrue(after.javaThreads <= before.javaThreads + THREAD_TOLERANCE,
                "Java threads " + before.javaThreads + " -> " + after.javaThreads + ": " + Watchdog.threadNames());
        if (before.mallocKib >= 0 && after.mallocKib >= 0) {
            assertTrue(after.mallocKib <= before.mallocKib + MALLOC_TOLERANCE_MIB * 1024, "malloc in use "
                    + before.mallocKib / 1024 + " -> " + after.mallocKib / 1024 + " MiB (tolerance " + MALLOC_TOLERANCE_MIB + " MiB)");
        }
        assertTrue(after.rssKib <= before.rssKib + RSS_TOLERANCE_MIB * 1024,
                "RSS " + before.rssKib / 1024 + " -> " + after.rssKib / 1024 + " MiB (tolerance " + RSS_TOLERANCE_MIB + " MiB)");
    }

    /** A kernel and a problem; the expected result is the Java reference's. */
    private record Task<P, R>(Kernel<P, R> kernel, P problem) {
        static <P, R> Task<P, R> random(Kernel<P, R> kernel, SplittableRandom random, int size) {
            return new Task<>(kernel, kernel.random(random, size));
        }

        /** Null when {@code actual} matches the reference, else what differs. */
        String check(R actual) {
            String difference = kernel.difference(kernel.reference(problem), actual);
            return difference == null ? null : kernel + " on " + kernel.describe(problem) + ": " + difference;
        }
    }

    /** One timed round: threads issuing random operations until the deadline, then everything closed. */
    private static final class Round {
        final long seed;
        final long seconds;
        final LongAdder run = new LongAdder();
        final LongAdder verified = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final LongAdder timedOut = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder poolsChurned = new LongAdder();
        final AtomicInteger failureCount = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        NativePool shared;
        ExecutorService helpers;
        long stopAt;

        Round(long seed, long seconds) {
            this.seed = seed;
            this.seconds = seconds;
        }

        void run() throws InterruptedException {
            shared = NativePool.create(2);
            AtomicInteger ids = new AtomicInteger();
            // racing cancellers and closers; daemon so that a hang cannot keep the JVM alive
            helpers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "stress-helper-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            ExecutorService workers = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "stress-worker-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            SplittableRandom master = new SplittableRandom(seed);
            stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = 0; i < THREADS; i++) {
                workers.execute(new Worker(i, master.split()));
            }
            workers.shutdown();
            while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                // the watchdog bounds this
            }
            shared.close();
            helpers.shutdown();
            while (!helpers.awaitTermination(1, TimeUnit.SECONDS)) {
                // the watchdog bounds this
            }
        }

        String counts() {
            return String.format("jobs run %d, verified %d, cancelled %d, timed out %d, rejected after close %d, "
                            + "pools churned %d, failures %d", run.sum(), verified.sum(), cancelled.sum(),
                    timedOut.sum(), rejected.sum(), poolsChurned.sum(), failureCount.get());
        }

        void fail(String what) {
            if (failureCount.incrementAndGet() <= MAX_RECORDED_FAILURES) {
                failures.add(what);
            }
        }

        void assertNoFailures(String round) {
            if (failureCount.get() > 0) {
                org.junit.jupiter.api.Assertions.fail(round + ", seed " + seed + ": " + failureCount.get()
                        + " failures (first " + failures.size() + "):\n  " + String.join("\n  ", failures)
                        + "\n" + counts());
            }
        }

        /** One Java thread's random operations; its own runners, the round's shared pool. */
        private final class Worker implements Runnable {
            final int index;
            final SplittableRandom random;
            final Map<Strategy, Runner> runners = new EnumMap<>(Strategy.class);
            int op;
            String where = "";

            Worker(int index, SplittableRandom random) {
                this.index = index;
                this.random = random;
            }

            @Override
            public void run() {
                try {
                    while (System.nanoTime() < stopAt && failureCount.get() < MAX_RECORDED_FAILURES) {
                        op++;
                        int choice = random.nextInt(100);
                        try {
                            if (choice < 22) {
                                viaRunner(task());
                            } else if (choice < 34) {
                                where = "shared.run";
                                syncOnShared(task());
                            } else if (choice < 60) {
                                asyncOnShared(task());
                            } else if (choice < 67) {
                                endlessOnShared();
                            } else if (choice < 79) {
                                churnPool();
                            } else if (choice < 90) {
                                nestedFromCallbacks(task(), task());
                            } else {
                                segmentsOnShared();
                            }
                        } catch (Throwable t) {
                            fail(t);
                        }
                    }
                } finally {
                    for (Runner r : runners.values()) {
                        try {
                            r.close();
                        } catch (Throwable t) {
                            fail(t);
                        }
                    }
                }
            }

            private void fail(String what) {
                Round.this.fail("thread " + index + " op " + op + " (" + where + "): " + what);
            }

            private void fail(Throwable t) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                String[] lines = trace.toString().split("\n");
                fail(String.join("\n      ", Arrays.copyOf(lines, Math.min(lines.length, 12))));
            }

            private Task<?, ?> task() {
                // mostly small problems, so many jobs run; some larger ones, so cancels hit running work
                int size = random.nextInt(5) == 0 ? random.nextInt(60, 400) : random.nextInt(1, 60);
                Task<?, ?> task = Task.random(KERNELS.get(random.nextInt(KERNELS.size())), random, size);
                where = task.kernel().toString();
                return task;
            }

            private <R> void verify(Task<?, R> task, R actual) {
                String difference = task.check(actual);
                if (difference != null) {
                    fail("wrong result: " + difference);
                } else {
                    verified.increment();
                }
            }

            private Runner runner(Strategy s) {
                Runner r = runners.get(s);
                if (r == null) {
                    r = s.open(random.nextInt(1, 3));
                    runners.put(s, r);
                }
                return r;
            }

            <P, R> void viaRunner(Task<P, R> task) {
                Strategy s = Strategy.values()[random.nextInt(Strategy.values().length)];
                where = s.label() + " " + task.kernel();
                Runner runner = runner(s);
                run.increment();
                if (random.nextBoolean()) {
                    LongAdder progress = new LongAdder();
                    verify(task, runner.run(task.kernel(), task.problem(), progress::add));
                    long items = task.kernel().items(task.problem());
                    if (progress.sum() != items) {
                        fail("progress reported " + progress.sum() + " of " + items + " items");
                    }
                } else {
                    verify(task, runner.run(task.kernel(), task.problem()));
                }
                if (random.nextInt(20) == 0) { // runner churn: the next call opens a new one
                    runners.remove(s).close();
                    try {
                        runner.run(task.kernel(), task.problem());
                        fail("a closed " + s.label() + " runner still ran a job");
                    } catch (IllegalStateException closed) {
                        rejected.increment();
                    }
                }
            }

            <P, R> void syncOnShared(Task<P, R> task) {
                run.increment();
                verify(task, shared.run(task.kernel(), task.problem()));
            }

            <P, R> void asyncOnShared(Task<P, R> task) throws Exception {
                Job<R> job = shared.submit(task.kernel(), task.problem());
                run.increment();
                switch (random.nextInt(6)) {
                    case 0 -> where = "submit/join " + task.kernel();
                    case 1 -> {
                        where = "submit/await " + task.kernel();
                        try {
                            verify(task, job.await(Duration.ofNanos(random.nextLong(1, 3_000_000))));
                            return;
                        } catch (TimeoutException e) {
                            timedOut.increment();
                            if (random.nextBoolean()) {
                                cancelAndCheck(task, job);
                                return;
                            }
                        }
                    }
                    case 2 -> {
                        where = "submit/cancel " + task.kernel();
                        spin();
                        cancelAndCheck(task, job);
                        return;
                    }
                    case 3 -> {
                        where = "submit/future.cancel " + task.kernel();
                        spin();
                        futureCancelAndCheck(task, job);
                        return;
                    }
                    case 4 -> {
                        where = "submit/progress " + task.kernel();
                        long last = 0;
                        while (!job.isDone()) {
                            long done = job.done();
                            if (done < last || done > job.total()) {
                                fail("progress " + last + " then " + done + " of " + job.total());
                            }
                            last = done;
                            Thread.onSpinWait();
                        }
                    }
                    default -> {
                        where = "submit/racing cancels " + task.kernel();
                        spin();
                        boolean viaFuture = random.nextBoolean();
                        CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(
                                () -> viaFuture ? job.future().cancel(true) : job.cancel(), helpers);
                        cancelAndCheck(task, job);
                        other.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        return;
                    }
                }
                outcome(task, job);
            }

            /** A job that only cancellation ends: the pair's brute-force gcd takes ~10^12 steps. */
            void endlessOnShared() throws Exception {
                where = "endless";
                Task<Pairs, long[]> task = endlessTask();
                Job<long[]> job = shared.submit(Gcd.BRUTE, task.problem());
                run.increment();
                try {
                    job.await(Duration.ofMillis(random.nextInt(1, 4)));
                    fail("an endless job returned");
                } catch (TimeoutException e) {
                    timedOut.increment();
                }
                if (random.nextBoolean()) {
                    cancelAndCheck(task, job);
                } else {
                    futureCancelAndCheck(task, job);
                }
                if (!job.future().isCancelled() && !cancelledExceptionally(job.future())) {
                    fail("the endless job did not end cancelled: " + job.future());
                }
            }

            private Task<Pairs, long[]> endlessTask() {
                int n = random.nextInt(1, 4);
                long[] a = new long[n];
                long[] b = new long[n];
                for (int k = 0; k < n; k++) {
                    boolean endless = k == 0 || random.nextBoolean();
                    a[k] = endless ? TestData.ENDLESS_A : random.nextLong(1, 1000);
                    b[k] = endless ? TestData.ENDLESS_B : random.nextLong(1, 1000);
                }
                return new Task<>(Gcd.BRUTE, new Pairs(a, b));
            }

            /**
             * A short-lived pool closed while jobs are in flight: an endless one a helper cancels meanwhile (or
             * one whose completion callback closes the pool), callbacks that submit more; close() must return (whether it waits for or cancels the jobs), every
             * job ends verified or cancelled, and a submit after close is rejected.
             */
            void churnPool() throws Exception {
                where = "churn";
                NativePool pool = NativePool.create(random.nextInt(1, 4));
                poolsChurned.increment();
                List<Task<?, ?>> tasks = new ArrayList<>();
                List<Job<?>> jobs = new ArrayList<>();
                List<CompletableFuture<?>> callbacks = new ArrayList<>();
                ConcurrentLinkedQueue<Object[]> nested = new ConcurrentLinkedQueue<>();
                for (int j = random.nextInt(1, 6); j > 0; j--) {
                    Task<?, ?> task = task();
                    Job<?> job = submit(pool, task);
                    tasks.add(task);
                    jobs.add(job);
                    if (random.nextInt(3) == 0) {
                        Task<?, ?> next = task();
                        callbacks.add(job.future().handle((r, e) -> {
                            try {
                                nested.add(new Object[] {next, submit(pool, next)});
                            } catch (IllegalStateException | RejectedExecutionException closed) {
                                rejected.increment();
                            }
                            return null;
                        }));
                    }
                }
                where = "churn";
                Job<long[]> endless = null;
                CompletableFuture<?> canceller = CompletableFuture.completedFuture(null);
                int endlessChoice = random.nextInt(12);
                if (endlessChoice == 0) {
                    // a completion callback closes the pool while future().cancel(true) is cancelling the job
                    // that pool.close() then waits for (issue 8 item 10: this deadlocked)
                    Job<long[]> e = pool.submit(Gcd.BRUTE, endlessTask().problem());
                    run.increment();
                    endless = e;
                    e.future().whenComplete((r, x) -> pool.close());
                    spin();
                    e.future().cancel(true);
                } else if (endlessChoice < 4) {
                    Job<long[]> e = pool.submit(Gcd.BRUTE, endlessTask().problem());
                    run.increment();
                    endless = e;
                    long delayNanos = random.nextLong(0, 5_000_000);
                    boolean viaFuture = random.nextBoolean();
                    canceller = CompletableFuture.runAsync(() -> {
                        sleepNanos(delayNanos);
                        if (viaFuture) {
                            e.future().cancel(true);
                        } else {
                            e.cancel();
                        }
                    }, helpers);
                }
                pool.close();
                canceller.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                try {
                    submit(pool, task());
                    fail("submit after close() was accepted");
                } catch (IllegalStateException | RejectedExecutionException e) {
                    rejected.increment();
                }
                for (int i = 0; i < jobs.size(); i++) {
                    outcomeUnchecked(tasks.get(i), jobs.get(i));
                }
                for (CompletableFuture<?> c : callbacks) {
                    c.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                for (Object[] pair : nested) {
                    outcomeUnchecked((Task<?, ?>) pair[0], (Job<?>) pair[1]);
                }
                if (endless != null && !endless.future().isCancelled() && !cancelledExceptionally(endless.future())) {
                    fail("the endless job did not end cancelled: " + endless.future());
                }
            }

            private <P, R> Job<R> submit(NativePool pool, Task<P, R> task) {
                Job<R> job = pool.submit(task.kernel(), task.problem());
                run.increment();
                return job;
            }

            /** Submits from completion callbacks: a chained asynchronous job, or a synchronous run inside one. */
            <P, R, Q, S> void nestedFromCallbacks(Task<P, R> first, Task<Q, S> second) throws Exception {
                where = "nested " + first.kernel() + " then " + second.kernel();
                Job<R> job = shared.submit(first.kernel(), first.problem());
                run.increment();
                CompletableFuture<S> chained;
                if (random.nextInt(4) == 0) {
                    chained = job.future().thenApply(r -> {
                        verify(first, r);
                        run.increment();
                        return shared.run(second.kernel(), second.problem());
                    });
                } else {
                    chained = job.future().thenCompose(r -> {
                        verify(first, r);
                        run.increment();
                        return shared.submit(second.kernel(), second.problem()).future();
                    });
                }
                verify(second, chained.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }

            /**
             * Zero-copy jobs over a shared arena's segments: gcd_fast over pair segments, or a reduction over
             * {@code Reduce.Data.of(MemorySegment)}. Sometimes the arena is closed right after submitting,
             * which the documentation says fails (the segments are pinned until the job ends).
             */
            void segmentsOnShared() throws Exception {
                if (random.nextBoolean()) {
                    pairSegmentsOnShared();
                } else {
                    Reduce<?>[] reductions = {Reduce.SUM, Reduce.SUM_NEUMAIER, Reduce.DOT, Reduce.MINMAX};
                    reduceSegmentsOnShared(reductions[random.nextInt(reductions.length)]);
                }
            }

            private void pairSegmentsOnShared() throws Exception {
                where = "segments gcd_fast";
                int n = random.nextInt(1, 300);
                long[] a = new long[n];
                long[] b = new long[n];
                for (int k = 0; k < n; k++) {
                    a[k] = random.nextLong(0, Long.MAX_VALUE);
                    long d = random.nextLong(1, 50);
                    b[k] = random.nextInt(4) == 0 ? a[k] / d * random.nextLong(1, d + 1) // shares a factor
                            : random.nextLong(0, Long.MAX_VALUE);
                }
                Arena arena = Arena.ofShared();
                MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_LONG, a);
                MemorySegment sb = arena.allocateFrom(ValueLayout.JAVA_LONG, b);
                MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, n);
                Job<MemorySegment> job = shared.submit(Gcd.FAST, sa, sb, out);
                run.increment();
                if (closedEarlyOrCancelled(arena, job)) {
                    return;
                }
                job.await(WAIT);
                long[] actual = out.toArray(ValueLayout.JAVA_LONG);
                arena.close();
                long[] expected = new long[n];
                for (int k = 0; k < n; k++) {
                    expected[k] = JavaReference.gcdFast(a[k], b[k]);
                }
                String difference = Compare.exact(expected, actual);
                if (difference != null) {
                    fail("zero-copy gcd_fast over " + n + " pairs: " + difference);
                } else {
                    verified.increment();
                }
            }

            private <R> void reduceSegmentsOnShared(Reduce<R> kernel) throws Exception {
                where = "segments " + kernel;
                Task<Reduce.Data, R> onArrays = Task.random(kernel, random, random.nextInt(1, 400));
                double[] y = onArrays.problem().y();
                Arena arena = Arena.ofShared();
                MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, onArrays.problem().x());
                Reduce.Data data = y == null ? Reduce.Data.of(xs)
                        : Reduce.Data.of(xs, arena.allocateFrom(ValueLayout.JAVA_DOUBLE, y));
                Job<R> job = shared.submit(kernel, data);
                run.increment();
                if (closedEarlyOrCancelled(arena, job)) {
                    return;
                }
                R actual = job.await(WAIT);
                arena.close();
                verify(onArrays, actual);
            }

            /**
             * Randomly closes the arena right after submit (which must fail while the job runs) or cancels
             * the job; returns true when the job is settled and the arena closed, false to wait for a result.
             */
            private boolean closedEarlyOrCancelled(Arena arena, Job<?> job) throws InterruptedException {
                if (random.nextInt(3) == 0) {
                    try {
                        arena.close();
                        // only legitimate if the job had already ended
                        try {
                            job.await(WAIT);
                        } catch (CancellationException | TimeoutException e) {
                            fail("after an early arena close: " + e);
                        } catch (RuntimeException e) {
                            fail("arena.close() succeeded while its segments' job was in flight (the job then "
                                    + "failed with " + e + ")");
                        }
                        return true;
                    } catch (IllegalStateException pinned) {
                        // documented: the segments are pinned until the job ends
                    }
                }
                if (random.nextBoolean()) {
                    spin();
                    if (job.cancel()) {
                        cancelled.increment();
                        arena.close();
                        return true;
                    }
                }
                return false;
            }

            /** job.cancel(): afterwards the job has ended and its future is complete, as cancel() reported. */
            private <R> void cancelAndCheck(Task<?, R> task, Job<R> job) throws Exception {
                boolean reported = job.cancel();
                if (!job.isDone()) {
                    fail("job.cancel() returned before the job ended");
                }
                if (!job.future().isDone()) {
                    fail("job.cancel() returned before job.future() completed (issue 8 item 15)");
                }
                boolean wasCancelled = outcome(task, job);
                if (wasCancelled != reported) {
                    fail("job.cancel() returned " + reported + " but the job ended "
                            + (wasCancelled ? "cancelled" : "with a result"));
                }
            }

            /**
             * future().cancel(true): returns without waiting for the workers (java.util.concurrent semantics),
             * with the future complete; job.cancel() afterwards waits until the native job has ended.
             */
            private <R> void futureCancelAndCheck(Task<?, R> task, Job<R> job) throws Exception {
                boolean reported = job.future().cancel(true);
                if (!job.future().isDone()) {
                    fail("future().cancel(true) returned before job.future() completed");
                }
                if (reported && !job.future().isCancelled()) {
                    fail("future().cancel(true) returned true but the future is not cancelled");
                }
                job.cancel();
                if (!job.isDone()) {
                    fail("job.cancel() after future().cancel(true) returned before the native job ended");
                }
                outcome(task, job);
            }

            @SuppressWarnings("unchecked")
            private <R> void outcomeUnchecked(Task<?, ?> task, Job<?> job) throws Exception {
                outcome((Task<?, R>) task, (Job<R>) job);
            }

            /** Waits for the job; verifies its result or counts its cancellation. Returns whether it was cancelled. */
            private <R> boolean outcome(Task<?, R> task, Job<R> job) throws Exception {
                R value;
                try {
                    value = job.future().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (CancellationException e) {
                    cancelled.increment();
                    return true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof CancellationException) {
                        cancelled.increment();
                        return true;
                    }
                    throw e;
                }
                verify(task, value);
                if (job.done() != job.total()) {
                    fail("completed job reports " + job.done() + " of " + job.total() + " items done");
                }
                return false;
            }

            private boolean cancelledExceptionally(CompletableFuture<?> future) {
                try {
                    future.getNow(null);
                    return false;
                } catch (CancellationException e) {
                    return true;
                } catch (CompletionException e) {
                    return e.getCause() instanceof CancellationException;
                }
            }

            /** A random short delay, so that cancels land before, during and after the work. */
            private void spin() {
                switch (random.nextInt(3)) {
                    case 0 -> { }
                    case 1 -> Thread.yield();
                    default -> sleepNanos(random.nextLong(0, 2_000_000));
                }
            }
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Thread count and RSS of this process. */
    private record Figures(int osThreads, int javaThreads, long rssKib, long heapKib, long mallocKib) {
        /* glibc's mallinfo2(): bytes malloc has handed out and not had back, in every arena (no JVM flag needed). */
        private static final java.lang.invoke.MethodHandle MALLINFO2 = java.lang.foreign.Linker.nativeLinker()
                .defaultLookup().find("mallinfo2").map(address -> java.lang.foreign.Linker.nativeLinker()
                        .downcallHandle(address, java.lang.foreign.FunctionDescriptor.of(
                                java.lang.foreign.MemoryLayout.structLayout(
                                java.lang.foreign.MemoryLayout.sequenceLayout(10, ValueLayout.JAVA_LONG)))))
                .orElse(null);

        /** malloc'd bytes in use (uordblks + hblkhd) in KiB, or -1 without glibc's mallinfo2. */
        static long mallocInUseKib() {
            if (MALLINFO2 == null) {
                return -1;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = (MemorySegment) MALLINFO2.invoke((java.lang.foreign.SegmentAllocator) arena);
                return (info.getAtIndex(ValueLayout.JAVA_LONG, 7) + info.getAtIndex(ValueLayout.JAVA_LONG, 4)) / 1024;
            } catch (Throwable t) {
                return -1;
            }
        }

        static Figures now() {
            int osThreads = -1;
            long rss = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Threads:")) {
                        osThreads = Integer.parseInt(line.substring(8).trim());
                    } else if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.substring(6).replace("kB", "").trim());
                    }
                }
            } catch (IOException e) {
                fail("cannot read /proc/self/status: " + e);
            }
            // The JDK's "process reaper" threads (one per process a native-process runner started) idle in a
            // cached pool for 60 s after their process ended: the JDK's cache, not pcompute's threads.
            int reapers = (int) Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("process reaper")).count();
            return new Figures(osThreads - reapers, Thread.getAllStackTraces().size() - reapers, rss,
                    Runtime.getRuntime().totalMemory() / 1024, mallocInUseKib());
        }

        /**
         * Figures after a GC once idle threads had time to exit: polls for up to 10 s until the thread count
         * is back within tolerance of {@code baseline} (or, without one, stops changing).
         */
        static Figures settled(Figures baseline) throws InterruptedException {
            Figures last = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                System.gc();
                Thread.sleep(200);
                Figures f = now();
                boolean settled = baseline == null
                        ? last != null && last.osThreads == f.osThreads && last.javaThreads == f.javaThreads
                        : f.osThreads <= baseline.osThreads + THREAD_TOLERANCE
                                && f.javaThreads <= baseline.javaThreads + THREAD_TOLERANCE;
                if (settled || System.nanoTime() > deadline) {
                    return f;
                }
                last = f;
            }
        }
    }

    /** Thread dumps for the watchdog's failure message. */
    static final class Watchdog {
        private Watchdog() {}

        /**
         * Every Java thread with its full stack and locks, from {@code jcmd <pid> Thread.print} of the running
         * JDK; without jcmd, the stacks {@link Thread#getAllStackTraces()} gives.
         */
        static String threadDump() {
            try {
                Path javaCommand = Path.of(ProcessHandle.current().info().command().orElseThrow());
                // into a file, not a pipe: while the dump runs every Java thread is stopped at a safepoint,
                // so a thread reading a pipe would block jcmd, and jcmd the dump, once the pipe is full
                Path file = Files.createTempFile("pcompute-stress-threads", ".txt");
                try {
                    Process jcmd = new ProcessBuilder(javaCommand.resolveSibling("jcmd").toString(),
                            Long.toString(ProcessHandle.current().pid()), "Thread.print", "-l")
                            .redirectErrorStream(true).redirectOutput(file.toFile()).start();
                    if (jcmd.waitFor(30, TimeUnit.SECONDS) && jcmd.exitValue() == 0) {
                        return Files.readString(file);
                    }
                    jcmd.destroyForcibly();
                } finally {
                    Files.deleteIfExists(file);
                }
            } catch (Exception e) {
                // fall back below
            }
            StringBuilder out = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                out.append('"').append(thread.getName()).append("\" ").append(thread.isDaemon() ? "daemon " : "")
                        .append(thread.getState()).append('\n');
                for (StackTraceElement frame : stack) {
                    out.append("\tat ").append(frame).append('\n');
                }
                out.append('\n');
            });
            return out.toString();
        }

        /** The threads of a dump that are inside pcompute's own classes (not the test's), for the message. */
        static String pcomputeFrames(String dump) {
            StringBuilder out = new StringBuilder();
            for (String thread : dump.split("\n\n")) {
                boolean inLibrary = thread.lines().anyMatch(l -> l.contains("at io.pcompute.")
                        && !l.contains("at io.pcompute.StressTest"));
                if (inLibrary && out.length() < 20_000) {
                    out.append(thread).append("\n\n");
                }
            }
            return out.toString();
        }

        /** Names of the live Java threads, to say which ones were left behind. */
        static String threadNames() {
            return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList().toString();
        }
    }
}
