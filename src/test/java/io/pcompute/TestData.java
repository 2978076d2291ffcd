package io.pcompute;

import java.util.SplittableRandom;

/** Inputs shared by the tests; random ones come from fixed seeds so every failure reproduces. */
public final class TestData {
    private TestData() {}

    public static final long[] SEED_A = {1963309, 2030677, 1551645, 2039045, 1823712, 2293129, 1281238, 3823812, 3812741, 1292391};
    public static final long[] SEED_B = {2265973, 3814172, 2229620, 2020802, 1924928, 1020491, 2273782, 4237281, 4729139, 2123811};

    /** A pair whose brute-force gcd would take ~10^12 iterations: only cancellation ends it. */
    public static final long ENDLESS_A = 1_000_000_000_039L;
    public static final long ENDLESS_B = 1_000_000_000_061L;

    /** Edge cases valid for both kernels: ones, equal numbers, primes, powers of two, shared factors. */
    public static final long[][] EDGE_PAIRS = {
            {1, 1}, {1, 99991}, {99991, 1}, {77777, 77777}, {99991, 99989}, {65536, 1024}, {1024, 65536},
            {2 * 3 * 5 * 7 * 11 * 13, 3 * 7 * 13 * 17}, {2, 3}, {46368, 28657}, {1 << 20, 3 << 18}};

    /** Extremes for the fast kernel only (brute force would run for years). */
    public static final long[][] FAST_EXTREME_PAIRS = {
            {0, 0}, {0, 7}, {12, 0}, {Long.MAX_VALUE, Long.MAX_VALUE}, {Long.MAX_VALUE, Long.MAX_VALUE - 1},
            {1L << 62, 3L << 40}, {4611686018427387847L, 4611686018427387817L}, {Long.MAX_VALUE, 1},
            {7540113804746346429L, 4660046610375530309L}};

    public static long[] column(long[][] pairs, int index) {
        long[] out = new long[pairs.length];
        for (int k = 0; k < pairs.length; k++) {
            out[k] = pairs[k][index];
        }
        return out;
    }

    /** n values uniform in [min, max] (max itself excluded when it is Long.MAX_VALUE). */
    public static long[] random(long seed, int n, long min, long max) {
        return new SplittableRandom(seed).longs(n, min, max == Long.MAX_VALUE ? max : max + 1).toArray();
    }
}
