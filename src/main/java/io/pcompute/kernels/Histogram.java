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
 * Histogram of doubles in {@code bins} equal bins over [lo, hi): value x lands in bin
 * min(bins - 1, (long) ((x - lo) * scale)) with scale = bins / (hi - lo); NaN and values outside are not
 * counted. Each block of {@value #BLOCK} values gets its own partial bins, merged afterwards (integer sums:
 * the order cannot matter). Exact comparison.
 */
public final class Histogram extends Kernel<Histogram.Samples, long[]> {
    public static final Histogram KERNEL = new Histogram();

    /** Values per partial histogram. */
    public static final int BLOCK = 1 << 16;

    public record Samples(double[] x, double lo, double hi, int bins) {}

    private Histogram() {
        super("histogram");
    }

    @Override
    public void validate(Samples s) {
        requireNonNull(s, "samples");
        requireNonNull(s.x(), "x");
        if (s.bins() < 1 || s.bins() > Limits.HISTOGRAM_MAX_BINS) {
            throw new IllegalArgumentException("bins = " + s.bins() + ": must be between 1 and " + Limits.HISTOGRAM_MAX_BINS);
        }
        if (!Double.isFinite(s.lo()) || !Double.isFinite(s.hi()) || !(s.lo() < s.hi())) {
            throw new IllegalArgumentException("[lo, hi) = [" + s.lo() + ", " + s.hi() + "): must be finite with lo < hi");
        }
        double scale = scale(s);
        if (!Double.isFinite(scale) || !(scale > 0)) {
            throw new IllegalArgumentException("bins / (hi - lo) = " + scale + ": must be finite and positive");
        }
        if ((long) blocks(s.x().length, BLOCK) * s.bins() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bins = " + s.bins() + ": too many partial bins for " + s.x().length + " values");
        }
    }

    private static double scale(Samples s) {
        return s.bins() / (s.hi() - s.lo());
    }

    @Override
    public long items(Samples s) {
        return s.x().length;
    }

    @Override
    public long block(Samples s) {
        return BLOCK;
    }

    @Override
    public Buffers buffers(Samples s) {
        return new Buffers().in(0, s.x()).iparam(0, s.bins()).iparam(1, BLOCK)
                .dparam(0, s.lo()).dparam(1, s.hi()).dparam(2, scale(s))
                .out(0, new long[blocks(s.x().length, BLOCK) * s.bins()]);
    }

    @Override
    public void reference(Buffers buffers, long begin, long end) {
        double[] x = buffers.doubleIn(0);
        int bins = (int) buffers.iparam(0);
        double lo = buffers.dparam(0), hi = buffers.dparam(1), scale = buffers.dparam(2);
        long[] partials = buffers.longOut(0);
        for (int blk = (int) (begin / BLOCK); (long) blk * BLOCK < end; blk++) {
            java.util.Arrays.fill(partials, blk * bins, (blk + 1) * bins, 0);
            for (int i = blk * BLOCK; i < Math.min((long) (blk + 1) * BLOCK, end); i++) {
                double v = x[i];
                if (v >= lo && v < hi) {
                    long bin = (long) ((v - lo) * scale);
                    partials[blk * bins + (int) Math.min(bin, bins - 1)]++;
                }
            }
        }
    }

    @Override
    public long[] finish(Samples s, Buffers buffers) {
        long[] partials = buffers.longOut(0);
        long[] counts = new long[s.bins()];
        for (int i = 0; i < partials.length; i++) {
            counts[i % s.bins()] += partials[i];
        }
        return counts;
    }

    @Override
    public String difference(long[] expected, long[] actual) {
        return Compare.exact(expected, actual);
    }

    @Override
    public Samples random(SplittableRandom random, int size) {
        int n = random.nextInt(0, 40 * size + 2);
        double lo = random.nextDouble(-100, 100);
        double hi = lo + random.nextDouble(1e-3, 200);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextDouble(lo - 10, hi + 10);
            if (random.nextInt(300) == 0) {
                x[i] = new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, lo, hi,
                        Math.nextDown(hi), -0.0}[random.nextInt(7)];
            }
        }
        return new Samples(x, lo, hi, random.nextInt(1, 300));
    }

    @Override
    public List<Samples> edgeCases() {
        List<Samples> cases = new ArrayList<>();
        cases.add(new Samples(new double[0], 0, 1, 10));
        cases.add(new Samples(new double[] {0.5}, 0, 1, 1));
        cases.add(new Samples(new double[] {0.0, -0.0, 1.0, Math.nextDown(1.0), Double.NaN, Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE}, 0, 1, 7));
        cases.add(new Samples(new double[] {0.1, 0.2, 0.3, 0.7, 0.9}, 0.1, 0.3 + 0.6, 3)); // bin edges by rounding
        cases.add(new Samples(new double[] {-1e300, 1e300, 0}, -1e300, 1e300, 1 << 20));
        for (int n : new int[] {BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = Math.sin(i) * 3;
            }
            cases.add(new Samples(x, -2.5, 2.5, 33));
        }
        return cases;
    }

    @Override
    public List<Samples> shrink(Samples s) {
        List<Samples> out = new ArrayList<>();
        for (int[] cut : Shrink.cuts(s.x().length)) {
            out.add(new Samples(Shrink.without(s.x(), cut), s.lo(), s.hi(), s.bins()));
        }
        if (s.bins() > 1) {
            out.add(new Samples(s.x(), s.lo(), s.hi(), 1));
            out.add(new Samples(s.x(), s.lo(), s.hi(), s.bins() / 2));
        }
        return out;
    }

    @Override
    public String describe(Samples s) {
        return s.bins() + " bins over [" + s.lo() + ", " + s.hi() + "), x = " + Shrink.preview(s.x());
    }

    @Override
    public String describeResult(long[] counts) {
        return Shrink.preview(counts);
    }
}
