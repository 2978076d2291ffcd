package io.pcompute;

import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reductions over caller-owned native segments: zero-copy for native strategies, same results everywhere. */
class SegmentInputTest {
    private static final Map<Strategy, Runner> RUNNERS = new EnumMap<>(Strategy.class);

    private static Runner runner(Strategy s) {
        return RUNNERS.computeIfAbsent(s, x -> x.open(2));
    }

    @AfterAll
    static void close() {
        RUNNERS.values().forEach(Runner::close);
    }

    private static double[] values(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-30, 30));
        }
        if (n > 100) {
            x[n / 3] = Double.NaN; // min/max skips it; the sums become NaN on every strategy alike
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void segmentsGiveTheArrayResultBitForBit(Strategy s) {
        for (int n : new int[] {0, 1, Reduce.BLOCK - 1, 16 * Reduce.BLOCK + 5, 200_003}) {
            double[] x = values(n, n);
            double[] y = values(n + 7, n);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, x);
                MemorySegment ys = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, y);
                String where = s + ", n = " + n;
                assertEquals(Reduce.SUM.reference(Reduce.Data.of(x)), runner(s).run(Reduce.SUM, Reduce.Data.of(xs)), where);
                assertEquals(Reduce.SUM_NEUMAIER.reference(Reduce.Data.of(x)),
                        runner(s).run(Reduce.SUM_NEUMAIER, Reduce.Data.of(xs)), where);
                assertEquals(Reduce.DOT.reference(new Reduce.Data(x, y)), runner(s).run(Reduce.DOT, Reduce.Data.of(xs, ys)), where);
                assertEquals(Reduce.MINMAX.reference(Reduce.Data.of(x)), runner(s).run(Reduce.MINMAX, Reduce.Data.of(xs)), where);
            }
        }
    }

    @Test
    void nativePoolReadsSegmentsInPlaceAndTheCallerSeesNoCopy() throws Exception {
        try (NativePool pool = NativePool.create(2); Arena arena = Arena.ofShared()) {
            MemorySegment xs = arena.allocate(ValueLayout.JAVA_DOUBLE, 100_000);
            for (long i = 0; i < 100_000; i++) {
                xs.setAtIndex(ValueLayout.JAVA_DOUBLE, i, 0.5);
            }
            assertEquals(50_000.0, pool.run(Reduce.SUM, Reduce.Data.of(xs)));
            xs.setAtIndex(ValueLayout.JAVA_DOUBLE, 99_999, 1000.5); // the next run sees the caller's memory
            assertEquals(51_000.0, pool.submit(Reduce.SUM, Reduce.Data.of(xs)).future().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void badSegmentsAreRejectedNamingTheArgument() {
        try (Arena arena = Arena.ofConfined(); Runner r = Strategy.NATIVE_SERIAL.open(1)) {
            MemorySegment ok = arena.allocate(ValueLayout.JAVA_DOUBLE, 10);
            assertEquals("x must not be null",
                    assertThrows(NullPointerException.class, () -> Reduce.Data.of((MemorySegment) null)).getMessage());
            assertEquals("y holds 9 doubles: must hold as many as x, 10", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Reduce.DOT, Reduce.Data.of(ok, ok.asSlice(0, 72)))).getMessage());
            assertEquals("y: reduce_sum takes one segment, x; y must be null", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Reduce.SUM, Reduce.Data.of(ok, ok))).getMessage());
            assertEquals("x.byteSize() = 12: must be a multiple of 8 (8-byte values)", assertThrows(
                    IllegalArgumentException.class, () -> r.run(Reduce.SUM, Reduce.Data.of(ok.asSlice(0, 12)))).getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> r.run(Reduce.SUM, Reduce.Data.of(ok.asSlice(4, 16))))
                    .getMessage().endsWith(": must be 8-byte aligned for 8-byte values"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> r.run(Reduce.SUM,
                    Reduce.Data.of(MemorySegment.ofArray(new double[4])))).getMessage().startsWith("x is a heap segment"));
            Arena closed = Arena.ofConfined();
            MemorySegment gone = closed.allocate(ValueLayout.JAVA_DOUBLE, 4);
            closed.close();
            assertEquals("x: its arena is already closed", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Reduce.SUM, Reduce.Data.of(gone))).getMessage());
        }
    }

    @Test
    void anAsynchronousJobNeedsSegmentsOtherThreadsMayRead() {
        try (NativePool pool = NativePool.create(1); Arena confined = Arena.ofConfined()) {
            MemorySegment xs = confined.allocate(ValueLayout.JAVA_DOUBLE, 10);
            assertEquals(0.0, pool.run(Reduce.SUM, Reduce.Data.of(xs))); // synchronous, from the owner: fine
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.submit(Reduce.SUM, Reduce.Data.of(xs)));
            assertTrue(e.getMessage().startsWith("input 0 is confined to another thread"), e.getMessage());
        }
    }

    @Test
    void aQueuedJobPinsItsSegments() throws Exception {
        try (NativePool pool = NativePool.create(1)) {
            Job<long[]> endless = pool.submit(Gcd.BRUTE, new long[] {TestData.ENDLESS_A},
                    new long[] {TestData.ENDLESS_B}); // occupies the pool
            Arena arena = Arena.ofShared();
            MemorySegment xs = arena.allocate(ValueLayout.JAVA_DOUBLE, 1000);
            Job<Double> job = pool.submit(Reduce.SUM, Reduce.Data.of(xs));
            Thread.sleep(200); // its waiter is in the downcall that pins xs, queued behind the endless job
            assertThrows(IllegalStateException.class, arena::close, "the arena closed under a queued job");
            assertTrue(xs.scope().isAlive());
            endless.cancel();
            assertEquals(0.0, job.future().get(10, TimeUnit.SECONDS));
            arena.close(); // once the job has ended, the owner can free its memory
            assertFalse(xs.scope().isAlive());
            assertThrows(java.util.concurrent.CancellationException.class, () -> endless.future().get(10, TimeUnit.SECONDS));
        }
    }
}
