package io.pcompute;

import io.pcompute.internal.SharedMemory;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process pool's shared memory: segments a caller allocates from the pool are job inputs the workers
 * read in place (no copy), stay valid while a job reads them even if their arena closes, survive worker
 * replacement and the pool's close; a job too large for the reservation fails with a clear message.
 */
class ProcessPoolSharedMemoryTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    private static MemorySegment fill(MemorySegment s, long[] values) {
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_LONG, 0, values.length);
        return s;
    }

    private static long[] gcds(long[] a, long[] b) {
        long[] out = new long[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = Gcd.BRUTE.apply(a[k], b[k]);
        }
        return out;
    }

    @Test
    @Timeout(60)
    void segmentsAllocatedFromThePoolAreReadInPlaceAndOthersAreCopied() throws Exception {
        long[] a = TestData.random(11, 5000, 1, 200_000);
        long[] b = TestData.random(12, 5000, 1, 200_000);
        long[] expected = gcds(a, b);
        SegmentGcd kernel = new SegmentGcd();
        try (ProcessPool pool = ProcessPool.create(2); Arena arena = Arena.ofConfined()) {
            MemorySegment sa = fill(pool.allocate(arena, a.length * 8L), a);
            MemorySegment sb = fill(pool.allocate(arena, b.length * 8L), b);
            assertEquals(0, sa.address() % 64);
            long before = pool.bytesCopiedIn();
            assertArrayEquals(expected, pool.run(kernel, new SegmentGcd.Problem(sa, sb)));
            assertArrayEquals(expected, pool.submit(kernel, new SegmentGcd.Problem(sa, sb)).join());
            assertEquals(before, pool.bytesCopiedIn(), "inputs in the pool's memory were copied");
            // an aligned slice is read in place too
            long[] tail = gcds(java.util.Arrays.copyOfRange(a, 1000, 5000), java.util.Arrays.copyOfRange(b, 1000, 5000));
            assertArrayEquals(tail, pool.run(kernel, new SegmentGcd.Problem(sa.asSlice(8000), sb.asSlice(8000))));
            assertEquals(before, pool.bytesCopiedIn());
            // a segment of another arena is copied, with the same result
            MemorySegment oa = fill(arena.allocate(a.length * 8L, 8), a);
            MemorySegment ob = fill(arena.allocate(b.length * 8L, 8), b);
            assertArrayEquals(expected, pool.run(kernel, new SegmentGcd.Problem(oa, ob)));
            assertEquals(before + 2 * 8L * a.length, pool.bytesCopiedIn());
            // and Java arrays are copied
            assertArrayEquals(expected, pool.run(Gcd.BRUTE, new Pairs(a, b)));
            assertEquals(before + 4 * 8L * a.length, pool.bytesCopiedIn());
        }
    }

    @Test
    @Timeout(60)
    void aSegmentWhoseArenaClosesWhileAJobReadsItIsFreedOnlyOnceTheJobEnds() throws Exception {
        long[] a = {TestData.ENDLESS_A, 12, 35};
        long[] b = {TestData.ENDLESS_B, 18, 14};
        SegmentGcd kernel = new SegmentGcd();
        try (ProcessPool pool = ProcessPool.create(1)) {
            Arena arena = Arena.ofShared();
            MemorySegment sa = fill(pool.allocate(arena, 24), a);
            MemorySegment sb = fill(pool.allocate(arena, 24), b);
            long addressA = sa.address();
            ProcessJob<long[]> job = pool.submit(kernel, new SegmentGcd.Problem(sa, sb));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!job.isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(100);
            arena.close(); // the caller lets go; the workers still read a and b
            try (Arena other = Arena.ofConfined()) {
                MemorySegment next = pool.allocate(other, 48);
                assertTrue(next.address() + 48 <= addressA || next.address() >= addressA + 48,
                        "memory a running job reads was handed out again");
                assertTrue(job.cancel());
            }
            try (Arena later = Arena.ofConfined()) {
                assertEquals(addressA, pool.allocate(later, 48).address(), "freed once the job ended: reused first-fit");
            }
        }
    }

    @Test
    @Timeout(60)
    void aReplacedWorkerMapsTheSameMemory() throws Exception {
        long[] a = {12, 35, 9, 100};
        long[] b = {18, 14, 6, 75};
        try (ProcessPool pool = ProcessPool.create(2); Arena arena = Arena.ofConfined()) {
            MemorySegment sa = fill(pool.allocate(arena, 32), a);
            MemorySegment sb = fill(pool.allocate(arena, 32), b);
            for (long victim : pool.workerPids()) {
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                ProcessHandle.of(victim).ifPresent(p -> p.onExit().join());
            }
            assertArrayEquals(new long[] {6, 7, 3, 25}, pool.run(new SegmentGcd(), new SegmentGcd.Problem(sa, sb)));
            WorkerTestSupport.awaitWorkers(pool, 2);
        }
    }

    @Test
    @Timeout(60)
    void allocatedMemoryOutlivesThePoolUntilItsArenaCloses() {
        Arena arena = Arena.ofConfined();
        ProcessPool pool = ProcessPool.create(1);
        MemorySegment s = pool.allocate(arena, 4096);
        assertEquals(0, s.get(ValueLayout.JAVA_LONG, 4088), "allocated memory is zeroed");
        s.set(ValueLayout.JAVA_LONG, 0, 42);
        pool.close();
        assertEquals(42, s.get(ValueLayout.JAVA_LONG, 0));
        s.set(ValueLayout.JAVA_LONG, 4088, 7);
        arena.close();
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_LONG, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.allocate(Arena.ofAuto(), 8));
        assertEquals("this process pool is closed", e.getMessage());
    }

    @Test
    @Timeout(60)
    void freedMemoryIsZeroedWhenHandedOutAgain() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            long address;
            try (Arena first = Arena.ofConfined()) {
                MemorySegment s = pool.allocate(first, 1024);
                s.fill((byte) 0x5A);
                address = s.address();
            }
            try (Arena second = Arena.ofConfined()) {
                MemorySegment s = pool.allocate(second, 1024);
                assertEquals(address, s.address());
                for (long i = 0; i < 1024; i += 8) {
                    assertEquals(0, s.get(ValueLayout.JAVA_LONG, i));
                }
            }
        }
    }

    @Test
    void allocateRejectsBadArguments() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertEquals("byteSize = -1: must be >= 0",
                    assertThrows(IllegalArgumentException.class, () -> pool.allocate(Arena.ofAuto(), -1)).getMessage());
            assertThrows(NullPointerException.class, () -> pool.allocate(null, 8));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.allocate(Arena.ofAuto(), Long.MAX_VALUE / 2));
            assertTrue(e.getMessage().contains(SharedMemory.RESERVE_PROPERTY), e.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void aJobLargerThanTheReservationFailsNamingTheSetting() {
        String old = System.getProperty(SharedMemory.RESERVE_PROPERTY);
        System.setProperty(SharedMemory.RESERVE_PROPERTY, Long.toString(1 << 20));
        try (ProcessPool pool = ProcessPool.create(1)) {
            long[] big = new SplittableRandom(3).longs(100_000, 1, 1000).toArray(); // 3 x 800 KB > 1 MiB
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(Gcd.FAST, new Pairs(big, big)));
            assertTrue(e.getMessage().contains(SharedMemory.RESERVE_PROPERTY), e.getMessage());
            long[] small = {4, 6};
            assertArrayEquals(new long[] {4, 6}, pool.run(Gcd.FAST, new Pairs(small, small)), "the pool serves on");
        } finally {
            if (old == null) {
                System.clearProperty(SharedMemory.RESERVE_PROPERTY);
            } else {
                System.setProperty(SharedMemory.RESERVE_PROPERTY, old);
            }
        }
    }

    @Test
    void theReservationPropertyIsChecked() {
        String old = System.getProperty(SharedMemory.RESERVE_PROPERTY);
        System.setProperty(SharedMemory.RESERVE_PROPERTY, "lots");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessPool.create(1));
            assertTrue(e.getMessage().contains("lots"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(SharedMemory.RESERVE_PROPERTY);
            } else {
                System.setProperty(SharedMemory.RESERVE_PROPERTY, old);
            }
        }
        assertNotEquals(0, SharedMemory.defaultReserve());
    }
}
