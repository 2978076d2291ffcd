package io.pcompute.kernels;

import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue against independent oracles: published prime counts, exact BigDecimal sums, EJML. */
class KernelCatalogueTest {
    private static final Map<Strategy, Runner> RUNNERS = new EnumMap<>(Strategy.class);

    private static Runner runner(Strategy s) {
        return RUNNERS.computeIfAbsent(s, x -> x.open(2));
    }

    @AfterAll
    static void close() {
        RUNNERS.values().forEach(Runner::close);
    }

    @Test
    void registryDeclaresEveryNativeKernel() {
        // the built-in kernels come first, in the C library's order; the test class path's KernelProvider
        // (example.app.TestKernels) adds its own after them
        List<String> names = Kernels.all().stream().filter(k -> k.getClass().getPackageName().equals("io.pcompute.kernels"))
                .map(Kernel::name).toList();
        assertEquals(names, Kernels.all().stream().map(Kernel::name).toList().subList(0, names.size()));
        List<String> nativeNames = new java.util.ArrayList<>();
        for (int id = 1; id <= io.pcompute.internal.Native.kernelCount(); id++) {
            nativeNames.add(io.pcompute.internal.Native.kernelName(id));
        }
        assertEquals(nativeNames, names);
        assertTrue(names.containsAll(List.of("gcd_brute", "gcd_fast", "primes_trial", "primes_sieve", "mandelbrot",
                "reduce_sum", "reduce_sum_neumaier", "reduce_dot", "reduce_minmax", "matmul", "histogram")), names.toString());
        assertEquals(Reduce.SUM, Kernels.byName("reduce_sum"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.byName("fft"));
        assertTrue(e.getMessage().startsWith("kernel = 'fft': must be one of [gcd_brute, gcd_fast, "), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void primeCountsMatchPublishedValues(Strategy s) {
        long[] pi = {0, 4, 25, 168, 1229, 9592, 78498, 664579, 5761455};
        for (int k = 1; k <= 8; k++) {
            long hi = (long) Math.pow(10, k);
            assertEquals(pi[k], runner(s).run(Primes.SIEVE, new Primes.Range(0, hi)), "sieve pi(10^" + k + ")");
            if (k <= 6) {
                assertEquals(pi[k], runner(s).run(Primes.TRIAL, new Primes.Range(0, hi)), "trial pi(10^" + k + ")");
            }
        }
        // pi(10^12) - pi(10^12 - 10^6), from the published pi(10^12) = 37607912018 and a sieve count
        assertEquals(runner(s).run(Primes.TRIAL, new Primes.Range(999_999_990_000L, 1_000_000_000_000L)),
                runner(s).run(Primes.SIEVE, new Primes.Range(999_999_990_000L, 1_000_000_000_000L)));
    }

    private static double[] wideRangeValues(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-20, 20));
        }
        return x;
    }

    private static BigDecimal exactSum(double[] x) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double v : x) {
            sum = sum.add(new BigDecimal(v));
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void compensatedSumIsCorrectlyRoundedAndPlainSumWithinItsErrorBound(Strategy s) {
        for (long seed = 1; seed <= 5; seed++) {
            double[] x = wideRangeValues(seed, 30_000 + (int) seed * 7);
            BigDecimal exact = exactSum(x);
            double rounded = exact.round(MathContext.DECIMAL128).doubleValue();
            double neumaier = runner(s).run(Reduce.SUM_NEUMAIER, Reduce.Data.of(x));
            assertTrue(Math.abs(neumaier - rounded) <= Math.ulp(rounded),
                    "seed " + seed + ": Neumaier " + neumaier + " vs exact " + rounded);
            double plain = runner(s).run(Reduce.SUM, Reduce.Data.of(x));
            double absSum = 0;
            for (double v : x) {
                absSum += Math.abs(v);
            }
            // pairwise-of-blocks summation: error <= (block + log2(blocks)) * eps * sum |x|
            double bound = (Reduce.BLOCK + 32) * Math.ulp(1.0) * absSum;
            assertTrue(Math.abs(plain - exact.doubleValue()) <= bound, "seed " + seed + ": plain sum " + plain);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void sumsFollowTheDocumentedLaneOrder(Strategy s) {
        // lane 0 holds 1e16 and -1e16, which cancel exactly; lanes 1..7 (and lane 1 again) the ones. One
        // left-to-right chain would give 1.0 (each 1 added to 1e16 is lost); the lanes give exactly 8.
        double[] x = {1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, 1};
        double[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        assertEquals(8.0, runner(s).run(Reduce.SUM, Reduce.Data.of(x)));
        assertEquals(8.0, runner(s).run(Reduce.DOT, new Reduce.Data(x, ones)));
        assertEquals(8.0, runner(s).run(Reduce.SUM_NEUMAIER, Reduce.Data.of(x)));
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void dotProductMatchesExactProductSum(Strategy s) {
        double[] x = wideRangeValues(11, 20_000);
        double[] y = wideRangeValues(12, 20_000);
        BigDecimal exact = BigDecimal.ZERO;
        double absSum = 0;
        for (int i = 0; i < x.length; i++) {
            exact = exact.add(new BigDecimal(x[i]).multiply(new BigDecimal(y[i])));
            absSum += Math.abs(x[i] * y[i]);
        }
        double dot = runner(s).run(Reduce.DOT, new Reduce.Data(x, y));
        assertTrue(Math.abs(dot - exact.doubleValue()) <= (Reduce.BLOCK + 32) * Math.ulp(1.0) * absSum, "dot " + dot);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void minMaxMatchesStreamsAndFindsFirstOccurrence(Strategy s) {
        double[] x = wideRangeValues(21, 50_000);
        x[123] = Double.NaN;
        x[40_000] = 1e30;
        x[45_000] = 1e30; // a tie: the first occurrence wins
        Reduce.MinMax r = runner(s).run(Reduce.MINMAX, Reduce.Data.of(x));
        double min = java.util.Arrays.stream(x).filter(v -> !Double.isNaN(v)).min().orElseThrow();
        assertEquals(min, r.min());
        assertEquals(min, x[(int) r.argMin()]);
        assertEquals(1e30, r.max());
        assertEquals(40_000, r.argMax());
        // -0.0 and 0.0 tie: the first occurrence is reported, with its own sign
        assertEquals(new Reduce.MinMax(0.0, 1, 5.0, 3), runner(s).run(Reduce.MINMAX, Reduce.Data.of(1, 0.0, -0.0, 5)));
        assertEquals(new Reduce.MinMax(-0.0, 0, -0.0, 0), runner(s).run(Reduce.MINMAX, Reduce.Data.of(-0.0, 0.0)));
        assertEquals(new Reduce.MinMax(Double.POSITIVE_INFINITY, 1, Double.POSITIVE_INFINITY, 1),
                runner(s).run(Reduce.MINMAX, Reduce.Data.of(Double.NaN, Double.POSITIVE_INFINITY)));
        Reduce.MinMax none = runner(s).run(Reduce.MINMAX, Reduce.Data.of(Double.NaN, Double.NaN));
        assertEquals(new Reduce.MinMax(Double.NaN, -1, Double.NaN, -1), none);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void matmulMatchesEjml(Strategy s) {
        SplittableRandom r = new SplittableRandom(5);
        int rows = 150, inner = 300, cols = 170; // inner spans more than one k-block of the C kernel
        double[] a = r.doubles(rows * inner, -1, 1).toArray();
        double[] b = r.doubles(inner * cols, -1, 1).toArray();
        double[] c = runner(s).run(Matmul.KERNEL, new Matmul.Matrices(rows, inner, cols, a, b));
        DMatrixRMaj expected = new DMatrixRMaj(rows, cols);
        CommonOps_DDRM.mult(new DMatrixRMaj(rows, inner, true, a), new DMatrixRMaj(inner, cols, true, b), expected);
        for (int i = 0; i < c.length; i++) {
            assertEquals(expected.data[i], c[i], 1e-12 * inner, "C[" + i / cols + "][" + i % cols + "]");
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void histogramCountsEveryInRangeValueOnce(Strategy s) {
        double[] x = wideRangeValues(31, 200_000);
        x[7] = Double.NaN;
        x[8] = 1.0; // == hi: outside
        x[9] = -1.0; // == lo: first bin
        long[] counts = runner(s).run(Histogram.KERNEL, new Histogram.Samples(x, -1.0, 1.0, 64));
        long inRange = java.util.Arrays.stream(x).filter(v -> v >= -1.0 && v < 1.0).count();
        assertEquals(inRange, java.util.Arrays.stream(counts).sum());
        long firstBin = java.util.Arrays.stream(x).filter(v -> v >= -1.0 && v < -1.0 + 2.0 / 64).count();
        assertEquals(firstBin, counts[0]);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void mandelbrotKnownPoints(Strategy s) {
        // z: 0 -> z^2 + c; the count is the number of steps taken before |z|^2 > 4 (or maxIter)
        long[] counts = runner(s).run(Mandelbrot.KERNEL, new Mandelbrot.Grid(4, 1, 1000, -1, 0, 1, 0));
        assertEquals(1000, counts[0]); // c = -1: 0, -1, 0, -1, ... never escapes
        assertEquals(1000, counts[1]); // c = 0
        assertEquals(3, counts[2]);    // c = 1: 0, 1, 2, 5 (|2|^2 = 4 is not > 4)
        assertEquals(2, counts[3]);    // c = 2: 0, 2, 6
    }

    @Test
    void newKernelsRejectBadProblemsNamingTheValue() {
        try (Runner r = Strategy.NATIVE_POOL.open(1)) {
            assertEquals("lo = -1: must be >= 0",
                    assertThrows(IllegalArgumentException.class, () -> r.run(Primes.TRIAL, new Primes.Range(-1, 5))).getMessage());
            assertEquals("hi = 3: must be >= lo = 5",
                    assertThrows(IllegalArgumentException.class, () -> r.run(Primes.SIEVE, new Primes.Range(5, 3))).getMessage());
            assertEquals("hi = 2000000000000: primes_sieve counts below 1000000000000 only",
                    assertThrows(IllegalArgumentException.class,
                            () -> r.run(Primes.SIEVE, new Primes.Range(0, 2_000_000_000_000L))).getMessage());
            assertEquals("dx = NaN: must be finite", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Mandelbrot.KERNEL, new Mandelbrot.Grid(2, 2, 10, 0, 0, Double.NaN, 1))).getMessage());
            assertEquals("y.length = 1: must equal x.length = 2", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Reduce.DOT, new Reduce.Data(new double[2], new double[1]))).getMessage());
            assertEquals("a.length = 5: must be rows * inner = 6", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Matmul.KERNEL, new Matmul.Matrices(2, 3, 1, new double[5], new double[3]))).getMessage());
            assertEquals("[lo, hi) = [1.0, 1.0): must be finite with lo < hi", assertThrows(IllegalArgumentException.class,
                    () -> r.run(Histogram.KERNEL, new Histogram.Samples(new double[1], 1, 1, 4))).getMessage());
            assertEquals("x must not be null", assertThrows(NullPointerException.class,
                    () -> r.run(Reduce.SUM, new Reduce.Data(null, null))).getMessage());
        }
    }

    @Test
    void primesTakeEveryRangeUpToTheDocumentedMaximum() {
        // issue 8 item 14: more than 2^31 blocks of BLOCK threw ArithmeticException (integer overflow)
        Primes.Range all = new Primes.Range(0, 1L << 62);
        Primes.TRIAL.validate(all);
        assertEquals(1L << 42, Primes.TRIAL.block(all));
        assertEquals(Primes.MAX_PARTIALS, Primes.TRIAL.buffers(all).longOut(0).length);
        assertEquals(Primes.BLOCK, Primes.TRIAL.block(new Primes.Range(0, (long) Primes.BLOCK * Primes.MAX_PARTIALS)));
        assertEquals(2L * Primes.BLOCK, Primes.TRIAL.block(new Primes.Range(0, (long) Primes.BLOCK * Primes.MAX_PARTIALS + 1)));
        // 2^46 numbers just below 2^62 (2^32 blocks of BLOCK): the native pool takes the larger blocks
        try (io.pcompute.NativePool pool = io.pcompute.NativePool.create(2)) {
            io.pcompute.Job<Long> job = pool.submit(Primes.TRIAL, new Primes.Range((1L << 62) - (1L << 46), 1L << 62));
            assertTrue(job.cancel());
        }
    }

    @Test
    void primeCountsDoNotDependOnTheBlockSize() {
        long lo = 999_000;
        long n = 3_000_000;
        for (Primes kernel : List.of(Primes.TRIAL, Primes.SIEVE)) {
            for (long block : new long[] {Primes.BLOCK, 4L * Primes.BLOCK, 1L << 20, 1L << 22}) {
                io.pcompute.kernel.Buffers b = new io.pcompute.kernel.Buffers().iparam(0, lo).iparam(1, block)
                        .out(0, new long[(int) ((n + block - 1) / block)]);
                kernel.reference(b, 0, n);
                // pi(3,999,000) - pi(999,000), counted independently (sympy.primepi)
                assertEquals(204_650L, java.util.Arrays.stream(b.longOut(0)).sum(),
                        kernel + " with blocks of " + block);
            }
        }
    }
}
