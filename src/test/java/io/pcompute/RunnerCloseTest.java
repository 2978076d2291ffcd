package io.pcompute;

import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 8 item 12: every runner, used after close(), throws the same IllegalStateException and opens nothing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunnerCloseTest {
    private static final long[] A = {12, 35, 1071};
    private static final long[] B = {18, 49, 462};

    @Test
    void everyStrategyThrowsIllegalStateExceptionAfterClose() {
        for (Strategy s : Strategy.values()) {
            Runner runner = s.open(2);
            assertArrayEquals(new long[] {6, 7, 21}, runner.apply(Gcd.FAST, A, B), s.label());
            runner.close();
            runner.close(); // idempotent
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> runner.apply(Gcd.FAST, A, B), s.label());
            assertEquals("this " + s.label() + " runner is closed", e.getMessage());
        }
    }

    @Test
    void autoClosedBeforeItsFirstRunOpensNoPool() throws IOException {
        // AUTO times the pools first on a fresh size group: after close it used to open them and leak them
        long[] a = TestData.random(1, 100_000, 1, Long.MAX_VALUE);
        long[] b = TestData.random(2, 100_000, 1, Long.MAX_VALUE);
        long before = osThreads();
        for (int i = 0; i < 20; i++) {
            Runner auto = Strategy.AUTO.open(2);
            auto.close();
            assertThrows(IllegalStateException.class, () -> auto.apply(Gcd.FAST, a, b));
        }
        long after = osThreads();
        // 20 leaked pools would add at least 40 threads; allow a few for the JVM's own (JIT, GC)
        assertTrue(after <= before + 5, "threads " + before + " -> " + after);
    }

    @Test
    void closingAJavaPoolRunnerLetsACallWhoseWorkerIsQueuedFinish() throws Exception {
        // review of issue 8: release() used shutdownNow(), whose drained workers never ran, so the queued
        // call waited in worker.get() forever
        Runner runner = Strategy.JAVA_POOL.open(1);
        CountDownLatch busyEntered = new CountDownLatch(1);
        CountDownLatch letBusyGo = new CountDownLatch(1);
        // the pool's only thread stays in the busy call's progress listener until the test lets it go
        Thread busy = Thread.ofPlatform().daemon().start(() -> runner.apply(Gcd.FAST, A, B, items -> {
            busyEntered.countDown();
            HookedGcd.awaitUninterruptibly(letBusyGo);
        }));
        assertTrue(busyEntered.await(30, TimeUnit.SECONDS));
        AtomicReference<Object> queuedOutcome = new AtomicReference<>();
        Thread queued = Thread.ofPlatform().daemon().start(() -> {
            try {
                queuedOutcome.set(runner.apply(Gcd.FAST, A, B));
            } catch (RuntimeException e) {
                queuedOutcome.set(e);
            }
        });
        while (queued.getState() != Thread.State.WAITING) { // parked in worker.get(): its worker is queued
            assertTrue(queued.isAlive(), "the queued call ended before close: " + queuedOutcome.get());
            Thread.sleep(1);
        }
        runner.close();
        letBusyGo.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            busy.join();
            queued.join();
        }, "a call whose worker was queued when close() ran never returned");
        assertArrayEquals(new long[] {6, 7, 21}, (long[]) queuedOutcome.get());
    }

    @Test
    void aNativePoolRunnerClosedDuringACallSaysTheRunnerIsClosed() throws Exception {
        // review of issue 8: a close() between the runner's check and the pool's said "this NativePool is closed"
        Runner runner = Strategy.NATIVE_POOL.open(1);
        CountDownLatch validating = new CountDownLatch(1);
        CountDownLatch letValidationGo = new CountDownLatch(1);
        Kernel<Pairs, long[]> held = new HookedGcd(() -> {
            validating.countDown();
            HookedGcd.awaitUninterruptibly(letValidationGo);
        }, () -> { });
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread call = Thread.ofPlatform().daemon().start(() -> {
            try {
                outcome.set(runner.run(held, new Pairs(A, B)));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        });
        assertTrue(validating.await(30, TimeUnit.SECONDS)); // past the runner's check, before the pool's
        runner.close();
        letValidationGo.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> call.join());
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcome.get());
        assertEquals("this native-pool runner is closed", e.getMessage());
    }

    /** Threads of this process as the OS sees them: Java threads and the native pools' pthreads. */
    private static long osThreads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.count();
        }
    }
}
