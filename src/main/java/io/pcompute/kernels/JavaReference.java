package io.pcompute.kernels;

/**
 * The Java reference implementations: plain, readable Java that defines what every kernel must compute.
 * Native ports and parallel strategies are held to these results, element for element.
 */
public final class JavaReference {
    private JavaReference() {}

    /**
     * The origin workload, as the Python original wrote it: try every candidate from {@code min(a, b)}
     * down to 1 and return the first that divides both. Cost grows with {@code min(a, b)}.
     *
     * @throws IllegalArgumentException if {@code a < 1} or {@code b < 1}
     */
    public static long gcdBrute(long a, long b) {
        if (a < 1 || b < 1) {
            throw new IllegalArgumentException("gcdBrute(" + a + ", " + b + "): inputs must be positive");
        }
        for (long i = Math.min(a, b); i > 1; i--) {
            if (a % i == 0 && b % i == 0) {
                return i;
            }
        }
        return 1;
    }

    /**
     * Euclid's algorithm on non-negative inputs; {@code gcd(0, 0) = 0}.
     *
     * @throws IllegalArgumentException if {@code a < 0} or {@code b < 0}
     */
    public static long gcdFast(long a, long b) {
        if (a < 0 || b < 0) {
            throw new IllegalArgumentException("gcdFast(" + a + ", " + b + "): inputs must be non-negative");
        }
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
