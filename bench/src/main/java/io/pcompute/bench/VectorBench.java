package io.pcompute.bench;

import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The honest peer ({@link VectorTwins}): the Java Vector API twins of the SIMD gcd_brute on the seed
 * workloads ({@link SeedBench}'s inputs) and of the reductions on {@link KernelBench}'s inputs, one thread,
 * so the report sets them beside java-serial and native-serial. Each state's setup checks its twin
 * against the plain-Java reference — on the benchmark's own input and on edge inputs for every path —
 * and throws if one value differs, so a wrong twin fails its benchmark instead of publishing a number.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class VectorBench {

    @State(Scope.Benchmark)
    public static class Seed {
        @Param({"seed10", "scaled100"})
        public String workload;

        long[] a;
        long[] b;

        @Setup(Level.Trial)
        public void setUp() {
            long[][] pairs = SeedBench.inputs(workload);
            a = pairs[0];
            b = pairs[1];
            checkGcd(a, b);
            long[][] edges = gcdEdgeCases();
            checkGcd(edges[0], edges[1]);
        }
    }

    @State(Scope.Benchmark)
    public static class Reduction {
        @Param({"reduce_sum", "reduce_sum_neumaier", "reduce_dot", "reduce_minmax"})
        public String reduction; // the name SegmentReduceBench uses, so bench/run's -p reduction=... picks both

        @Param({"small", "l2", "large"})
        public String size;

        double[] x;
        double[] y;

        @Setup(Level.Trial)
        public void setUp() {
            Reduce.Data data = (Reduce.Data) Problems.of(reduction, size); // KernelBench's input
            x = data.x();
            y = data.y();
            checkReduction(reduction, x, y);
            SplittableRandom r = new SplittableRandom(11);
            boolean finite = !reduction.equals("reduce_minmax"); // an infinity or NaN in a sum hides its order
            for (int n : new int[] {0, 1, 7, 8, 9, 4095, 4096, 4097, 3 * 4096 + 5, 17 * 4096 + 77}) {
                for (int repeat = 0; repeat < 4; repeat++) {
                    checkReduction(reduction, edgeValues(r, n, finite), edgeValues(r, n, finite));
                }
            }
        }
    }

    /** gcd_fast's input at each size (KernelBench's): full-width random pairs. */
    @State(Scope.Benchmark)
    public static class FastPairs {
        @Param({"small", "l2", "large"})
        public String size;

        long[] a;
        long[] b;

        @Setup(Level.Trial)
        public void setUp() {
            Pairs pairs = (Pairs) Problems.of("gcd_fast", size);
            a = pairs.a();
            b = pairs.b();
            checkGcdFast(a, b);
            SplittableRandom r = new SplittableRandom(7);
            for (int n : new int[] {0, 1, 7, 8, 15, 16, 17, 33, 100}) {
                long[] x = new long[n];
                long[] y = new long[n];
                for (int k = 0; k < n; k++) { // zeros, powers of two, Long.MAX_VALUE, any width
                    x[k] = k % 5 == 0 ? 0 : k % 5 == 1 ? 1L << r.nextInt(63) : k % 5 == 2 ? Long.MAX_VALUE
                            : r.nextLong(Long.MAX_VALUE) >>> r.nextInt(63);
                    y[k] = k % 7 == 3 ? 0 : k % 7 == 4 ? x[k] : r.nextLong(Long.MAX_VALUE) >>> r.nextInt(63);
                }
                checkGcdFast(x, y);
            }
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long[] gcdFast(FastPairs s) {
        return VectorTwins.gcdFast(s.a, s.b);
    }

    static void checkGcdFast(long[] a, long[] b) {
        checkTwin(Gcd.FAST, VectorTwins.gcdFast(a, b), a, b, "");
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long[] gcdBrute(Seed s) {
        return VectorTwins.gcdBrute(s.a, s.b);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object reduce(Reduction s) {
        return run(s.reduction, s.x, s.y);
    }

    private static Object run(String reduction, double[] x, double[] y) {
        return switch (reduction) {
            case "reduce_sum" -> VectorTwins.sum(x);
            case "reduce_sum_neumaier" -> VectorTwins.sumNeumaier(x);
            case "reduce_dot" -> VectorTwins.dot(x, y);
            case "reduce_minmax" -> VectorTwins.minMax(x);
            default -> throw new IllegalArgumentException("reduction = '" + reduction
                    + "': must be reduce_sum, reduce_sum_neumaier, reduce_dot or reduce_minmax");
        };
    }

    private static Reduce<?> kernel(String reduction) {
        return switch (reduction) {
            case "reduce_sum" -> Reduce.SUM;
            case "reduce_sum_neumaier" -> Reduce.SUM_NEUMAIER;
            case "reduce_dot" -> Reduce.DOT;
            case "reduce_minmax" -> Reduce.MINMAX;
            default -> throw new IllegalArgumentException("reduction = '" + reduction + "'");
        };
    }

    /** Throws unless the twin returns the reference's bits (NaNs compared as one value). */
    static void checkReduction(String reduction, double[] x, double[] y) {
        Reduce<?> k = kernel(reduction);
        Reduce.Data data = k == Reduce.DOT ? new Reduce.Data(x, y) : Reduce.Data.of(x);
        Object expected;
        try (Runner serial = Strategy.JAVA_SERIAL.open(1)) {
            expected = serial.run(k, data);
        }
        Object actual = run(reduction, x, k == Reduce.DOT ? y : null);
        boolean same = expected instanceof Double e
                ? Double.doubleToLongBits(e) == Double.doubleToLongBits((Double) actual)
                : Objects.equals(expected, actual); // MinMax: a record, doubles compared as Double.compare does
        if (!same) {
            throw new IllegalStateException("the Vector API twin of " + reduction + " returned " + actual
                    + ", the reference " + expected + ", on " + x.length + " values " + preview(x));
        }
    }

    static void checkGcd(long[] a, long[] b) {
        checkTwin(Gcd.BRUTE, VectorTwins.gcdBrute(a, b), a, b, " (" + VectorTwins.gcdShape() + ")");
    }

    /** Throws unless a twin's gcd ({@code actual}) equals the reference's for every pair. */
    private static void checkTwin(Gcd reference, long[] actual, long[] a, long[] b, String detail) {
        for (int i = 0; i < a.length; i++) {
            long expected = reference.apply(a[i], b[i]);
            if (actual[i] != expected) {
                throw new IllegalStateException("the Vector API twin of " + reference.name() + " returned " + actual[i]
                        + " for (" + a[i] + ", " + b[i] + "), the reference " + expected + detail);
            }
        }
    }

    /**
     * Pairs on every path and at its edges — both values at or just below 2^24 (floats), just above 2^24
     * and at 2^53 (doubles), above 2^53 and the largest int64 (scalar), fewer candidates than one step's
     * lanes — each with a small min(a, b) or a common divisor near the top, so the reference stays fast.
     */
    static long[][] gcdEdgeCases() {
        long f = VectorTwins.FLOAT_MAX, e = VectorTwins.EXACT_MAX;
        List<long[]> pairs = new ArrayList<>(List.of(
                new long[] {1, 1}, new long[] {1, 7}, new long[] {7, 7}, new long[] {15, 20}, new long[] {16, 16},
                new long[] {17, 34}, new long[] {31, 62}, new long[] {33, 99}, new long[] {97, 89},
                new long[] {f, f}, new long[] {f, f / 2 * 3 / 2}, new long[] {f - 1, f - 1}, new long[] {f, 3 * (f / 4)},
                new long[] {f + 1, 97 * 257 * 5}, new long[] {f + 1, f + 1}, new long[] {e, 3 << 10}, new long[] {e, e / 2},
                new long[] {e - 1, 999_999}, new long[] {e - 2, e - 2}, new long[] {e + 1, 1000}, new long[] {e + 2, 6},
                new long[] {Long.MAX_VALUE, 49}, new long[] {Long.MAX_VALUE, 127 * 73}, new long[] {Long.MAX_VALUE - 1, 100_000}));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            long small = r.nextLong(1, 50_000);
            long big = switch (i % 4) {
                case 0 -> r.nextLong(1, f + 1);
                case 1 -> r.nextLong(f + 1, e + 1);
                case 2 -> r.nextLong(e + 1, Long.MAX_VALUE);
                default -> small * r.nextLong(1, f); // a large common divisor
            };
            pairs.add(i % 2 == 0 ? new long[] {big, small} : new long[] {small, big});
        }
        long[][] ab = new long[2][pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            ab[0][i] = pairs.get(i)[0];
            ab[1][i] = pairs.get(i)[1];
        }
        return ab;
    }

    /**
     * Random values of mixed magnitudes with signed zeros, the smallest subnormal and repeated values mixed
     * in; unless {@code finite}, NaN, infinities and the largest magnitudes too.
     */
    private static double[] edgeValues(SplittableRandom r, int n, boolean finite) {
        double[] special = finite ? new double[] {0.0, -0.0, Double.MIN_VALUE, 1.0, -1.0}
                : new double[] {Double.NaN, 0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e308, -1e308,
                        Double.MIN_VALUE, 1.0, -1.0};
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextDouble(-1, 1) * Math.scalb(1.0, r.nextInt(-40, 40));
        }
        return x;
    }

    private static String preview(double[] x) {
        return x.length <= 8 ? Arrays.toString(x) : Arrays.toString(Arrays.copyOf(x, 8)) + "...";
    }
}
