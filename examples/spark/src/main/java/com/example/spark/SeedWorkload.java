package com.example.spark;

import io.pcompute.kernels.JavaReference;

import java.util.SplittableRandom;

/**
 * The seed workload split into partitions: partition {@code p} holds {@code pairs} random pairs drawn
 * uniformly from [1, maxValue], from a random generator that depends only on (seed, p), so any executor
 * (and the driver, to check) makes the same pairs without shipping them.
 */
public record SeedWorkload(int partitions, int pairs, long maxValue, long seed) implements java.io.Serializable {
    /** @throws IllegalArgumentException naming the argument and value when one is out of range */
    public SeedWorkload {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions = " + partitions + ": must be at least 1");
        }
        if (pairs < 0) {
            throw new IllegalArgumentException("pairs = " + pairs + ": must not be negative");
        }
        if (maxValue < 1 || maxValue == Long.MAX_VALUE) {
            throw new IllegalArgumentException("maxValue = " + maxValue + ": must be in [1, Long.MAX_VALUE - 1]");
        }
    }

    /** The a and b values of partition {@code p}: {@code result[0][k]}, {@code result[1][k]}. */
    public long[][] partition(int p) {
        if (p < 0 || p >= partitions) {
            throw new IndexOutOfBoundsException("partition = " + p + ": must be in [0, " + partitions + ")");
        }
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (p + 1)));
        long[] a = random.longs(pairs, 1, maxValue + 1).toArray();
        long[] b = random.longs(pairs, 1, maxValue + 1).toArray();
        return new long[][] {a, b};
    }

    /** How executors check the native results. */
    public enum Check {
        /** {@link JavaReference#gcdBrute}: gcd_brute's own Java reference; costs as much as the kernel in Java. */
        REFERENCE,
        /** {@link JavaReference#gcdFast} (Euclid): the same values, a small fraction of the cost. */
        EUCLID;

        long gcd(long a, long b) {
            return this == REFERENCE ? JavaReference.gcdBrute(a, b) : JavaReference.gcdFast(a, b);
        }
    }

    /**
     * Compares {@code out[k]} with {@link JavaReference#gcdBrute}{@code (a[k], b[k])} for every k; returns
     * the number of mismatches (a length mismatch counts every missing or extra value).
     */
    public static long mismatches(long[] a, long[] b, long[] out) {
        return mismatches(a, b, out, Check.REFERENCE);
    }

    /** {@link #mismatches(long[], long[], long[])} checked with {@code check}. */
    public static long mismatches(long[] a, long[] b, long[] out, Check check) {
        long bad = Math.abs((long) out.length - a.length);
        int n = Math.min(a.length, out.length);
        for (int k = 0; k < n; k++) {
            if (out[k] != check.gcd(a[k], b[k])) {
                bad++;
            }
        }
        return bad;
    }
}
