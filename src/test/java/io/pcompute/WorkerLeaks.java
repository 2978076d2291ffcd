package io.pcompute;

import io.pcompute.internal.WorkerProcess;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helper: no {@code pcompute-worker} child of this JVM may remain once every pool is closed. */
public final class WorkerLeaks {
    private WorkerLeaks() {}

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
