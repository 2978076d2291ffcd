package io.pcompute.kernels;

import io.pcompute.kernel.PairKernel;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernel.Shrink;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The gcd kernels over pairs of int64: the origin's brute force, and a fast binary gcd. */
public final class Gcd extends PairKernel {
    /** Brute-force gcd ({@link JavaReference#gcdBrute}); inputs must be positive; cost grows with min(a, b). */
    public static final Gcd BRUTE = new Gcd("gcd_brute", 1, "positive");
    /** Binary gcd in C, Euclid in Java ({@link JavaReference#gcdFast}); inputs must be non-negative. */
    public static final Gcd FAST = new Gcd("gcd_fast", 0, "non-negative");

    private final long min;

    private Gcd(String name, long min, String rule) {
        super(name, min, rule);
        this.min = min;
    }

    private boolean brute() {
        return this == BRUTE;
    }

    @Override
    public long apply(long a, long b) {
        return brute() ? JavaReference.gcdBrute(a, b) : JavaReference.gcdFast(a, b);
    }

    @Override
    public boolean isShortCall(long n) {
        return !brute() && n <= 16_384;
    }

    @Override
    protected int tasksPerThread() {
        return brute() ? 256 : 8; // one brute-force gcd can cost 1000x another: many small tasks balance
    }

    @Override
    protected long minChunk() {
        return brute() ? 1 : 4096;
    }

    /** Brute force stays cheap below this value; the fast kernel takes the whole non-negative range. */
    private long maxRandom(int size) {
        return brute() ? 100L * size : Long.MAX_VALUE - 1;
    }

    @Override
    public Pairs random(SplittableRandom random, int size) {
        int n = random.nextInt(0, 2 * size + 2);
        long max = maxRandom(Math.max(size, 10));
        long[] a = new long[n];
        long[] b = new long[n];
        for (int k = 0; k < n; k++) {
            a[k] = random.nextLong(min, max + 1);
            // often share a factor, so results are not almost always 1
            b[k] = random.nextBoolean() ? random.nextLong(min, max + 1)
                    : Math.max(min, Math.min(max, a[k] / Math.max(1, random.nextLong(1, 50)) * random.nextLong(1, 50)));
        }
        return new Pairs(a, b);
    }

    @Override
    public List<Pairs> edgeCases() {
        List<Pairs> cases = new ArrayList<>();
        cases.add(new Pairs(new long[0], new long[0]));
        cases.add(new Pairs(new long[] {1}, new long[] {1}));
        cases.add(new Pairs(new long[] {min}, new long[] {min}));
        cases.add(new Pairs(new long[] {1, 99991, 77777, 65536, 46368, 2 * 3 * 5 * 7 * 11 * 13},
                new long[] {99991, 99989, 77777, 1024, 28657, 3 * 7 * 13 * 17}));
        if (!brute()) {
            cases.add(new Pairs(new long[] {0, 0, 12, Long.MAX_VALUE, Long.MAX_VALUE, 1L << 62},
                    new long[] {0, 5, 0, Long.MAX_VALUE, Long.MAX_VALUE - 1, 3L << 40}));
        }
        for (int n : new int[] {255, 256, 257, 4095, 4096, 4097}) { // around task sizes
            long[] a = new long[n];
            long[] b = new long[n];
            for (int k = 0; k < n; k++) {
                a[k] = k + 1;
                b[k] = 2L * (n - k);
            }
            cases.add(new Pairs(a, b));
        }
        return cases;
    }

    @Override
    public List<Pairs> shrink(Pairs p) {
        List<Pairs> out = new ArrayList<>();
        for (int[] cut : Shrink.cuts(p.a().length)) {
            out.add(new Pairs(Shrink.without(p.a(), cut), Shrink.without(p.b(), cut)));
        }
        if (p.a().length <= 8) {
            for (int k = 0; k < p.a().length; k++) {
                for (long v : Shrink.simpler(p.a()[k], min)) {
                    out.add(new Pairs(Shrink.with(p.a(), k, v), p.b()));
                }
                for (long v : Shrink.simpler(p.b()[k], min)) {
                    out.add(new Pairs(p.a(), Shrink.with(p.b(), k, v)));
                }
            }
        }
        return out;
    }
}
