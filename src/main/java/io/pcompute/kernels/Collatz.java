package io.pcompute.kernels;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Compare;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Shrink;
import io.pcompute.internal.Limits;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Collatz steps: for each n, how many steps of n -> n / 2 (even) or 3n + 1 (odd) reach 1. The kernel of
 * the README's "Porting a kernel" walkthrough: this one file is its whole Java side.
 */
public final class Collatz extends Kernel<long[], long[]> {
    public static final Collatz STEPS = new Collatz();

    private static final long MAX = Limits.COLLATZ_MAX_START;

    private Collatz() {
        super("collatz_steps");
    }

    /** The Java reference for one number. */
    static long steps(long n) {
        long steps = 0;
        while (n != 1) {
            n = n % 2 == 0 ? n / 2 : 3 * n + 1;
            steps++;
        }
        return steps;
    }

    @Override
    public void validate(long[] x) {
        requireNonNull(x, "x");
        for (int k = 0; k < x.length; k++) {
            if (x[k] < 1 || x[k] > MAX) {
                throw new IllegalArgumentException("x[" + k + "] = " + x[k] + ": must be between 1 and " + MAX);
            }
        }
    }

    @Override
    public long items(long[] x) {
        return x.length;
    }

    @Override
    public Buffers buffers(long[] x) {
        return new Buffers().in(0, x).out(0, new long[x.length]);
    }

    @Override
    public void reference(Buffers buffers, long begin, long end) {
        long[] x = buffers.longIn(0);
        long[] out = buffers.longOut(0);
        for (int k = (int) begin; k < end; k++) {
            out[k] = steps(x[k]);
        }
    }

    @Override
    public long[] finish(long[] x, Buffers buffers) {
        return buffers.longOut(0);
    }

    @Override
    public String difference(long[] expected, long[] actual) {
        return Compare.exact(expected, actual);
    }

    @Override
    public long[] random(SplittableRandom random, int size) {
        return random.longs(random.nextInt(0, 40 * size + 2), 1, MAX + 1).toArray();
    }

    @Override
    public List<long[]> edgeCases() {
        List<long[]> cases = new ArrayList<>(List.of(new long[0], new long[] {1}, new long[] {2, 3, 27, 97, 871},
                new long[] {MAX, MAX - 1, 837_799, 670_617_279}));
        for (int n : new int[] {4095, 4096, 4097}) {
            long[] x = new long[n];
            for (int k = 0; k < n; k++) {
                x[k] = k + 1;
            }
            cases.add(x);
        }
        return cases;
    }

    @Override
    public List<long[]> shrink(long[] x) {
        List<long[]> out = new ArrayList<>();
        for (int[] cut : Shrink.cuts(x.length)) {
            out.add(Shrink.without(x, cut));
        }
        if (x.length <= 8) {
            for (int k = 0; k < x.length; k++) {
                for (long v : Shrink.simpler(x[k], 1)) {
                    out.add(Shrink.with(x, k, v));
                }
            }
        }
        return out;
    }

    @Override
    public String describe(long[] x) {
        return "x = " + Shrink.preview(x);
    }

    @Override
    public String describeResult(long[] steps) {
        return Shrink.preview(steps);
    }
}
