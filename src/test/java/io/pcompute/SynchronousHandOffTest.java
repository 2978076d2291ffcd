package io.pcompute;

import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 11 item 3 as Java sees it: a synchronous {@code run} works on its own job on the calling thread
 * ({@code pc_job_run_and_wait}), so it completes while every worker is busy with another job; an
 * asynchronous {@code submit} still waits its turn on the workers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SynchronousHandOffTest {
    @Test
    void aSynchronousRunCompletesWhileEveryWorkerIsBusy() throws Exception {
        try (NativePool pool = NativePool.create(1)) {
            Job<long[]> endless = pool.submit(Gcd.BRUTE, new long[] {TestData.ENDLESS_A},
                    new long[] {TestData.ENDLESS_B}); // occupies the only worker
            try {
                long[] a = {12, 30, 7, 100}, b = {18, 45, 21, 75};
                // before: run() queued behind the endless job and never returned
                long[] got = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> pool.run(Gcd.BRUTE, a, b));
                assertArrayEquals(new long[] {6, 15, 7, 25}, got);
                assertFalse(endless.future().isDone());

                Job<long[]> queued = pool.submit(Gcd.BRUTE, a, b); // no caller to help: waits for the worker
                Thread.sleep(100);
                assertFalse(queued.future().isDone());
                endless.cancel();
                assertArrayEquals(new long[] {6, 15, 7, 25}, queued.future().get(20, TimeUnit.SECONDS));
            } finally {
                endless.cancel();
            }
            assertThrows(CancellationException.class, () -> endless.future().get(20, TimeUnit.SECONDS));
        }
    }
}
