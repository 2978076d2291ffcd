package io.pcompute;

import java.util.function.LongBinaryOperator;

/**
 * The kernels pcompute runs over arrays of pairs {@code (a[k], b[k]) -> out[k]}, each with its Java
 * reference, the smallest input it accepts and how finely the parallel strategies split its work.
 */
public enum Kernel {
    /** The origin workload: brute-force gcd ({@link JavaReference#gcdBrute}); inputs must be positive. */
    GCD_BRUTE(1, JavaReference::gcdBrute, 1, "positive", 256, 1),
    /** Binary gcd in C, Euclid in Java ({@link JavaReference#gcdFast}); inputs must be non-negative. */
    GCD_FAST(2, JavaReference::gcdFast, 0, "non-negative", 8, 4096);

    private final int nativeId;
    private final LongBinaryOperator reference;
    private final long minInput;
    private final String inputRule;
    private final int tasksPerThread;
    private final int minChunk;

    Kernel(int nativeId, LongBinaryOperator reference, long minInput, String inputRule, int tasksPerThread,
           int minChunk) {
        this.nativeId = nativeId;
        this.reference = reference;
        this.minInput = minInput;
        this.inputRule = inputRule;
        this.tasksPerThread = tasksPerThread;
        this.minChunk = minChunk;
    }

    /** The Java reference result for one pair. */
    public long reference(long a, long b) {
        return reference.applyAsLong(a, b);
    }

    /** The id of this kernel in the C library's {@code pc_kernel} enum. */
    int nativeId() {
        return nativeId;
    }

    /**
     * Items per task when {@code n} items are split for {@code threads} workers. Irregular kernels (one
     * brute-force gcd can cost 1000x another) get many small tasks so dynamic pulling balances them;
     * cheap kernels get tasks large enough to amortise the hand-out.
     */
    long chunkSize(long n, int threads) {
        long target = (long) Math.max(threads, 1) * tasksPerThread;
        return Math.max(minChunk, (n + target - 1) / target);
    }

    /** True when a single call over {@code n} items is short enough to run without a safepoint. */
    boolean isShortCall(long n) {
        return this == GCD_FAST && n <= 16_384;
    }

    /**
     * Checks both inputs before anything runs.
     *
     * @throws NullPointerException if an array is null
     * @throws IllegalArgumentException naming the first offending element, or a length mismatch
     */
    public void validate(long[] a, long[] b) {
        requireNonNull(a, "a");
        requireNonNull(b, "b");
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "b.length = " + b.length + ": must equal a.length = " + a.length + " (one b per a)");
        }
        for (int k = 0; k < a.length; k++) {
            checkInput("a", k, a[k]);
            checkInput("b", k, b[k]);
        }
    }

    /** Throws the message users see for an invalid element, e.g. {@code b[3] = -5: ... must be positive}. */
    void checkInput(String name, long index, long value) {
        if (value < minInput) {
            throw new IllegalArgumentException(
                    name + "[" + index + "] = " + value + ": " + this + " inputs must be " + inputRule);
        }
    }

    static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }
}
