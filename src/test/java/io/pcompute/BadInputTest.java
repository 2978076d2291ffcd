package io.pcompute;

import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input raises an exception that names the argument and the value, on every strategy. */
class BadInputTest {
    private static NativePool pool;

    @BeforeAll
    static void openPool() {
        pool = NativePool.create(2);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    private static <T extends Throwable> void assertRejects(Strategy s, Class<T> type, String message,
                                                            Gcd kernel, long[] a, long[] b) {
        try (Runner runner = s.open(2)) {
            T e = assertThrows(type, () -> runner.apply(kernel, a, b), s.label());
            assertEquals(message, e.getMessage(), s.label());
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void rejectsNullArrays(Strategy s) {
        assertRejects(s, NullPointerException.class, "a must not be null", Gcd.FAST, null, new long[1]);
        assertRejects(s, NullPointerException.class, "b must not be null", Gcd.FAST, new long[1], null);
        assertRejects(s, NullPointerException.class, "kernel must not be null", null, new long[1], new long[1]);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void rejectsLengthMismatch(Strategy s) {
        assertRejects(s, IllegalArgumentException.class, "b.length = 2: must equal a.length = 3 (one b per a)",
                Gcd.BRUTE, new long[] {1, 2, 3}, new long[] {1, 2});
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void rejectsZeroForBruteForce(Strategy s) {
        assertRejects(s, IllegalArgumentException.class, "b[1] = 0: gcd_brute inputs must be positive",
                Gcd.BRUTE, new long[] {4, 6, 8}, new long[] {2, 0, 4});
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void rejectsNegativeValues(Strategy s) {
        assertRejects(s, IllegalArgumentException.class, "a[2] = -5: gcd_fast inputs must be non-negative",
                Gcd.FAST, new long[] {4, 0, -5}, new long[] {2, 0, 3});
        assertRejects(s, IllegalArgumentException.class, "a[0] = -7: gcd_brute inputs must be positive",
                Gcd.BRUTE, new long[] {-7}, new long[] {3});
    }

    @Test
    void rejectsNegativeThreadCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativePool.create(-1));
        assertEquals("threads = -1: must be between 0 (all cores) and 1024", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Strategy.JAVA_POOL.open(-3));
        assertEquals("threads = -3: must be between 0 (all cores) and 1024", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NativePool.create(1025));
        assertEquals("threads = 1025: must be between 0 (all cores) and 1024", e.getMessage());
    }

    @Test
    void rejectsUnknownStrategyName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategy.fromLabel("gpu"));
        assertEquals("strategy = 'gpu': must be one of java-serial, java-pool, native-serial, native-pool, native-process, auto", e.getMessage());
    }

    @Test
    void rejectsInvalidValueInsideNativeSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_LONG, 3, 9, 27);
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_LONG, 6, -4, 9);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.BRUTE, a, b, out));
            assertEquals("b[1] = -4: gcd_brute inputs must be positive", e.getMessage());
        }
    }

    @Test
    void rejectsClosedSegment() {
        Arena arena = Arena.ofShared();
        MemorySegment a = arena.allocate(ValueLayout.JAVA_LONG, 4);
        arena.close();
        try (Arena live = Arena.ofShared()) {
            MemorySegment b = live.allocate(ValueLayout.JAVA_LONG, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.submit(Gcd.FAST, a, b, b));
            assertEquals("a: its arena is already closed", e.getMessage());
        }
    }

    @Test
    void rejectsTooSmallSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(ValueLayout.JAVA_LONG, 20);
            MemorySegment small = arena.allocate(ValueLayout.JAVA_LONG, 19);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.FAST, a, a, small));
            assertEquals("out holds 19 int64 values: must hold at least a's 20", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> pool.run(Gcd.FAST, a, small, a));
            assertEquals("b holds 19 int64 values: must hold at least a's 20", e.getMessage());
        }
    }

    @Test
    void rejectsSegmentsThatAreNotWholeAlignedInt64s() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ok = arena.allocate(ValueLayout.JAVA_LONG, 4);
            MemorySegment ragged = arena.allocate(20, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.FAST, ragged, ok, ok));
            assertEquals("a.byteSize() = 20: must be a multiple of 8 (8-byte values)", e.getMessage());
            MemorySegment shifted = arena.allocate(40, 8).asSlice(4, 32);
            e = assertThrows(IllegalArgumentException.class, () -> pool.run(Gcd.FAST, ok, shifted, ok));
            assertTrue(e.getMessage().startsWith("b.address() = 0x"), e.getMessage());
            assertTrue(e.getMessage().endsWith(": must be 8-byte aligned for 8-byte values"), e.getMessage());
        }
    }

    @Test
    void rejectsHeapAndReadOnlySegmentsAndShiftedOverlap() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ok = arena.allocate(ValueLayout.JAVA_LONG, 4);
            MemorySegment heap = MemorySegment.ofArray(new long[4]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.FAST, heap, ok, ok));
            assertTrue(e.getMessage().startsWith("a is a heap segment: native workers need native memory"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.FAST, ok, ok, ok.asReadOnly()));
            assertEquals("out is read-only: results cannot be written to it", e.getMessage());
            MemorySegment big = arena.allocate(ValueLayout.JAVA_LONG, 8);
            e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.FAST, big.asSlice(0, 32), ok, big.asSlice(8, 32)));
            assertEquals("out overlaps a at a different offset (8 bytes): use separate memory or exactly the same memory",
                    e.getMessage());
        }
    }

    @Test
    void rejectsConfinedSegmentsForAsynchronousJobs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(ValueLayout.JAVA_LONG, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.submit(Gcd.FAST, s, s, s));
            assertTrue(e.getMessage().startsWith("a is confined to another thread"), e.getMessage());
        }
    }

    @Test
    void rejectsSegmentsConfinedToAnotherThreadForSynchronousRun() throws Exception {
        AtomicReference<MemorySegment> other = new AtomicReference<>();
        Arena[] arena = new Arena[1];
        Thread owner = Thread.ofPlatform().start(() -> {
            arena[0] = Arena.ofConfined();
            other.set(arena[0].allocate(ValueLayout.JAVA_LONG, 2));
        });
        owner.join();
        try (Arena mine = Arena.ofConfined()) {
            MemorySegment s = mine.allocate(ValueLayout.JAVA_LONG, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.run(Gcd.FAST, other.get(), s, s));
            assertTrue(e.getMessage().startsWith("a is confined to another thread"), e.getMessage());
        }
    }

    @Test
    void rejectsNullSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(ValueLayout.JAVA_LONG, 2);
            NullPointerException e = assertThrows(NullPointerException.class, () -> pool.run(Gcd.FAST, s, s, null));
            assertEquals("out must not be null", e.getMessage());
        }
    }

    @Test
    void rejectsSubmissionsAfterClose() {
        NativePool closed = NativePool.create(1);
        closed.close();
        closed.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> closed.submit(Gcd.FAST, new long[] {4}, new long[] {6}));
        assertEquals("this NativePool is closed", e.getMessage());
    }
}
