package io.pcompute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The memory of one kernel invocation, laid out exactly as the C side's {@code pc_args}: up to four input
 * arrays, two output arrays ({@code long[]} or {@code double[]}) and four integer and four floating-point
 * parameters. The Java reference reads and writes these arrays; native strategies copy the inputs to
 * native memory and the outputs back, so both sides produce the same raw outputs, which the kernel's
 * {@link Kernel#finish} then turns into a result.
 *
 * <p>An input may also be a native {@link MemorySegment} of int64 or double values
 * ({@link #inLongs}, {@link #inDoubles}): native strategies hand it to the C kernel as it is — zero-copy,
 * pinned until the kernel is done — and the Java strategies read a heap copy of it, made once per run.
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

    /** A native segment of int64 values as input {@code slot}; see the class comment. */
    public Buffers inLongs(int slot, MemorySegment values) {
        in[slot] = new SegmentInput(values, ValueLayout.JAVA_LONG);
        return this;
    }

    /** A native segment of double values as input {@code slot}; see the class comment. */
    public Buffers inDoubles(int slot, MemorySegment values) {
        in[slot] = new SegmentInput(values, ValueLayout.JAVA_DOUBLE);
        return this;
    }

    /** An input held in a segment, and (once a Java strategy asks for it) its heap copy. */
    static final class SegmentInput {
        final MemorySegment segment;
        final ValueLayout layout;
        private Object copy;

        SegmentInput(MemorySegment segment, ValueLayout layout) {
            this.segment = segment;
            this.layout = layout;
        }

        synchronized Object array() {
            if (copy == null) {
                copy = layout == ValueLayout.JAVA_LONG ? segment.toArray(ValueLayout.JAVA_LONG)
                        : segment.toArray(ValueLayout.JAVA_DOUBLE);
            }
            return copy;
        }
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

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public long[] longIn(int slot) {
        return (long[]) (in[slot] instanceof SegmentInput s ? s.array() : in[slot]);
    }

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public double[] doubleIn(int slot) {
        return (double[]) (in[slot] instanceof SegmentInput s ? s.array() : in[slot]);
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

    /** Makes the heap copies of segment inputs now (on the calling thread, which may own them). */
    void copySegmentInputs() {
        for (Object input : in) {
            if (input instanceof SegmentInput s) {
                s.array();
            }
        }
    }

    /** What input slot {@code slot} holds: {@code long[]}, {@code double[]}, a {@link SegmentInput} or null. */
    Object input(int slot) {
        return in[slot];
    }

    /** The array in output slot {@code slot} ({@code long[]}, {@code double[]} or null). */
    Object output(int slot) {
        return out[slot];
    }
}
