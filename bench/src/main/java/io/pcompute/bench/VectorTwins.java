package io.pcompute.bench;

import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The honest peer: Java Vector API ({@code jdk.incubator.vector}) twins of the native SIMD code, for the
 * benchmarks only (the library's references stay plain Java). Each twin computes the same bits as the
 * reference it shadows, and {@link VectorBench}'s setup checks that before anything is timed.
 *
 * <p>{@link #gcdBrute}: native-src/src/pc_gcd_simd.c's algorithm — candidates from min(a, b) down, several
 * per step, the highest lane dividing both wins; floats while max(a, b) <= 2^24, doubles while <= 2^53,
 * the scalar loop above. The test "d divides x" is {@code x - trunc(x / d) * d == 0} with the product and
 * difference in one fused multiply-add: exact in that range (the argument is in pc_gcd_simd.c). The
 * truncation is a conversion to int (long) and back, which the Vector API has and a rounding op it lacks.
 *
 * <p>{@link #gcdFast}: the AVX-512 path of gcd_fast (Stein's binary gcd per lane).
 *
 * <p>The reductions follow {@link Reduce}'s orders exactly: per block of {@value Reduce#BLOCK} values, lane
 * j (of {@value Reduce#LANES}) adds values j, j + 8, ... left to right — two 4-lane vectors hold lanes 0-3
 * and 4-7, so the additions are the reference's, only done four at a time — then
 * {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))}, blocks combined pairwise (Neumaier: the
 * reference's compensated combination). The dot product multiplies then adds (no fused multiply-add, as
 * the reference). Min/max keeps, per lane, the first strictly smaller (larger) non-NaN value and its index;
 * the lanes then give the smallest value and among equal ones the lowest index: the reference's first
 * occurrence of the extreme. So every twin is bit-identical to its reference; none compares time only.
 */
final class VectorTwins {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Four lanes: two of these hold the reference's eight lanes, on AVX2 and AVX-512 alike. */
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    /** The long species with as many lanes as {@link #DS}, for min/max indexes. */
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;

    static final long FLOAT_MAX = 1L << 24;
    static final long EXACT_MAX = 1L << 53;

    private static final int BLOCK = Reduce.BLOCK;

    private VectorTwins() {}

    /** Lanes per step of each gcd path, for the report ("float x16, double x8"). */
    static String gcdShape() {
        return "float x" + FS.length() + " (max <= 2^24), double x" + DS.length() + " (<= 2^53), scalar above";
    }

    // ---- gcd_fast ------------------------------------------------------------------------------------

    /**
     * gcd_fast as pc_gcd_simd.c's AVX-512 path computes it: per lane the binary gcd in its shortest-chain
     * form (x = |y - x| >> tz(y - x), y = min(x, y) until x == 0, then y << tz(a | b); a lane with a zero
     * input takes a | b), finished lanes masked out, two vectors stepped together (the C code interleaves
     * eight), the last pairs (fewer than two vectors' lanes) by the reference. Integer arithmetic: the gcd is unique, so
     * this equals the reference (Euclid) bit for bit. Inputs are below 2^63: the signed min and abs of the
     * Vector API are the unsigned ones there. Java masks a shift count to 6 bits, so the count 64 that
     * TRAILING_ZEROS_COUNT gives for 0 shifts by 0, only in lanes that are 0 or blended away.
     */
    static long[] gcdFast(long[] a, long[] b) {
        int n = a.length;
        long[] g = new long[n];
        int w = LS.length();
        int i = 0;
        for (; i + 2 * w <= n; i += 2 * w) {
            gcdFastTwoVectors(a, b, g, i, i + w);
        }
        for (; i < n; i++) {
            g[i] = Gcd.FAST.apply(a[i], b[i]); // the reference's Euclid: a few pairs at most
        }
        return g;
    }

    /** The pairs of one vector at i and one at j, stepped together: two independent chains per step. */
    private static void gcdFastTwoVectors(long[] a, long[] b, long[] g, int i, int j) {
        LongVector va0 = LongVector.fromArray(LS, a, i), vb0 = LongVector.fromArray(LS, b, i);
        LongVector va1 = LongVector.fromArray(LS, a, j), vb1 = LongVector.fromArray(LS, b, j);
        VectorMask<Long> zero0 = va0.compare(VectorOperators.EQ, 0).or(vb0.compare(VectorOperators.EQ, 0));
        VectorMask<Long> zero1 = va1.compare(VectorOperators.EQ, 0).or(vb1.compare(VectorOperators.EQ, 0));
        LongVector either0 = va0.or(vb0), either1 = va1.or(vb1);
        LongVector x0 = va0.blend(0, zero0), x1 = va1.blend(0, zero1); // 0: the lane takes no step
        LongVector xz0 = x0.lanewise(VectorOperators.TRAILING_ZEROS_COUNT);
        LongVector xz1 = x1.lanewise(VectorOperators.TRAILING_ZEROS_COUNT);
        LongVector y0 = vb0.lanewise(VectorOperators.LSHR, vb0.lanewise(VectorOperators.TRAILING_ZEROS_COUNT));
        LongVector y1 = vb1.lanewise(VectorOperators.LSHR, vb1.lanewise(VectorOperators.TRAILING_ZEROS_COUNT));
        for (;;) {
            VectorMask<Long> active0 = x0.compare(VectorOperators.NE, 0);
            VectorMask<Long> active1 = x1.compare(VectorOperators.NE, 0);
            if (!active0.or(active1).anyTrue()) {
                break;
            }
            LongVector odd0 = x0.lanewise(VectorOperators.LSHR, xz0);
            LongVector odd1 = x1.lanewise(VectorOperators.LSHR, xz1);
            LongVector diff0 = y0.sub(odd0), diff1 = y1.sub(odd1);
            xz0 = diff0.lanewise(VectorOperators.TRAILING_ZEROS_COUNT);
            xz1 = diff1.lanewise(VectorOperators.TRAILING_ZEROS_COUNT);
            y0 = y0.blend(odd0.min(y0), active0);
            y1 = y1.blend(odd1.min(y1), active1);
            x0 = x0.blend(diff0.abs(), active0);
            x1 = x1.blend(diff1.abs(), active1);
        }
        y0.lanewise(VectorOperators.LSHL, either0.lanewise(VectorOperators.TRAILING_ZEROS_COUNT)).blend(either0, zero0)
                .intoArray(g, i);
        y1.lanewise(VectorOperators.LSHL, either1.lanewise(VectorOperators.TRAILING_ZEROS_COUNT)).blend(either1, zero1)
                .intoArray(g, j);
    }

    // ---- gcd_brute -----------------------------------------------------------------------------------

    static long[] gcdBrute(long[] a, long[] b) {
        long[] g = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            g[i] = gcdBrute(a[i], b[i]);
        }
        return g;
    }

    /** The largest d in [1, min(a, b)] dividing both; a, b >= 1 (gcd_brute's contract). */
    static long gcdBrute(long a, long b) {
        if (a <= FLOAT_MAX && b <= FLOAT_MAX) {
            return gcdFloat(a, b);
        }
        if (a <= EXACT_MAX && b <= EXACT_MAX) {
            return gcdDouble(a, b);
        }
        return scalarTail(a, b, Math.min(a, b));
    }

    private static long gcdFloat(long a, long b) {
        int lanes = FS.length();
        long top = Math.min(a, b);
        FloatVector va = FloatVector.broadcast(FS, (float) a);
        FloatVector vb = FloatVector.broadcast(FS, (float) b);
        FloatVector step = FloatVector.broadcast(FS, (float) lanes);
        float[] iota = new float[lanes];
        for (int k = 0; k < lanes; k++) {
            iota[k] = k;
        }
        FloatVector d = FloatVector.broadcast(FS, (float) top).sub(FloatVector.fromArray(FS, iota, 0));
        for (; top >= lanes; top -= lanes) {
            FloatVector qa = (FloatVector) va.div(d).convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0);
            VectorMask<Float> hit = qa.neg().fma(d, va).eq(0f);
            if (hit.anyTrue()) {
                FloatVector qb = (FloatVector) vb.div(d).convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0);
                hit = hit.and(qb.neg().fma(d, vb).eq(0f));
                if (hit.anyTrue()) {
                    return top - hit.firstTrue();
                }
            }
            d = d.sub(step);
        }
        return scalarTail(a, b, top);
    }

    private static long gcdDouble(long a, long b) {
        int lanes = DS.length();
        long top = Math.min(a, b);
        DoubleVector va = DoubleVector.broadcast(DS, (double) a);
        DoubleVector vb = DoubleVector.broadcast(DS, (double) b);
        DoubleVector step = DoubleVector.broadcast(DS, (double) lanes);
        double[] iota = new double[lanes];
        for (int k = 0; k < lanes; k++) {
            iota[k] = k;
        }
        DoubleVector d = DoubleVector.broadcast(DS, (double) top).sub(DoubleVector.fromArray(DS, iota, 0));
        for (; top >= lanes; top -= lanes) {
            DoubleVector qa = (DoubleVector) va.div(d).convert(VectorOperators.D2L, 0).convert(VectorOperators.L2D, 0);
            VectorMask<Double> hit = qa.neg().fma(d, va).eq(0.0);
            if (hit.anyTrue()) {
                DoubleVector qb = (DoubleVector) vb.div(d).convert(VectorOperators.D2L, 0).convert(VectorOperators.L2D, 0);
                hit = hit.and(qb.neg().fma(d, vb).eq(0.0));
                if (hit.anyTrue()) {
                    return top - hit.firstTrue();
                }
            }
            d = d.sub(step);
        }
        return scalarTail(a, b, top);
    }

    /** The origin loop over candidates top .. 2 (1 when none divides both). */
    private static long scalarTail(long a, long b, long top) {
        for (; top > 1; --top) {
            if (a % top == 0 && b % top == 0) {
                break;
            }
        }
        return top;
    }

    // ---- sum and dot product ---------------------------------------------------------------------------

    static double sum(double[] x) {
        double[] sums = new double[blocks(x.length)];
        for (int blk = 0; blk < sums.length; blk++) {
            int from = blk * BLOCK, to = Math.min(from + BLOCK, x.length);
            DoubleVector lo = DoubleVector.zero(D4), hi = DoubleVector.zero(D4);
            int i = from;
            for (; i + 8 <= to; i += 8) {
                lo = lo.add(DoubleVector.fromArray(D4, x, i));
                hi = hi.add(DoubleVector.fromArray(D4, x, i + 4));
            }
            double[] l = lanes(lo, hi);
            for (int j = 0; i + j < to; j++) {
                l[j] += x[i + j];
            }
            sums[blk] = lanesSum(l);
        }
        return pairwise(sums, 0, sums.length);
    }

    static double dot(double[] x, double[] y) {
        double[] sums = new double[blocks(x.length)];
        for (int blk = 0; blk < sums.length; blk++) {
            int from = blk * BLOCK, to = Math.min(from + BLOCK, x.length);
            DoubleVector lo = DoubleVector.zero(D4), hi = DoubleVector.zero(D4);
            int i = from;
            for (; i + 8 <= to; i += 8) {
                lo = lo.add(DoubleVector.fromArray(D4, x, i).mul(DoubleVector.fromArray(D4, y, i)));
                hi = hi.add(DoubleVector.fromArray(D4, x, i + 4).mul(DoubleVector.fromArray(D4, y, i + 4)));
            }
            double[] l = lanes(lo, hi);
            for (int j = 0; i + j < to; j++) {
                l[j] += x[i + j] * y[i + j];
            }
            sums[blk] = lanesSum(l);
        }
        return pairwise(sums, 0, sums.length);
    }

    // ---- Neumaier-compensated sum ----------------------------------------------------------------------

    static double sumNeumaier(double[] x) {
        int blocks = blocks(x.length);
        double[] sums = new double[blocks], comps = new double[blocks];
        for (int blk = 0; blk < blocks; blk++) {
            int from = blk * BLOCK, to = Math.min(from + BLOCK, x.length);
            DoubleVector slo = DoubleVector.zero(D4), shi = DoubleVector.zero(D4);
            DoubleVector clo = DoubleVector.zero(D4), chi = DoubleVector.zero(D4);
            int i = from;
            for (; i + 8 <= to; i += 8) {
                DoubleVector vlo = DoubleVector.fromArray(D4, x, i), vhi = DoubleVector.fromArray(D4, x, i + 4);
                DoubleVector tlo = slo.add(vlo), thi = shi.add(vhi);
                clo = clo.add(compensation(slo, vlo, tlo));
                chi = chi.add(compensation(shi, vhi, thi));
                slo = tlo;
                shi = thi;
            }
            double[] s = lanes(slo, shi), c = lanes(clo, chi);
            for (int j = 0; i + j < to; j++) {
                double t = s[j] + x[i + j];
                c[j] += compensation(s[j], x[i + j], t);
                s[j] = t;
            }
            double total = 0.0, comp = 0.0;
            for (int lane = 0; lane < 8; lane++) {
                double t = total + s[lane];
                comp += compensation(total, s[lane], t);
                total = t;
            }
            for (int lane = 0; lane < 8; lane++) {
                comp += c[lane];
            }
            sums[blk] = total;
            comps[blk] = comp;
        }
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

    private static DoubleVector compensation(DoubleVector s, DoubleVector v, DoubleVector t) {
        DoubleVector bv = t.sub(s);
        return s.sub(t.sub(bv)).add(v.sub(bv));
    }

    private static double compensation(double s, double v, double t) {
        double bv = t - s;
        return (s - (t - bv)) + (v - bv);
    }

    // ---- min/max ---------------------------------------------------------------------------------------

    static Reduce.MinMax minMax(double[] x) {
        int lanes = DS.length();
        double min = Double.NaN, max = Double.NaN;
        long argMin = -1, argMax = -1;
        double[] mins = new double[lanes], maxs = new double[lanes];
        long[] imins = new long[lanes], imaxs = new long[lanes];
        long[] iota = new long[lanes];
        for (int k = 0; k < lanes; k++) {
            iota[k] = k;
        }
        LongVector lanesIota = LongVector.fromArray(LS, iota, 0);
        LongVector step = LongVector.broadcast(LS, lanes);
        for (int from = 0; from < x.length; from += BLOCK) {
            int to = Math.min(from + BLOCK, x.length);
            DoubleVector vmin = DoubleVector.broadcast(DS, Double.NaN), vmax = vmin;
            LongVector imin = LongVector.broadcast(LS, -1), imax = imin;
            LongVector idx = lanesIota.add(from);
            int i = from;
            for (; i + lanes <= to; i += lanes) {
                DoubleVector v = DoubleVector.fromArray(DS, x, i);
                VectorMask<Double> number = v.test(VectorOperators.IS_NAN).not();
                VectorMask<Double> first = imin.lt(0L).cast(DS); // no number yet in this lane (min and max alike)
                VectorMask<Double> newMin = number.and(first.or(v.lt(vmin)));
                VectorMask<Double> newMax = number.and(first.or(v.compare(VectorOperators.GT, vmax)));
                vmin = vmin.blend(v, newMin);
                vmax = vmax.blend(v, newMax);
                imin = imin.blend(idx, newMin.cast(LS));
                imax = imax.blend(idx, newMax.cast(LS));
                idx = idx.add(step);
            }
            vmin.intoArray(mins, 0);
            vmax.intoArray(maxs, 0);
            imin.intoArray(imins, 0);
            imax.intoArray(imaxs, 0);
            // the block's extremes: smallest (largest) lane value, the lowest index among equal values
            double bmin = Double.NaN, bmax = Double.NaN;
            long bargMin = -1, bargMax = -1;
            for (int k = 0; k < lanes; k++) {
                if (imins[k] >= 0 && (bargMin < 0 || mins[k] < bmin || (mins[k] == bmin && imins[k] < bargMin))) {
                    bmin = mins[k];
                    bargMin = imins[k];
                }
                if (imaxs[k] >= 0 && (bargMax < 0 || maxs[k] > bmax || (maxs[k] == bmax && imaxs[k] < bargMax))) {
                    bmax = maxs[k];
                    bargMax = imaxs[k];
                }
            }
            for (; i < to; i++) { // the tail: later than every lane's index, so only strictly better wins
                double v = x[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                if (bargMin < 0 || v < bmin) {
                    bmin = v;
                    bargMin = i;
                }
                if (bargMax < 0 || v > bmax) {
                    bmax = v;
                    bargMax = i;
                }
            }
            // blocks in index order, a later block only when strictly better: Reduce's finish
            if (bargMin >= 0 && (argMin < 0 || bmin < min)) {
                min = bmin;
                argMin = bargMin;
            }
            if (bargMax >= 0 && (argMax < 0 || bmax > max)) {
                max = bmax;
                argMax = bargMax;
            }
        }
        return new Reduce.MinMax(min, argMin, max, argMax);
    }

    // ---- shared ----------------------------------------------------------------------------------------

    private static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    private static double[] lanes(DoubleVector lo, DoubleVector hi) {
        double[] l = new double[8];
        lo.intoArray(l, 0);
        hi.intoArray(l, 4);
        return l;
    }

    private static double lanesSum(double[] l) {
        return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    }

    private static double pairwise(double[] partials, int from, int to) {
        if (to - from == 0) {
            return 0.0;
        }
        if (to - from == 1) {
            return partials[from];
        }
        int mid = from + (to - from) / 2;
        return pairwise(partials, from, mid) + pairwise(partials, mid, to);
    }
}
