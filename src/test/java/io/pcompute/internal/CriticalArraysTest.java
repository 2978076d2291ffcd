package io.pcompute.internal;

import io.pcompute.NativePool;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-copy path for Java arrays (critical downcalls, {@link CriticalArrays}): taken just below its bound
 * and not above it, on the serial runner and the pool, with results bit-identical to the Java reference on
 * both sides of the bound. Which path ran is read from {@link CriticalArrays#calls()}, never from timing.
 */
@Timeout(120)
class CriticalArraysTest {
    /* Doubles of input a one-input reduction may pass zero-copy: 4 MiB. */
    private static final int ONE_INPUT_MAX = (int) (CriticalArrays.REDUCTION_MAX_BYTES / Double.BYTES);
    /* x and y together: 4 MiB. */
    private static final int TWO_INPUTS_MAX = ONE_INPUT_MAX / 2;
    private static final int GCD_FAST_MAX = 16_384;

    private static Runner serial;
    private static NativePool pool;

    @BeforeAll
    static void open() {
        serial = Strategy.NATIVE_SERIAL.open(1);
        pool = NativePool.create(2);
    }

    @AfterAll
    static void close() {
        serial.close();
        pool.close();
    }

    /** The two native ways to run a call synchronously, by name. */
    private static List<Way> ways() {
        return List.of(new Way("native-serial", serial::run), new Way("native-pool:2", pool::run));
    }

    private record Way(String name, BiFunction<Kernel<Object, Object>, Object, Object> call) {
        @SuppressWarnings("unchecked")
        <P, R> R run(Kernel<P, R> kernel, P problem) {
            return (R) call.apply((Kernel<Object, Object>) (Kernel<?, ?>) kernel, problem);
        }
    }

    /**
     * Values of very different magnitudes and signs, so that any other order of additions changes bits; with
     * a NaN (which min/max ignores, and which would make every sum NaN) only for min/max.
     */
    private static double[] values(long seed, int n) {
        return values(seed, n, false);
    }

    private static double[] values(long seed, int n, boolean nan) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (random.nextDouble() - 0.5) * Math.scalb(1.0, random.nextInt(-30, 30));
        }
        if (n > 100) {
            x[n - 7] = -0.0;
            if (nan) {
                x[n / 3] = Double.NaN;
            }
        }
        return x;
    }

    /** Runs {@code kernel} each way; asserts the raw result bits equal the reference's and which path ran. */
    private static <R> void assertPathAndBits(Kernel<Reduce.Data, R> kernel, Reduce.Data data, boolean zeroCopy) {
        R expected = kernel.reference(data);
        for (Way way : ways()) {
            long before = CriticalArrays.calls();
            R actual = way.run(kernel, data);
            String what = kernel + " over " + data.length() + " values, " + way.name();
            assertEquals(zeroCopy ? 1 : 0, CriticalArrays.calls() - before,
                    what + ": zero-copy calls (expected " + (zeroCopy ? "the critical path" : "a copy") + ")");
            assertEquals(bits(expected), bits(actual), what + ": result bits");
        }
    }

    private static String bits(Object result) {
        if (result instanceof Double d) {
            return Long.toHexString(Double.doubleToRawLongBits(d));
        }
        Reduce.MinMax m = (Reduce.MinMax) result;
        return Long.toHexString(Double.doubleToRawLongBits(m.min())) + "@" + m.argMin() + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.max())) + "@" + m.argMax();
    }

    @Test
    void oneInputReductionsTakeZeroCopyUpToTheBoundAndCopyAbove() {
        for (Reduce<?> kernel : List.of(Reduce.SUM, Reduce.SUM_NEUMAIER, Reduce.MINMAX)) {
            boolean nan = kernel == Reduce.MINMAX;
            assertPathAndBits(kernel, Reduce.Data.of(values(11, ONE_INPUT_MAX, nan)), true);
            assertPathAndBits(kernel, Reduce.Data.of(values(12, ONE_INPUT_MAX + 1, nan)), false);
            assertPathAndBits(kernel, Reduce.Data.of(values(13, 4097, nan)), true); // a partial last block
        }
    }

    @Test
    void dotProductCountsBothInputsAgainstTheBound() {
        assertPathAndBits(Reduce.DOT, new Reduce.Data(values(21, TWO_INPUTS_MAX), values(22, TWO_INPUTS_MAX)), true);
        assertPathAndBits(Reduce.DOT,
                new Reduce.Data(values(23, TWO_INPUTS_MAX + 1), values(24, TWO_INPUTS_MAX + 1)), false);
    }

    @Test
    void emptyAndTinyArraysTakeZeroCopy() {
        assertPathAndBits(Reduce.SUM, Reduce.Data.of(new double[0]), true);
        assertPathAndBits(Reduce.MINMAX, Reduce.Data.of(Double.NaN), true);
        assertPathAndBits(Reduce.DOT, new Reduce.Data(new double[] {3.0}, new double[] {-0.5}), true);
    }

    @Test
    void nativeSegmentsNeverTakeTheCriticalPath() {
        double[] x = values(31, 10_000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, x);
            Double expected = Reduce.SUM.reference(Reduce.Data.of(x));
            for (Way way : ways()) {
                long before = CriticalArrays.calls();
                Double actual = way.run(Reduce.SUM, Reduce.Data.of(xs));
                assertEquals(0, CriticalArrays.calls() - before, way.name() + ": zero-copy calls over a segment");
                assertEquals(bits(expected), bits(actual), way.name() + ": result bits");
            }
        }
    }

    @Test
    void gcdFastTakesZeroCopyUpToItsShortCallBoundOnBothStrategies() {
        for (int n : new int[] {GCD_FAST_MAX, GCD_FAST_MAX + 1}) {
            long[] a = new SplittableRandom(n).longs(n, 0, Long.MAX_VALUE).toArray();
            long[] b = new SplittableRandom(n + 1).longs(n, 0, Long.MAX_VALUE).toArray();
            a[5] = 0;
            b[6] = 0;
            long[] expected = Gcd.FAST.reference(new Pairs(a, b));
            for (Way way : ways()) {
                long before = CriticalArrays.calls();
                long[] actual = way.run(Gcd.FAST, new Pairs(a, b));
                assertEquals(n <= GCD_FAST_MAX ? 1 : 0, CriticalArrays.calls() - before,
                        "gcd_fast over " + n + " pairs, " + way.name() + ": zero-copy calls");
                assertArrayEquals(expected, actual, "gcd_fast over " + n + " pairs, " + way.name());
            }
        }
    }

    @Test
    void gcdBruteNeverTakesTheCriticalPath() {
        long[] a = {12, 18, 1963309};
        long[] b = {8, 27, 2265973};
        for (Way way : ways()) {
            long before = CriticalArrays.calls();
            assertArrayEquals(Gcd.BRUTE.reference(new Pairs(a, b)), way.run(Gcd.BRUTE, new Pairs(a, b)), way.name());
            assertEquals(0, CriticalArrays.calls() - before, way.name() + ": gcd_brute is never a short call");
        }
    }

    @Test
    void badInputBelowTheBoundThrowsNamingArgumentAndValueBeforeAnyNativeCall() {
        long[] a = {4, 6, -3, 8};
        long[] b = {2, 3, 4, 5};
        for (Way way : ways()) {
            long before = CriticalArrays.calls();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> way.run(Gcd.FAST, new Pairs(a, b)));
            assertTrue(e.getMessage().startsWith("a[2] = -3"), way.name() + ": " + e.getMessage());
            IllegalArgumentException dot = assertThrows(IllegalArgumentException.class,
                    () -> way.run(Reduce.DOT, new Reduce.Data(new double[3], new double[2])));
            assertTrue(dot.getMessage().contains("2") && dot.getMessage().contains("3"), way.name() + ": " + dot.getMessage());
            assertEquals(0, CriticalArrays.calls() - before, way.name() + ": nothing ran");
        }
    }

    @Test
    void aClosedPoolRefusesAZeroCopyCall() {
        NativePool closed = NativePool.create(1);
        closed.close();
        long before = CriticalArrays.calls();
        assertThrows(IllegalStateException.class, () -> closed.run(Reduce.SUM, Reduce.Data.of(1.0, 2.0)));
        assertEquals(0, CriticalArrays.calls() - before);
    }

    @Test
    void aSmallPoolJobRunsOnTheCallerEvenWhileTheWorkersAreBusy() throws Exception {
        // the pool's only worker is inside an endless job: the zero-copy call must not wait for it
        try (NativePool one = NativePool.create(1)) {
            var endless = one.submit(Gcd.BRUTE, new long[] {1_000_000_000_039L}, new long[] {1_000_000_000_061L});
            try {
                double[] x = values(41, 100_000);
                long before = CriticalArrays.calls();
                Double sum = one.run(Reduce.SUM, Reduce.Data.of(x));
                assertEquals(1, CriticalArrays.calls() - before);
                assertEquals(bits(Reduce.SUM.reference(Reduce.Data.of(x))), bits(sum));
            } finally {
                endless.cancel();
            }
        }
    }
}
