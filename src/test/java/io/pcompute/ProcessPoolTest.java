package io.pcompute;

import io.pcompute.internal.WorkerHooks;
import io.pcompute.internal.WorkerProcess;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeLibrary;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process pool: every built-in kernel against its Java reference; planted crashes and hangs (a
 * worker built with PC_TEST_HOOKS, -Dpcompute.test.hooks.worker) fail the job and never the JVM; no
 * worker outlives its pool or its JVM.
 */
class ProcessPoolTest {
    /** Every test closes its pools: then no worker process of this JVM may remain (test classes run one by one). */
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerHooks.clear();
        WorkerTestSupport.assertNoneRemain();
    }

    private static long[] reference(Gcd kernel, long[] a, long[] b) {
        long[] out = new long[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = kernel.apply(a[k], b[k]);
        }
        return out;
    }

    @Test
    @Timeout(120)
    void everyBuiltInKernelMatchesItsReference() {
        try (ProcessPool pool = ProcessPool.create(2)) {
            for (Kernel<?, ?> kernel : Kernels.all()) {
                if (kernel.nativeKernel() != null) {
                    continue;
                }
                checkKernel(pool, kernel);
            }
        }
    }

    private static <P, R> void checkKernel(ProcessPool pool, Kernel<P, R> kernel) {
        List<P> problems = new ArrayList<>(kernel.edgeCases());
        SplittableRandom random = new SplittableRandom(20261125);
        for (int i = 0; i < 4; i++) {
            problems.add(kernel.random(random, 2000));
        }
        for (P problem : problems) {
            R expected = kernel.reference(problem);
            R actual = pool.run(kernel, problem);
            assertNull(kernel.difference(expected, actual), kernel + " on " + kernel.describe(problem));
        }
    }

    @Test
    @Timeout(120)
    void everyBuiltInKernelMatchesItsReferenceOnWorkersOfSeveralThreads() {
        try (ProcessPool pool = ProcessPool.builder().workers(2).threadsPerWorker(3).build()) {
            assertEquals(3, pool.threadsPerWorker());
            for (Kernel<?, ?> kernel : Kernels.all()) {
                if (kernel.nativeKernel() == null) {
                    checkKernel(pool, kernel);
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aCrashInAnyThreadOfAMultiThreadedWorkerIsReportedAndTheWorkerReplaced() {
        long[] a = TestData.random(1, 256, 1, 1_000_000);
        long[] b = TestData.random(2, 256, 1, 1_000_000);
        try (ProcessPool pool = ProcessPool.builder().workers(1).threadsPerWorker(4).executable(WorkerTestSupport.hooksWorker()).build()) {
            long before = pool.workerPids().get(0);
            for (long item : new long[] {0, 100, 255}) {
                WorkerHooks.plant(WorkerProcess.HOOK_SEGV, item);
                WorkerCrashedException e = assertThrows(WorkerCrashedException.class, () -> pool.run(Gcd.FAST, new Pairs(a, b)));
                assertEquals(11, e.signal(), e.getMessage());
            }
            WorkerHooks.clear();
            assertArrayEquals(reference(Gcd.FAST, a, b), pool.run(Gcd.FAST, new Pairs(a, b)));
            assertFalse(pool.workerPids().contains(before));
        }
    }

    @Test
    void theBuilderRejectsBadSettingsNamingThem() {
        assertEquals("threadsPerWorker = 0: must be between 1 and 1024",
                assertThrows(IllegalArgumentException.class, () -> ProcessPool.builder().threadsPerWorker(0)).getMessage());
        assertEquals("threadsPerWorker = 1025: must be between 1 and 1024",
                assertThrows(IllegalArgumentException.class, () -> ProcessPool.builder().threadsPerWorker(1025)).getMessage());
        assertEquals("workers = -1: must be between 0 (one per core) and 1024",
                assertThrows(IllegalArgumentException.class, () -> ProcessPool.builder().workers(-1)).getMessage());
        assertThrows(NullPointerException.class, () -> ProcessPool.builder().executable(null));
    }

    @Test
    @Timeout(60)
    void anApplicationKernelRunsInTheWorkersLoadedByLibraryAndSymbol() {
        String path = System.getProperty("pcompute.test.kernels.library");
        assertTrue(path != null && !path.isBlank(), "-Dpcompute.test.kernels.library is not set (run through Maven)");
        try (NativeLibrary lib = NativeLibrary.load(Path.of(path)); ProcessPool pool = ProcessPool.create(2)) {
            TwiceKernel twice = new TwiceKernel(lib.kernel("pcw_test_twice"));
            long[] in = new SplittableRandom(5).longs(1000, -1000, 1000).toArray();
            for (int round = 0; round < 3; round++) { // loaded once per worker, then cached
                assertArrayEquals(twice.reference(in), pool.run(twice, in));
            }
        }
    }

    @Test
    @Timeout(60)
    void progressIsReportedWhileTheWorkersRun() {
        // a partner above 2^53 keeps gcd_brute on its scalar loop (~1 ms a pair): on the SIMD paths the whole
        // job took a few ms and could end before the first progress poll
        long[] a = java.util.Arrays.stream(TestData.random(7, 200, 100_000, 500_000)).map(x -> (1L << 53) + x).toArray();
        long[] b = TestData.random(8, 200, 100_000, 500_000);
        AtomicLong seen = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        try (ProcessPool pool = ProcessPool.create(2)) {
            long[] out = pool.run(Gcd.BRUTE, new Pairs(a, b), done -> {
                seen.addAndGet(done);
                calls.incrementAndGet();
            }, null);
            assertArrayEquals(reference(Gcd.BRUTE, a, b), out);
        }
        assertEquals(200, seen.get());
        assertTrue(calls.get() > 1, "progress came in " + calls.get() + " step(s), not while the workers ran");
    }

    @Test
    @Timeout(300)
    void aHundredPlantedSegfaultsThrowAndThePoolStillServes() throws InterruptedException {
        long[] a = TestData.random(1, 64, 1, 1_000_000);
        long[] b = TestData.random(2, 64, 1, 1_000_000);
        try (ProcessPool pool = ProcessPool.create(2, WorkerTestSupport.hooksWorker())) {
            WorkerHooks.plant(WorkerProcess.HOOK_SEGV, 37);
            for (int i = 0; i < 100; i++) {
                WorkerCrashedException e = assertThrows(WorkerCrashedException.class,
                        () -> pool.run(Gcd.FAST, new Pairs(a, b)), "crash " + i);
                assertEquals(11, e.signal(), e.getMessage());
                assertEquals("gcd_fast", e.kernel());
                assertTrue(e.begin() <= 37 && 37 < e.end(), e.getMessage());
                assertTrue(e.getMessage().contains("SIGSEGV") && e.getMessage().contains("gcd_fast"), e.getMessage());
            }
            WorkerHooks.clear();
            assertArrayEquals(reference(Gcd.FAST, a, b), pool.run(Gcd.FAST, new Pairs(a, b)));
            WorkerTestSupport.awaitWorkers(pool, 2);
        }
    }

    @Test
    @Timeout(60)
    void plantedAbortNamesSigabrt() {
        long[] a = {12, 18, 20, 35};
        try (ProcessPool pool = ProcessPool.create(1, WorkerTestSupport.hooksWorker())) {
            WorkerHooks.plant(WorkerProcess.HOOK_ABORT, 2);
            WorkerCrashedException e = assertThrows(WorkerCrashedException.class, () -> pool.run(Gcd.FAST, new Pairs(a, a)));
            assertEquals(6, e.signal());
            assertTrue(e.getMessage().contains("SIGABRT"), e.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void plantedHangIsKilledAtItsTimeout() {
        long[] a = TestData.random(3, 32, 1, 1000);
        try (ProcessPool pool = ProcessPool.create(2, WorkerTestSupport.hooksWorker())) {
            List<Long> before = pool.workerPids();
            WorkerHooks.plant(WorkerProcess.HOOK_HANG, 5);
            long start = System.nanoTime();
            JobTimeoutException e = assertThrows(JobTimeoutException.class,
                    () -> pool.run(Gcd.FAST, new Pairs(a, a), ProgressListener.NONE, Duration.ofMillis(300)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 300 && ms < 300 + ProcessPool.GRACE_MILLIS + 5000, "took " + ms + " ms");
            assertEquals(1, e.killedWorkers().size(), e.getMessage());
            assertTrue(before.contains(e.killedWorkers().get(0)));
            assertFalse(ProcessHandle.of(e.killedWorkers().get(0)).map(ProcessHandle::isAlive).orElse(false));
            WorkerHooks.clear();
            assertArrayEquals(a, pool.run(Gcd.FAST, new Pairs(a, a)));
        }
    }

    @Test
    @Timeout(60)
    void aCancelledKernelThatStopsIsNotKilled() {
        long[] a = {TestData.ENDLESS_A};
        long[] b = {TestData.ENDLESS_B};
        try (ProcessPool pool = ProcessPool.create(1)) {
            List<Long> before = pool.workerPids();
            JobTimeoutException e = assertThrows(JobTimeoutException.class,
                    () -> pool.run(Gcd.BRUTE, new Pairs(a, b), ProgressListener.NONE, Duration.ofMillis(200)));
            assertTrue(e.killedWorkers().isEmpty(), e.getMessage());
            assertEquals(before, pool.workerPids()); // the same process serves on
            assertArrayEquals(new long[] {6}, pool.run(Gcd.BRUTE, new Pairs(new long[] {12}, new long[] {18})));
        }
    }

    @Test
    @Timeout(60)
    void interruptingTheCallerCancelsThroughTheCancelWord() throws Exception {
        long[] a = {TestData.ENDLESS_A};
        long[] b = {TestData.ENDLESS_B};
        try (ProcessPool pool = ProcessPool.create(1)) {
            List<Long> before = pool.workerPids();
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
            Thread caller = new Thread(() -> {
                try {
                    pool.run(Gcd.BRUTE, new Pairs(a, b));
                } catch (Throwable t) {
                    thrown.set(t);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            caller.start();
            Thread.sleep(200);
            caller.interrupt();
            caller.join(10_000);
            assertFalse(caller.isAlive(), "the interrupted call did not return");
            assertTrue(thrown.get() instanceof java.util.concurrent.CancellationException, String.valueOf(thrown.get()));
            assertTrue(stillInterrupted.get());
            assertEquals(before, pool.workerPids()); // stopped by its cancel word, not killed
        }
    }

    @Test
    @Timeout(60)
    void workersAreReplacedAfterMaxJobsPerWorker() {
        long[] a = {12, 35, 9};
        long[] b = {18, 14, 6};
        List<Long> pidAfterJob = new ArrayList<>();
        try (ProcessPool pool = ProcessPool.create(1, 2)) {
            assertEquals(2, pool.maxJobsPerWorker());
            for (int job = 0; job < 6; job++) {
                assertArrayEquals(new long[] {6, 7, 3}, pool.run(Gcd.FAST, new Pairs(a, b)), "job " + job);
                pidAfterJob.add(pool.workerPids().get(0));
            }
            // two jobs per worker: jobs 0-1 on the first, 2-3 on the second, 4-5 on the third
            for (int job = 0; job < 6; job += 2) {
                assertEquals(pidAfterJob.get(job), pidAfterJob.get(job + 1), pidAfterJob.toString());
            }
            assertEquals(3, new java.util.HashSet<>(pidAfterJob).size(), pidAfterJob.toString());
            for (long retired : List.of(pidAfterJob.get(0), pidAfterJob.get(2))) {
                assertFalse(ProcessHandle.of(retired).map(ProcessHandle::isAlive).orElse(false), "retired worker " + retired);
            }
        }
        try (ProcessPool unlimited = ProcessPool.create(1)) {
            assertEquals(0, unlimited.maxJobsPerWorker());
            long pid = unlimited.workerPids().get(0);
            for (int job = 0; job < 4; job++) {
                unlimited.run(Gcd.FAST, new Pairs(a, b));
            }
            assertEquals(List.of(pid), unlimited.workerPids());
        }
    }

    @Test
    void rejectsANonPositiveMaxJobsPerWorker() {
        assertEquals("maxJobsPerWorker = 0: must be >= 1",
                assertThrows(IllegalArgumentException.class, () -> ProcessPool.create(1, 0)).getMessage());
    }

    @Test
    void aWorkerThatCannotStartFailsCreateWithItsPath() {
        Path missing = Path.of("/nonexistent/pcompute-worker");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProcessPool.create(1, missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    @Timeout(60)
    void aWorkerKilledFromOutsideBetweenJobsIsReplaced() throws Exception {
        long[] a = {12, 35};
        long[] b = {18, 14};
        try (ProcessPool pool = ProcessPool.create(2)) {
            long victim = pool.workerPids().get(0);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            ProcessHandle.of(victim).ifPresent(p -> p.onExit().join());
            assertArrayEquals(new long[] {6, 7}, pool.run(Gcd.FAST, new Pairs(a, b)));
            assertFalse(pool.workerPids().contains(victim));
            WorkerTestSupport.awaitWorkers(pool, 2);
        }
    }

    @Test
    @Timeout(120)
    void workersKilledFromOutsideBetweenJobsNeverFailTheNextJob() throws Exception {
        // Process.isAlive() can still say true just after the worker's exit was observed elsewhere: the
        // next job then wrote to a dead worker and failed with WorkerCrashedException (seen in CI, about 1 in 9)
        long[] a = {12, 35, 9, 100};
        long[] b = {18, 14, 6, 75};
        try (ProcessPool pool = ProcessPool.create(2)) {
            for (int round = 0; round < 30; round++) {
                for (long victim : pool.workerPids()) {
                    ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                    ProcessHandle.of(victim).ifPresent(p -> p.onExit().join());
                }
                assertArrayEquals(new long[] {6, 7, 3, 25}, pool.run(Gcd.FAST, new Pairs(a, b)), "round " + round);
            }
        }
    }

    @Test
    @Timeout(60)
    void closeLeavesNoWorkerProcess() {
        ProcessPool pool = ProcessPool.create(3);
        List<Long> pids = pool.workerPids();
        assertEquals(3, pids.size());
        pool.run(Gcd.FAST, new Pairs(new long[] {4}, new long[] {6}));
        pool.close();
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " survived");
        }
        assertThrows(IllegalStateException.class, () -> pool.run(Gcd.FAST, new Pairs(new long[] {4}, new long[] {6})));
        pool.close(); // idempotent
    }

    @Test
    void rejectsBadArgumentsBeforeStartingAnything() {
        assertThrows(IllegalArgumentException.class, () -> ProcessPool.create(-1));
        try (ProcessPool pool = ProcessPool.create(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.BRUTE, new Pairs(new long[] {0}, new long[] {1})));
            assertTrue(e.getMessage().contains("0"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.run(Gcd.FAST, new Pairs(new long[] {1},
                    new long[] {1}), ProgressListener.NONE, Duration.ZERO));
        }
    }

    /** Child JVM: opens a pool, prints its workers' pids, then waits to be killed. */
    public static final class ChildMain {
        public static void main(String[] args) throws Exception {
            ProcessPool pool = ProcessPool.create(2);
            pool.run(Gcd.FAST, new Pairs(new long[] {4}, new long[] {6}));
            System.out.println("pids " + pool.workerPids().stream().map(String::valueOf).reduce((x, y) -> x + " " + y)
                    .orElse(""));
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    @Test
    @Timeout(120)
    void noWorkerSurvivesItsJvmKilledBySigkill() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ChildMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("pids "), "child said: " + line);
            for (String p : line.substring(5).trim().split(" ")) {
                pids.add(Long.parseLong(p));
            }
            assertEquals(2, pids.size());
            for (long pid : pids) {
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            child.waitFor();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> alive = pids;
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            alive = pids.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).toList();
        }
        assertEquals(List.of(), alive, "workers of the killed JVM still running");
    }
}
