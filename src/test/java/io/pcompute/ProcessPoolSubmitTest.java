package io.pcompute;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Review reproducer: submit() validates in the caller's thread and promises that an unusable problem is an
 * IllegalArgumentException there; a segment input of the caller's confined arena (not the pool's memory)
 * passes validation, is queued, and then fails on the job thread with WrongThreadException (JobMemory.copyIn,
 * ProcessPoolEngine.java:429). pool.run() of the same problem works.
 */
class ProcessPoolSubmitTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    @Test
    @Timeout(60)
    void aConfinedSegmentInputWorksWithSubmitAsWithRun() {
        long[] a = {12, 35, 9, 100};
        long[] b = {18, 14, 6, 75};
        try (ProcessPool pool = ProcessPool.create(1); Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(32, 8), sb = arena.allocate(32, 8);
            MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_LONG, 0, 4);
            MemorySegment.copy(b, 0, sb, ValueLayout.JAVA_LONG, 0, 4);
            SegmentGcd.Problem p = new SegmentGcd.Problem(sa, sb);
            assertArrayEquals(new long[] {6, 7, 3, 25}, pool.run(new SegmentGcd(), p));
            assertArrayEquals(new long[] {6, 7, 3, 25}, pool.submit(new SegmentGcd(), p).join());
        }
    }
}
