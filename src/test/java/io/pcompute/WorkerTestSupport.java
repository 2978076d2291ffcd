package io.pcompute;

import io.pcompute.internal.WorkerProcess;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test helpers for the process pool: the hooks worker, and no {@code pcompute-worker} child left behind. */
public final class WorkerTestSupport {
    private WorkerTestSupport() {}

    /** The worker built with the crash and hang hooks (-Dpcompute.test.hooks.worker, set by the build). */
    public static Path hooksWorker() {
        String path = System.getProperty("pcompute.test.hooks.worker");
        assertTrue(path != null && !path.isBlank(), "-Dpcompute.test.hooks.worker is not set (run through Maven)");
        return Path.of(path);
    }

    /**
     * Waits up to 10 s until the pool has {@code n} live workers: a worker that died or was killed is
     * replaced by its slot in the background once the slot is idle.
     */
    public static void awaitWorkers(ProcessPool pool, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.workerPids().size() != n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, pool.workerPids().size(), "live workers");
    }

    /** Waits up to 5 s for exiting workers to be reaped, then fails naming the pids of any that remain. */
    public static void assertNoneRemain() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!WorkerProcess.childWorkers().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), WorkerProcess.childWorkers().stream().map(ProcessHandle::pid).toList(),
                "worker processes left behind");
    }
}
