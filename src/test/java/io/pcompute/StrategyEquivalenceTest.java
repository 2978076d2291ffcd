package io.pcompute;

import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every strategy, at 1, 2 and 3 threads, against the Java reference and the independent oracle
 * BigInteger.gcd: seed pairs, random pairs, edge cases, empty input, sizes that straddle task boundaries.
 */
class StrategyEquivalenceTest {
    private static final Map<String, Runner> RUNNERS = new HashMap<>();

    static Stream<Arguments> runners() {
        List<Arguments> out = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            for (int threads : s.isParallel() ? new int[] {1, 2, 3} : new int[] {1}) {
                for (Gcd kernel : new Gcd[] {Gcd.BRUTE, Gcd.FAST}) {
                    out.add(Arguments.of(s, threads, kernel));
                }
            }
        }
        return out.stream();
    }

    private static Runner runner(Strategy s, int threads) {
        return RUNNERS.computeIfAbsent(s + "/" + threads, key -> s.open(threads));
    }

    @AfterAll
    static void closeRunners() {
        RUNNERS.values().forEach(Runner::close);
    }

    private static void assertMatchesReferenceAndOracle(Gcd kernel, long[] a, long[] b, long[] actual, String what) {
        assertEquals(a.length, actual.length, what + ": result length");
        long[] reference = new long[a.length];
        long[] oracle = new long[a.length];
        for (int k = 0; k < a.length; k++) {
            reference[k] = kernel.apply(a[k], b[k]);
            oracle[k] = BigInteger.valueOf(a[k]).gcd(BigInteger.valueOf(b[k])).longValueExact();
        }
        assertArrayEquals(oracle, reference, what + ": the reference disagrees with BigInteger.gcd");
        assertArrayEquals(reference, actual, what);
    }

    @ParameterizedTest(name = "{0} x{1} {2}")
    @MethodSource("runners")
    void matchesReferenceOnSeedPairs(Strategy s, int threads, Gcd kernel) {
        long[] out = runner(s, threads).apply(kernel, TestData.SEED_A, TestData.SEED_B);
        assertMatchesReferenceAndOracle(kernel, TestData.SEED_A, TestData.SEED_B, out, "seed pairs");
    }

    @ParameterizedTest(name = "{0} x{1} {2}")
    @MethodSource("runners")
    void matchesReferenceOnRandomPairsOfAwkwardSizes(Strategy s, int threads, Gcd kernel) {
        long seed = 0x5EEDL + threads;
        // brute force must stay cheap; the fast kernel gets the whole non-negative range
        long max = kernel == Gcd.BRUTE ? 20_000 : Long.MAX_VALUE;
        long min = kernel == Gcd.BRUTE ? 1 : 0;
        int[] sizes = kernel == Gcd.BRUTE ? new int[] {1, 2, 255, 257, 1003} : new int[] {1, 4095, 4097, 12_289, 70_001};
        for (int n : sizes) {
            long[] a = TestData.random(seed, n, min, max);
            long[] b = TestData.random(seed + n, n, min, max);
            long[] out = runner(s, threads).apply(kernel, a, b);
            assertMatchesReferenceAndOracle(kernel, a, b, out, "seed " + seed + ", n " + n);
        }
    }

    @ParameterizedTest(name = "{0} x{1} {2}")
    @MethodSource("runners")
    void matchesReferenceOnEdgeCases(Strategy s, int threads, Gcd kernel) {
        long[][] pairs = TestData.EDGE_PAIRS;
        if (kernel == Gcd.FAST) {
            pairs = Stream.concat(Stream.of(pairs), Stream.of(TestData.FAST_EXTREME_PAIRS)).toArray(long[][]::new);
        }
        long[] a = TestData.column(pairs, 0);
        long[] b = TestData.column(pairs, 1);
        assertMatchesReferenceAndOracle(kernel, a, b, runner(s, threads).apply(kernel, a, b), "edge cases");
    }

    @ParameterizedTest(name = "{0} x{1} {2}")
    @MethodSource("runners")
    void returnsEmptyResultForEmptyInput(Strategy s, int threads, Gcd kernel) {
        assertArrayEquals(new long[0], runner(s, threads).apply(kernel, new long[0], new long[0]));
    }

    @ParameterizedTest(name = "{0} x{1} {2}")
    @MethodSource("runners")
    void reportsProgressForEveryItem(Strategy s, int threads, Gcd kernel) {
        long[] a = TestData.random(99, 3001, 1, 5000);
        long[] b = TestData.random(98, 3001, 1, 5000);
        java.util.concurrent.atomic.LongAdder done = new java.util.concurrent.atomic.LongAdder();
        runner(s, threads).apply(kernel, a, b, done::add);
        assertEquals(a.length, done.sum());
    }
}
