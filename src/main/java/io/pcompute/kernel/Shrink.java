package io.pcompute.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/** Helpers for kernel declarations: shrinking steps for arrays and values, and short previews. */
public final class Shrink {
    private static final int PREVIEW = 12;

    private Shrink() {}

    /**
     * Index ranges [from, to) whose removal makes an array of length n smaller, most aggressive first:
     * each half, then (for short arrays) each single element.
     */
    public static List<int[]> cuts(int n) {
        List<int[]> cuts = new ArrayList<>();
        if (n >= 2) {
            cuts.add(new int[] {n / 2, n});
            cuts.add(new int[] {0, n / 2});
        }
        if (n <= 32) {
            for (int i = 0; i < n; i++) {
                cuts.add(new int[] {i, i + 1});
            }
        }
        return cuts;
    }

    public static long[] without(long[] values, int[] cut) {
        long[] out = new long[values.length - (cut[1] - cut[0])];
        System.arraycopy(values, 0, out, 0, cut[0]);
        System.arraycopy(values, cut[1], out, cut[0], values.length - cut[1]);
        return out;
    }

    public static double[] without(double[] values, int[] cut) {
        double[] out = new double[values.length - (cut[1] - cut[0])];
        System.arraycopy(values, 0, out, 0, cut[0]);
        System.arraycopy(values, cut[1], out, cut[0], values.length - cut[1]);
        return out;
    }

    /**
     * Simpler values than {@code v} that are still at least {@code min}, simplest first: the smallest few
     * (where small counterexamples hide), then halving towards min, then v - 1.
     */
    public static List<Long> simpler(long v, long min) {
        List<Long> out = new ArrayList<>();
        for (long c = min; c < min + 10 && c < v; c++) {
            out.add(c);
        }
        for (long c : new long[] {min + (v - min) / 2, v - 1}) {
            if (c >= min && c < v && !out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Simpler doubles than {@code v}: 0, 1, an integer, half of it — only ones that differ from v. */
    public static List<Double> simpler(double v) {
        List<Double> out = new ArrayList<>();
        for (double c : new double[] {0.0, 1.0, Math.rint(v), v / 2}) {
            if (Double.doubleToLongBits(c) != Double.doubleToLongBits(v) && !out.contains(c)
                    && (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(c) <= Math.abs(v))) {
                out.add(c);
            }
        }
        return out;
    }

    /** A copy of {@code values} with {@code values[i] = v}. */
    public static long[] with(long[] values, int i, long v) {
        long[] out = values.clone();
        out[i] = v;
        return out;
    }

    public static double[] with(double[] values, int i, double v) {
        double[] out = values.clone();
        out[i] = v;
        return out;
    }

    /** The first elements of one or more parallel arrays, e.g. {@code [(4, 6), (9, 12), ...]}. */
    public static String preview(long[]... arrays) {
        StringJoiner out = new StringJoiner(", ", "[", arrays[0].length > PREVIEW ? ", ...]" : "]");
        for (int i = 0; i < Math.min(PREVIEW, arrays[0].length); i++) {
            StringJoiner tuple = new StringJoiner(", ", arrays.length > 1 ? "(" : "", arrays.length > 1 ? ")" : "");
            for (long[] a : arrays) {
                tuple.add(Long.toString(a[i]));
            }
            out.add(tuple.toString());
        }
        return out.toString();
    }

    public static String preview(double[] values) {
        if (values.length <= PREVIEW) {
            return Arrays.toString(values);
        }
        return Arrays.toString(Arrays.copyOf(values, PREVIEW)).replace("]", ", ...] (" + values.length + " values)");
    }
}
