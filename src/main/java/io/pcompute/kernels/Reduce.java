package io.pcompute.kernels;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Compare;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Shrink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reductions over double arrays with a deterministic combination order, so results never depend on the
 * thread count or scheduling: the array is cut into fixed blocks of {@value #BLOCK} values; within a block
 * (whichever thread gets it) {@value #LANES} interleaved lanes each add their values left to right — lane
 * j takes the block's values j, j + 8, j + 16, ... — and the lanes are summed pairwise,
 * {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))}; the block results are then combined in a fixed
 * order — pairwise (a balanced tree over block index) for sums and dot products. Eight independent chains
 * of additions let a core keep up with memory (one chain is bound by the latency of an addition). Native
 * and Java do the same operations in the same order, so the declared bound is 0 ulp: identical bits.
 * Min/max does not depend on order at all.
 *
 * @param <R> the result: the sum, or the min and max with their indexes
 */
public abstract sealed class Reduce<R> extends Kernel<Reduce.Data, R> {
    /** Values per block. */
    public static final int BLOCK = 4096;

    /** Interleaved lanes per block. */
    public static final int LANES = 8;

    /** Sum, blocks combined pairwise. */
    public static final Reduce<Double> SUM = new Sum();
    /** Neumaier-compensated sum per block; block sums combined with the same compensation. */
    public static final Reduce<Double> SUM_NEUMAIER = new SumNeumaier();
    /** Dot product of x and y, blocks combined pairwise. */
    public static final Reduce<Double> DOT = new Dot();
    /** Minimum and maximum with the index of their first occurrence; NaN is ignored. */
    public static final Reduce<MinMax> MINMAX = new MinMaxKernel();

    /**
     * The input: x, and y for the dot product (null otherwise) — Java arrays, or native segments of doubles.
     * Native strategies read segments in place at any size (zero-copy: the way to run memory-bound
     * reductions at memory speed). Java arrays they read in place only in a short synchronous call (at most
     * 4 MiB of input, through a critical downcall that holds off safepoints while it runs) and copy into
     * native memory otherwise. The Java strategies read a heap copy of segments.
     */
    public static final class Data {
        private final double[] x;
        private final double[] y;
        private final MemorySegment xs;
        private final MemorySegment ys;

        /** Arrays x and, for the dot product, y (null otherwise). */
        public Data(double[] x, double[] y) {
            this(x, y, null, null);
        }

        private Data(double[] x, double[] y, MemorySegment xs, MemorySegment ys) {
            this.x = x;
            this.y = y;
            this.xs = xs;
            this.ys = ys;
        }

        public static Data of(double... x) {
            return new Data(x, null);
        }

        /**
         * Native memory holding {@code x.byteSize() / 8} doubles, read in place by native strategies. It
         * must stay open until the call returns; an asynchronous job ({@code NativePool.submit}) pins it
         * and needs it accessible from any thread (a shared, global or automatic arena).
         */
        public static Data of(MemorySegment x) {
            return new Data(null, null, requireNonNull(x, "x"), null);
        }

        /** Native segments x and y for the dot product; see {@link #of(MemorySegment)}. */
        public static Data of(MemorySegment x, MemorySegment y) {
            return new Data(null, null, requireNonNull(x, "x"), requireNonNull(y, "y"));
        }

        /** The x values: the array, or a heap copy of the segment. */
        public double[] x() {
            return xs == null ? x : xs.toArray(ValueLayout.JAVA_DOUBLE);
        }

        /** The y values (null when there is no y): the array, or a heap copy of the segment. */
        public double[] y() {
            return ys == null ? y : ys.toArray(ValueLayout.JAVA_DOUBLE);
        }

        /** Number of x values. */
        public long length() {
            return xs == null ? x.length : xs.byteSize() / Double.BYTES;
        }

        boolean inSegments() {
            return xs != null;
        }

        @Override
        public String toString() {
            return inSegments() ? "Data[x = " + xs + (ys == null ? "" : ", y = " + ys) + "]"
                    : "Data[x = " + Shrink.preview(x) + (y == null ? "" : ", y = " + Shrink.preview(y)) + "]";
        }
    }

    /** Smallest and largest non-NaN values and where they first occur; NaN and -1 when there is none. */
    public record MinMax(double min, long argMin, double max, long argMax) {}

    private Reduce(String name) {
        super(name);
    }

    boolean twoInputs() {
        return false;
    }

    @Override
    public void validate(Data d) {
        requireNonNull(d, "data");
        if (d.inSegments()) {
            long n = requireValues(d.xs, "x");
            if (twoInputs()) {
                requireNonNull(d.ys, "y");
                if (requireValues(d.ys, "y") != n) {
                    throw new IllegalArgumentException("y holds " + d.ys.byteSize() / Double.BYTES
                            + " doubles: must hold as many as x, " + n);
                }
            } else if (d.ys != null) {
                throw new IllegalArgumentException("y: " + name() + " takes one segment, x; y must be null");
            }
            return;
        }
        requireNonNull(d.x, "x");
        if (twoInputs()) {
            requireNonNull(d.y, "y");
            if (d.y.length != d.x.length) {
                throw new IllegalArgumentException(
                        "y.length = " + d.y.length + ": must equal x.length = " + d.x.length);
            }
        } else if (d.y != null) {
            throw new IllegalArgumentException("y: " + name() + " takes one array, x; y must be null");
        }
    }

    @Override
    public long items(Data d) {
        return d.length();
    }

    @Override
    public long block(Data d) {
        return BLOCK;
    }

    @Override
    protected long minChunk() {
        return 16L * BLOCK;
    }

    @Override
    public Buffers buffers(Data d) {
        Buffers b = new Buffers().iparam(0, BLOCK);
        if (d.inSegments()) {
            b.inDoubles(0, d.xs);
            if (twoInputs()) {
                b.inDoubles(1, d.ys);
            }
        } else {
            b.in(0, d.x);
            if (twoInputs()) {
                b.in(1, d.y);
            }
        }
        return b;
    }

    /** The block's result from its lanes: {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))}. */
    static double lanesSum(double[] l) {
        return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    }

    /** Pairwise (balanced tree) sum of partials[from, to): the fixed order for combining blocks. */
    static double pairwise(double[] partials, int from, int to) {
        if (to - from == 0) {
            return 0.0;
        }
        if (to - from == 1) {
            return partials[from];
        }
        int mid = from + (to - from) / 2;
        return pairwise(partials, from, mid) + pairwise(partials, mid, to);
    }

    @Override
    public Data random(SplittableRandom random, int size) {
        int n = random.nextInt(0, 40 * size + 2);
        return new Data(randomValues(random, n), twoInputs() ? randomValues(random, n) : null);
    }

    private static double[] randomValues(SplittableRandom random, int n) {
        double[] x = new double[n];
        int style = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            x[i] = switch (style) {
                case 0 -> random.nextDouble(-1, 1);
                case 1 -> random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-300, 300));
                case 2 -> random.nextInt(-1000, 1000); // many ties for min/max
                default -> random.nextDouble(0, 1e6) - 5e5;
            };
            if (random.nextInt(500) == 0) {
                x[i] = SPECIALS[random.nextInt(SPECIALS.length)];
            }
        }
        return x;
    }

    private static final double[] SPECIALS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            -0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE};

    @Override
    public List<Data> edgeCases() {
        List<Data> cases = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        xs.add(new double[0]);
        xs.add(new double[] {42.5});
        xs.add(new double[] {-0.0});
        xs.add(new double[] {-0.0, 0.0, -0.0});
        xs.add(new double[] {Double.NaN});
        xs.add(new double[] {Double.NaN, 1.0, Double.NaN, -1.0});
        xs.add(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
        xs.add(new double[] {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE});
        xs.add(new double[] {Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 4.9e-324 * 3});
        xs.add(new double[] {1e16, 1.0, -1e16});
        xs.add(SPECIALS.clone());
        for (int n : new int[] {BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 1, 16 * BLOCK - 1, 16 * BLOCK + 1, 50_000}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (i % 7 - 3) * 0.1 + i * 1e-9;
            }
            xs.add(x);
        }
        for (double[] x : xs) {
            double[] y = twoInputs() ? reversed(x) : null;
            cases.add(new Data(x, y));
        }
        return cases;
    }

    private static double[] reversed(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[x.length - 1 - i];
        }
        return y;
    }

    @Override
    public List<Data> shrink(Data d) {
        double[] x = d.x();
        double[] y = d.y();
        List<Data> out = new ArrayList<>();
        for (int[] cut : Shrink.cuts(x.length)) {
            out.add(new Data(Shrink.without(x, cut), y == null ? null : Shrink.without(y, cut)));
        }
        if (x.length <= 8) {
            for (int i = 0; i < x.length; i++) {
                for (double v : Shrink.simpler(x[i])) {
                    out.add(new Data(Shrink.with(x, i, v), y));
                }
            }
        }
        return out;
    }

    @Override
    public String describe(Data d) {
        double[] y = d.y();
        return "x = " + Shrink.preview(d.x()) + (y == null ? "" : ", y = " + Shrink.preview(y));
    }

    // ---- the four reductions ---------------------------------------------------------------------

    private abstract static sealed class Scalar extends Reduce<Double> {
        Scalar(String name) {
            super(name);
        }

        @Override
        public String difference(Double expected, Double actual) {
            return Compare.ulps(expected, actual, 0);
        }

        @Override
        public String describeResult(Double r) {
            return r + " (" + Double.toHexString(r) + ")";
        }
    }

    /** Sum and dot product: one lane sum per block, blocks combined pairwise. */
    private abstract static sealed class BlockSum extends Scalar {
        BlockSum(String name) {
            super(name);
        }

        @Override
        public Buffers buffers(Data d) {
            return super.buffers(d).out(0, new double[blocks(d.length(), BLOCK)]);
        }

        @Override
        public void reference(Buffers b, long begin, long end) {
            double[] x = b.doubleIn(0);
            double[] y = twoInputs() ? b.doubleIn(1) : null;
            double[] sums = b.doubleOut(0);
            for (int blk = (int) (begin / BLOCK); (long) blk * BLOCK < end; blk++) {
                sums[blk] = block(x, y, blk * BLOCK, (int) Math.min((long) (blk + 1) * BLOCK, end));
            }
        }

        /** The block [from, to) in lanes: lane j adds items from + j, from + j + 8, ..., then lanesSum. */
        abstract double block(double[] x, double[] y, int from, int to);

        @Override
        public Double finish(Data d, Buffers b) {
            return pairwise(b.doubleOut(0), 0, b.doubleOut(0).length);
        }
    }

    private static final class Sum extends BlockSum {
        Sum() {
            super("reduce_sum");
        }

        @Override
        double block(double[] x, double[] y, int from, int to) {
            int i = from;
            // the lanes as locals, so the JIT keeps them in registers
            double l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
            for (; i + LANES <= to; i += LANES) {
                l0 += x[i];
                l1 += x[i + 1];
                l2 += x[i + 2];
                l3 += x[i + 3];
                l4 += x[i + 4];
                l5 += x[i + 5];
                l6 += x[i + 6];
                l7 += x[i + 7];
            }
            double[] lanes = {l0, l1, l2, l3, l4, l5, l6, l7};
            for (int j = 0; i + j < to; j++) {
                lanes[j] += x[i + j];
            }
            return lanesSum(lanes);
        }
    }

    private static final class Dot extends BlockSum {
        Dot() {
            super("reduce_dot");
        }

        @Override
        boolean twoInputs() {
            return true;
        }

        @Override
        double block(double[] x, double[] y, int from, int to) {
            int i = from;
            // lanes as for the sum, adding x[i] * y[i]
            double l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
            for (; i + LANES <= to; i += LANES) {
                l0 += x[i] * y[i];
                l1 += x[i + 1] * y[i + 1];
                l2 += x[i + 2] * y[i + 2];
                l3 += x[i + 3] * y[i + 3];
                l4 += x[i + 4] * y[i + 4];
                l5 += x[i + 5] * y[i + 5];
                l6 += x[i + 6] * y[i + 6];
                l7 += x[i + 7] * y[i + 7];
            }
            double[] lanes = {l0, l1, l2, l3, l4, l5, l6, l7};
            for (int j = 0; i + j < to; j++) {
                lanes[j] += x[i + j] * y[i + j];
            }
            return lanesSum(lanes);
        }
    }

    private static final class SumNeumaier extends Scalar {
        SumNeumaier() {
            super("reduce_sum_neumaier");
        }

        @Override
        public Buffers buffers(Data d) {
            int blocks = blocks(d.length(), BLOCK);
            return super.buffers(d).out(0, new double[blocks]).out(1, new double[blocks]);
        }

        @Override
        public void reference(Buffers b, long begin, long end) {
            double[] x = b.doubleIn(0);
            double[] sums = b.doubleOut(0);
            double[] comps = b.doubleOut(1);
            for (int blk = (int) (begin / BLOCK); (long) blk * BLOCK < end; blk++) {
                double[] s = new double[LANES];
                double[] c = new double[LANES];
                for (int i = blk * BLOCK; i < Math.min((long) (blk + 1) * BLOCK, end); i++) {
                    int lane = (i - blk * BLOCK) % LANES;
                    double t = s[lane] + x[i];
                    c[lane] += compensation(s[lane], x[i], t);
                    s[lane] = t;
                }
                double total = 0.0, comp = 0.0;
                for (int lane = 0; lane < LANES; lane++) {
                    double t = total + s[lane];
                    comp += compensation(total, s[lane], t);
                    total = t;
                }
                for (int lane = 0; lane < LANES; lane++) {
                    comp += c[lane];
                }
                sums[blk] = total;
                comps[blk] = comp;
            }
        }

        /**
         * The rounding error of {@code t = s + v}, by Knuth's branch-free TwoSum: for finite values the
         * same exact error as Neumaier's {@code |s| >= |v|} test, and the C lanes vectorize it.
         */
        private static double compensation(double s, double v, double t) {
            double bv = t - s;
            return (s - (t - bv)) + (v - bv);
        }

        /** Neumaier over the block sums, in block order; then every compensation, in block order. */
        @Override
        public Double finish(Data d, Buffers b) {
            double[] sums = b.doubleOut(0);
            double[] comps = b.doubleOut(1);
            double s = 0.0, c = 0.0;
            for (double v : sums) {
                double t = s + v;
                c += compensation(s, v, t);
                s = t;
            }
            for (double v : comps) {
                c += v;
            }
            return s + c;
        }
    }

    private static final class MinMaxKernel extends Reduce<MinMax> {
        MinMaxKernel() {
            super("reduce_minmax");
        }

        @Override
        public Buffers buffers(Data d) {
            int blocks = blocks(d.length(), BLOCK);
            return super.buffers(d).out(0, new double[2 * blocks]).out(1, new long[2 * blocks]);
        }

        @Override
        public void reference(Buffers b, long begin, long end) {
            double[] x = b.doubleIn(0);
            double[] values = b.doubleOut(0);
            long[] indexes = b.longOut(1);
            for (int blk = (int) (begin / BLOCK); (long) blk * BLOCK < end; blk++) {
                double min = Double.NaN, max = Double.NaN;
                long argMin = -1, argMax = -1;
                for (int i = blk * BLOCK; i < Math.min((long) (blk + 1) * BLOCK, end); i++) {
                    double v = x[i];
                    if (Double.isNaN(v)) {
                        continue;
                    }
                    if (argMin < 0 || v < min) {
                        min = v;
                        argMin = i;
                    }
                    if (argMax < 0 || v > max) {
                        max = v;
                        argMax = i;
                    }
                }
                values[2 * blk] = min;
                values[2 * blk + 1] = max;
                indexes[2 * blk] = argMin;
                indexes[2 * blk + 1] = argMax;
            }
        }

        /** Blocks in index order; a later block wins only when strictly smaller (larger). */
        @Override
        public MinMax finish(Data d, Buffers b) {
            double[] values = b.doubleOut(0);
            long[] indexes = b.longOut(1);
            double min = Double.NaN, max = Double.NaN;
            long argMin = -1, argMax = -1;
            for (int blk = 0; blk < values.length / 2; blk++) {
                if (indexes[2 * blk] >= 0 && (argMin < 0 || values[2 * blk] < min)) {
                    min = values[2 * blk];
                    argMin = indexes[2 * blk];
                }
                if (indexes[2 * blk + 1] >= 0 && (argMax < 0 || values[2 * blk + 1] > max)) {
                    max = values[2 * blk + 1];
                    argMax = indexes[2 * blk + 1];
                }
            }
            return new MinMax(min, argMin, max, argMax);
        }

        @Override
        public String difference(MinMax e, MinMax a) {
            String d = Compare.ulps(e.min(), a.min(), 0);
            if (d != null) {
                return "min " + d;
            }
            d = Compare.ulps(e.max(), a.max(), 0);
            if (d != null) {
                return "max " + d;
            }
            if (e.argMin() != a.argMin() || e.argMax() != a.argMax()) {
                return "indexes (" + a.argMin() + ", " + a.argMax() + "), expected (" + e.argMin() + ", " + e.argMax() + ")";
            }
            return null;
        }

        @Override
        public String describeResult(MinMax r) {
            return r.toString();
        }
    }
}
