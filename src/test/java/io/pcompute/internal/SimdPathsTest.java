package io.pcompute.internal;

import io.pcompute.kernel.Pairs;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every SIMD path of gcd_brute and gcd_fast this CPU has, forced through {@link Simd}, on the native strategies,
 * against the Java reference: seeded random pairs and edge pairs around 2^24 (floats to doubles), 2^52,
 * 2^53 (where the vector paths hand over to the scalar loop) and Long.MAX_VALUE. Paths the CPU lacks are skipped (reported as
 * aborted by JUnit). Restores {@link Simd.Path#AUTO} after each test.
 */
class SimdPathsTest {
    private static final long TWO24 = 1L << 24;
    private static final long TWO52 = 1L << 52;
    private static final long TWO53 = 1L << 53;
    private static final long SEED = 20261125L;
    private static final Map<Strategy, Runner> RUNNERS = new EnumMap<>(Strategy.class);

    static Stream<Arguments> pathsAndStrategies() {
        List<Arguments> out = new ArrayList<>();
        for (Simd.Path path : List.of(Simd.Path.SCALAR, Simd.Path.AVX2, Simd.Path.AVX512)) {
            for (Strategy strategy : List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL)) {
                out.add(Arguments.of(path, strategy));
            }
        }
        return out.stream();
    }

    private static Runner runner(Strategy strategy) {
        return RUNNERS.computeIfAbsent(strategy, s -> s.open(2));
    }

    @AfterEach
    void restoreAuto() {
        Simd.force(Simd.Path.AUTO);
    }

    @AfterAll
    static void closeRunners() {
        RUNNERS.values().forEach(Runner::close);
    }

    /** Forces {@code path}, or skips the test when this CPU lacks it. */
    private static void forceOrSkip(Simd.Path path) {
        Assumptions.assumeTrue(Simd.supported(path), () -> path + ": this CPU (or OS) lacks it, skipped");
        Simd.force(path);
        assertEquals(path, Simd.inEffect());
    }

    private static void assertMatchesReference(Simd.Path path, Strategy strategy, Pairs problem, String what) {
        long[] expected = Gcd.BRUTE.reference(problem);
        long[] actual = runner(strategy).run(Gcd.BRUTE, problem);
        assertEquals(path, Simd.inEffect(), "the path stayed forced");
        for (int k = 0; k < expected.length; k++) {
            if (expected[k] != actual[k]) {
                assertEquals(expected[k], actual[k], what + " on " + path + " / " + strategy + ", seed " + SEED
                        + ": gcd_brute(" + problem.a()[k] + ", " + problem.b()[k] + ") at index " + k);
            }
        }
        assertEquals(expected.length, actual.length, what + ": result length");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndStrategies")
    void nativeStrategiesMatchReferenceOnSeededRandomPairs(Simd.Path path, Strategy strategy) {
        forceOrSkip(path);
        SplittableRandom random = new SplittableRandom(SEED);
        int n = 400;
        long[] a = new long[n];
        long[] b = new long[n];
        for (int k = 0; k < n; k++) {
            switch (k % 4) {
                case 0 -> { // both small: full scans, coprime pairs included
                    a[k] = random.nextLong(1, 20_001);
                    b[k] = random.nextLong(1, 20_001);
                }
                case 1 -> { // a shared factor
                    long g = random.nextLong(1, 2_001);
                    a[k] = g * random.nextLong(1, 41);
                    b[k] = g * random.nextLong(1, 41);
                }
                case 2 -> { // one small, one anywhere (mostly above 2^53) or in the doubles' range
                    a[k] = random.nextLong(1, 3_001);
                    b[k] = k % 8 == 2 ? random.nextLong(1, Long.MAX_VALUE) : random.nextLong(TWO24 + 1, TWO53 + 1);
                }
                default -> { // one divides the other, however large: found at the first candidate
                    a[k] = random.nextLong(1, TWO53 + 2);
                    b[k] = a[k] * random.nextLong(1, Long.MAX_VALUE / a[k] + 1);
                }
            }
        }
        assertMatchesReference(path, strategy, new Pairs(a, b), "seeded random pairs");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndStrategies")
    void nativeStrategiesMatchReferenceAroundTwoTo24And52And53AndLongMax(Simd.Path path, Strategy strategy) {
        forceOrSkip(path);
        List<long[]> pairs = new ArrayList<>();
        for (long centre : new long[] {TWO24, TWO52, TWO53, Long.MAX_VALUE - 40}) {
            for (long delta = -40; delta <= 40; delta++) {
                long big = centre + delta;
                for (long small = 1; small <= 12; small++) {
                    pairs.add(new long[] {small, big});
                    pairs.add(new long[] {big, small});
                }
                pairs.add(new long[] {big, big});
            }
        }
        // gcd(3, 2^53 + 1) = 3, but 2^53 + 1 rounds to 2^53 in a double, which 3 does not divide
        pairs.add(new long[] {3, TWO53 + 1});
        pairs.add(new long[] {97, TWO24 + 1}); // 2^24 + 1 = 97 * 257 * 673; a float rounds it to 2^24
        pairs.add(new long[] {TWO24 + 1, 100_003}); // full scans in doubles and in floats
        pairs.add(new long[] {TWO24 - 1, 100_003});
        pairs.add(new long[] {TWO53, TWO53 / 2});
        pairs.add(new long[] {1, Long.MAX_VALUE});
        pairs.add(new long[] {99991, 99989});
        pairs.add(new long[] {2L * 3 * 5 * 7 * 11 * 13, 3L * 7 * 13 * 17});
        for (long m = 1; m <= 20; m++) { // partial last vector steps
            pairs.add(new long[] {m, m + 1});
            pairs.add(new long[] {m, 2 * m});
        }
        long[] a = pairs.stream().mapToLong(p -> p[0]).toArray();
        long[] b = pairs.stream().mapToLong(p -> p[1]).toArray();
        assertMatchesReference(path, strategy, new Pairs(a, b), "edge pairs");
    }

    /**
     * gcd_fast (AVX-512: 64 pairs at a time; scalar on the other paths) against the Java reference and
     * BigInteger: full-width values, zeros, powers of two, Long.MAX_VALUE, shared powers of 2, one dividing the
     * other, and lengths around whole 64-pair blocks.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndStrategies")
    void gcdFastMatchesReferenceAndBigIntegerOnFullWidthPairsAndZeros(Simd.Path path, Strategy strategy) {
        forceOrSkip(path);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int n : new int[] {0, 1, 15, 17, 63, 64, 65, 129, 1000}) {
            long[] a = new long[n];
            long[] b = new long[n];
            for (int k = 0; k < n; k++) {
                long x = random.nextLong(Long.MAX_VALUE);
                long y = random.nextLong(Long.MAX_VALUE);
                switch (k % 6) {
                    case 1 -> { // a shared odd factor and a shared power of 2
                        long g = (random.nextLong(1L << 20) | 1) << random.nextInt(24);
                        x = g * random.nextLong(1, Long.MAX_VALUE / g + 1);
                        y = g * random.nextLong(1, Long.MAX_VALUE / g + 1);
                    }
                    case 2 -> { // zeros
                        x = k % 4 == 0 ? 0 : x;
                        y = k % 4 == 0 ? y : 0;
                    }
                    case 3 -> { // powers of two and Long.MAX_VALUE
                        x = 1L << random.nextInt(63);
                        y = k % 4 == 1 ? Long.MAX_VALUE : 1L << random.nextInt(63);
                    }
                    case 4 -> y = x >>> random.nextInt(63) << random.nextInt(3) & Long.MAX_VALUE;
                    default -> { }
                }
                a[k] = x;
                b[k] = y;
            }
            if (n > 0) {
                a[n - 1] = 0;
                b[n - 1] = 0;
            }
            Pairs problem = new Pairs(a, b);
            long[] expected = Gcd.FAST.reference(problem);
            long[] actual = runner(strategy).run(Gcd.FAST, problem);
            assertEquals(path, Simd.inEffect(), "the path stayed forced");
            for (int k = 0; k < n; k++) {
                long oracle = java.math.BigInteger.valueOf(a[k]).gcd(java.math.BigInteger.valueOf(b[k])).longValueExact();
                assertEquals(oracle, expected[k], "the Java reference against BigInteger");
                assertEquals(expected[k], actual[k], "gcd_fast(" + a[k] + ", " + b[k] + ") at index " + k + " of " + n
                        + " on " + path + " / " + strategy + ", seed " + SEED);
            }
        }
    }

    @Test
    void autoPicksTheWidestSupportedPathAndNeverReportsItself() {
        Simd.force(Simd.Path.AUTO);
        Simd.Path widest = Simd.supported(Simd.Path.AVX512) ? Simd.Path.AVX512
                : Simd.supported(Simd.Path.AVX2) ? Simd.Path.AVX2 : Simd.Path.SCALAR;
        assertEquals(widest, Simd.inEffect());
        assertNotEquals(Simd.Path.AUTO, Simd.inEffect());
        assertTrue(Simd.supported(Simd.Path.SCALAR));
    }

    @Test
    void forcingAnUnsupportedPathThrowsAndChangesNothing() {
        Simd.Path missing = Arrays.stream(Simd.Path.values()).filter(p -> !Simd.supported(p)).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(missing != null, "this CPU supports every path");
        Simd.force(Simd.Path.SCALAR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simd.force(missing));
        assertTrue(e.getMessage().contains("path = " + missing), e.getMessage());
        assertEquals(Simd.Path.SCALAR, Simd.inEffect());
    }

    @Test
    void pathsAgreeOnTheSeedPairs() {
        long[] a = {1963309, 2030677, 1551645, 2039045, 1823712, 2293129, 1281238, 3823812, 3812741, 1292391};
        long[] b = {2265973, 3814172, 2229620, 2020802, 1924928, 1020491, 2273782, 4237281, 4729139, 2123811};
        long[] expected = Gcd.BRUTE.reference(new Pairs(a, b));
        for (Simd.Path path : List.of(Simd.Path.SCALAR, Simd.Path.AVX2, Simd.Path.AVX512)) {
            if (Simd.supported(path)) {
                Simd.force(path);
                assertArrayEquals(expected, runner(Strategy.NATIVE_SERIAL).apply(Gcd.BRUTE, a, b), path.toString());
            }
        }
    }
}
