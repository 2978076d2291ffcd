package io.pcompute;

import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A long (but valid, positive) timeout, and user code that throws while a job runs. A review found that
 * both ended the waiting thread's call after the workers had started (timeout.toNanos() threw
 * ArithmeticException above ~292 years; so did a throwing progress listener), so the job's shared memory
 * was freed and handed out again while the workers still wrote into it.
 */
class ProcessPoolTimeoutTest {
    private static final Duration LONG = Duration.ofDays(365L * 1000); // 1000 years, > Long.MAX_VALUE ns

    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    @Test
    @Timeout(60)
    void aVeryLongTimeoutIsJustNoTimeout() {
        long[] a = {12, 35, 9, 100};
        long[] b = {18, 14, 6, 75};
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertArrayEquals(new long[] {6, 7, 3, 25}, pool.run(Gcd.FAST, new Pairs(a, b), ProgressListener.NONE, LONG));
            assertArrayEquals(new long[] {6, 7, 3, 25}, pool.submit(Gcd.FAST, new Pairs(a, b), LONG).join());
        }
    }

    /**
     * The consequence: the failed job's worker keeps writing its output into memory already handed to
     * someone else. Inputs are read in place (SegmentGcd over pool segments), so the job's block is only its
     * output, and the caller's next allocation lands on it (first fit).
     */
    @Test
    @Timeout(120)
    void aFailedJobsWorkersNeverWriteIntoMemoryHandedOutAgain() throws InterruptedException {
        int n = 3000;
        try (ProcessPool pool = ProcessPool.create(1); Arena arena = Arena.ofConfined()) {
            SegmentGcd.Problem slow = slowPairs(pool, arena, n);
            try {
                pool.run(new SegmentGcd(), slow, ProgressListener.NONE, LONG);
                return; // fixed: nothing to show
            } catch (ArithmeticException expected) {
                // the job "ended"; its worker has not
            }
            assertEquals(0, overwrittenAfter(pool, arena, n), // lands where the job's output was
                    "longs of my own fresh allocation overwritten by a job that had already failed");
        }
    }

    /**
     * The same with no timeout at all: a ProgressListener that throws (a closed UI, say) escapes
     * compute()'s polling loop (ProcessPoolEngine.java:523) after the slots were dispatched, so again the
     * job's block is freed and jobLock released while the worker still computes into it.
     */
    @Test
    @Timeout(120)
    void aThrowingProgressListenerDoesNotFreeMemoryTheWorkersStillWrite() throws InterruptedException {
        int n = 3000;
        try (ProcessPool pool = ProcessPool.create(1); Arena arena = Arena.ofConfined()) {
            SegmentGcd.Problem slow = slowPairs(pool, arena, n);
            ProgressListener throwing = items -> {
                throw new IllegalStateException("the progress bar is gone");
            };
            try {
                pool.run(new SegmentGcd(), slow, throwing, null);
                fail("the listener's exception was swallowed");
            } catch (IllegalStateException expected) {
                // the caller's own exception: fine, but the job must be over by now
            }
            assertEquals(0, overwrittenAfter(pool, arena, n),
                    "longs of my own fresh allocation overwritten by a job whose run() had returned");
        }
    }

    /** n coprime pairs near 2 * 10^6 in pool memory: the brute force walks all the way down (seconds). */
    private static SegmentGcd.Problem slowPairs(ProcessPool pool, Arena arena, int n) {
        MemorySegment a = pool.allocate(arena, 8L * n), b = pool.allocate(arena, 8L * n);
        for (int k = 0; k < n; k++) {
            b.setAtIndex(ValueLayout.JAVA_LONG, k, 2_000_000 + 2L * k);
            a.setAtIndex(ValueLayout.JAVA_LONG, k, 2_000_001 + 2L * k);
        }
        return new SegmentGcd.Problem(a, b);
    }

    /**
     * Allocates n longs of pool memory (first fit: where the ended job's output was), fills them, waits
     * 1.5 s and counts those that changed meanwhile.
     */
    private static long overwrittenAfter(ProcessPool pool, Arena arena, int n) throws InterruptedException {
        MemorySegment mine = pool.allocate(arena, 8L * n);
        mine.fill((byte) 0xFF);
        Thread.sleep(1500);
        long overwritten = 0;
        for (long i = 0; i < mine.byteSize(); i += 8) {
            if (mine.get(ValueLayout.JAVA_LONG, i) != -1) {
                overwritten++;
            }
        }
        return overwritten;
    }
}
