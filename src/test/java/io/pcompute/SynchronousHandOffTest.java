package io.pcompute;

import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    @Test
    void theLazyWakeWindowDefaultsToThirtyMicrosecondsAndRefusesValuesOutOfRangeNamingThem() {
        NativePool pool = NativePool.create(2);
        assertEquals(Duration.ofNanos(30_000), pool.lazyWake());
        pool.lazyWake(NativePool.MAX_LAZY_WAKE);
        assertEquals(Duration.ofMillis(1), pool.lazyWake());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> pool.lazyWake(Duration.ofNanos(1_000_001)));
        assertTrue(tooLong.getMessage().contains("PT0.001000001S"), tooLong.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> pool.lazyWake(Duration.ofNanos(-1)));
        assertTrue(negative.getMessage().contains("window = PT-0.000000001S"), negative.getMessage());
        assertThrows(NullPointerException.class, () -> pool.lazyWake(null));
        pool.lazyWake(Duration.ZERO);
        assertEquals(Duration.ZERO, pool.lazyWake());
        pool.close();
        assertThrows(NativePool.ClosedException.class, () -> pool.lazyWake(Duration.ZERO));
        assertThrows(NativePool.ClosedException.class, pool::lazyWake);
    }

    /**
     * Results never depend on who runs the tasks: a series of calls whose sizes swing from a few items to
     * thousands (the lazy wake guesses wrong on the way up, and mends it within the call) gives the
     * reference's answers with the window off, at its default and at its longest.
     */
    @Test
    void resultsAreTheSameWhateverTheWindowAsSizesSwing() {
        java.util.Random random = new java.util.Random(11);
        for (Duration window : new Duration[] {Duration.ZERO, Duration.ofNanos(30_000), NativePool.MAX_LAZY_WAKE}) {
            try (NativePool pool = NativePool.create(2)) {
                pool.lazyWake(window);
                for (int call = 0; call < 300; call++) {
                    int n = call % 10 == 9 ? 5_000 + random.nextInt(5_000) : 1 + random.nextInt(64);
                    long[] a = new long[n], b = new long[n], expected = new long[n];
                    for (int k = 0; k < n; k++) {
                        a[k] = 1 + random.nextInt(1 << (call % 3 == 0 ? 20 : 8));
                        b[k] = 1 + random.nextInt(1 << 12);
                        expected[k] = java.math.BigInteger.valueOf(a[k]).gcd(java.math.BigInteger.valueOf(b[k]))
                                .longValueExact(); // an independent oracle
                    }
                    assertArrayEquals(expected, pool.run(Gcd.BRUTE, a, b),
                            "window " + window + ", call " + call + ", " + n + " pairs");
                }
            }
        }
    }
}
