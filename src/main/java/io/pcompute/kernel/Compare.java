package io.pcompute.kernel;

/** Comparison rules for kernel declarations: exact for integers, a ULP bound for floating point. */
public final class Compare {
    private Compare() {}

    /** Null when equal, else the first differing index and values. */
    public static String exact(long[] expected, long[] actual) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                return "[" + i + "] = " + actual[i] + ", expected " + expected[i];
            }
        }
        return null;
    }

    /** Null when equal, else the first differing index and values. */
    public static String exact(int[] expected, int[] actual) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        int i = java.util.Arrays.mismatch(expected, actual);
        return i < 0 ? null : "[" + i + "] = " + actual[i] + ", expected " + expected[i];
    }

    /** Null when equal, else the first differing index and values (unsigned). */
    public static String exact(byte[] expected, byte[] actual) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        int i = java.util.Arrays.mismatch(expected, actual);
        return i < 0 ? null : "[" + i + "] = " + (actual[i] & 0xff) + ", expected " + (expected[i] & 0xff);
    }

    /**
     * Null when every element has the same bits (any NaN matching any NaN), else the first differing index
     * and values: for float kernels whose C and Java do the same operations in the same order.
     */
    public static String exact(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            boolean same = Float.isNaN(expected[i]) ? Float.isNaN(actual[i])
                    : Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i]);
            if (!same) {
                return "[" + i + "] = " + actual[i] + ", expected " + expected[i];
            }
        }
        return null;
    }

    /** Null when equal, else both values. */
    public static String exact(long expected, long actual) {
        return expected == actual ? null : actual + ", expected " + expected;
    }

    /**
     * Distance in units in the last place: 0 for identical bits, for NaN versus NaN, and for 0.0 versus
     * -0.0 only when {@code maxUlps > 0}; {@code Long.MAX_VALUE} for NaN versus a number.
     */
    public static long ulps(double expected, double actual) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual) ? 0 : Long.MAX_VALUE;
        }
        long e = Double.doubleToRawLongBits(expected);
        long a = Double.doubleToRawLongBits(actual);
        // map the sign-magnitude bit patterns onto a monotonic integer line
        e = e < 0 ? Long.MIN_VALUE - e : e;
        a = a < 0 ? Long.MIN_VALUE - a : a;
        long d = e - a;
        return (e >= a) == (d >= 0) ? Math.abs(d) : Long.MAX_VALUE; // overflow: infinitely far
    }

    /** Null when within {@code maxUlps} (0 = identical bits; NaN matches NaN), else the values. */
    public static String ulps(double expected, double actual, long maxUlps) {
        boolean same = maxUlps == 0
                ? Double.doubleToLongBits(expected) == Double.doubleToLongBits(actual)
                : ulps(expected, actual) <= maxUlps;
        return same ? null : actual + " (" + Double.toHexString(actual) + "), expected " + expected + " ("
                + Double.toHexString(expected) + "), bound " + maxUlps + " ulp";
    }

    /** Element-wise {@link #ulps(double, double, long)}. */
    public static String ulps(double[] expected, double[] actual, long maxUlps) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            String d = ulps(expected[i], actual[i], maxUlps);
            if (d != null) {
                return "[" + i + "] = " + d;
            }
        }
        return null;
    }
}
