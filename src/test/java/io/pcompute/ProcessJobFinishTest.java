package io.pcompute;

import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A kernel's finish() may wait for another job of the same pool (a review found that, when one job thread
 * ran every submitted job, join() of a later job inside finish() wedged the pool for good; each job now has
 * its own thread).
 */
class ProcessJobFinishTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    @Test
    @Timeout(60)
    void joiningALaterJobInsideFinishWaitsForItInsteadOfWedgingThePool() throws Exception {
        Pairs p = new Pairs(new long[] {12, 35}, new long[] {18, 14});
        try (ProcessPool pool = ProcessPool.create(1)) {
            java.util.concurrent.atomic.AtomicReference<Object> followUp = new java.util.concurrent.atomic.AtomicReference<>();
            HookedGcd kernel = new HookedGcd(() -> { },
                    () -> followUp.set(pool.submit(Gcd.FAST, p).join())); // a follow-up job finish() needs
            ProcessJob<long[]> first = pool.submit(kernel, p);
            try {
                assertArrayEquals(new long[] {6, 7}, first.future().get(30, TimeUnit.SECONDS));
            } catch (TimeoutException wedged) {
                pool.workerPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                fail("finish() joining a job queued behind it wedged the pool");
            }
            assertArrayEquals(new long[] {6, 7}, (long[]) followUp.get());
        }
    }
}
