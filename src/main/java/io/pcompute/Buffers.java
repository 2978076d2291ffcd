package io.pcompute;

/**
 * The memory of one kernel invocation, laid out exactly as the C side's {@code pc_args}: up to four input
 * arrays, two output arrays ({@code long[]} or {@code double[]}) and four integer and four floating-point
 * parameters. The Java reference reads and writes these arrays; native strategies copy the inputs to
 * native memory and the outputs back, so both sides produce the same raw outputs, which the kernel's
 * {@link Kernel#finish} then turns into a result.
 */
public final class Buffers {
    public static final int MAX_INPUTS = 4;
    public static final int MAX_OUTPUTS = 2;
    public static final int MAX_PARAMS = 4;

    private final Object[] in = new Object[MAX_INPUTS];
    private final Object[] out = new Object[MAX_OUTPUTS];
    private final long[] iparam = new long[MAX_PARAMS];
    private final double[] dparam = new double[MAX_PARAMS];

    public Buffers in(int slot, long[] values) {
        in[slot] = values;
        return this;
    }

    public Buffers in(int slot, double[] values) {
        in[slot] = values;
        return this;
    }

    public Buffers out(int slot, long[] values) {
        out[slot] = values;
        return this;
    }

    public Buffers out(int slot, double[] values) {
        out[slot] = values;
        return this;
    }

    public Buffers iparam(int slot, long value) {
        iparam[slot] = value;
        return this;
    }

    public Buffers dparam(int slot, double value) {
        dparam[slot] = value;
        return this;
    }

    public long[] longIn(int slot) {
        return (long[]) in[slot];
    }

    public double[] doubleIn(int slot) {
        return (double[]) in[slot];
    }

    public long[] longOut(int slot) {
        return (long[]) out[slot];
    }

    public double[] doubleOut(int slot) {
        return (double[]) out[slot];
    }

    public long iparam(int slot) {
        return iparam[slot];
    }

    public double dparam(int slot) {
        return dparam[slot];
    }

    /** The array in input slot {@code slot} ({@code long[]}, {@code double[]} or null). */
    Object input(int slot) {
        return in[slot];
    }

    /** The array in output slot {@code slot} ({@code long[]}, {@code double[]} or null). */
    Object output(int slot) {
        return out[slot];
    }
}
