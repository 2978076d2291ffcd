package io.pcompute.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The memory of one kernel invocation, laid out as the C side's {@code pc_args}: up to four input
 * buffers, two output buffers and four integer and four floating-point parameters. A buffer is a Java
 * array of {@code long}, {@code double}, {@code int}, {@code float} or {@code byte} (C: {@code int64_t},
 * {@code double}, {@code int32_t}, {@code float}, {@code uint8_t}/{@code int8_t}). The Java reference
 * reads and writes these arrays; native strategies copy the inputs to native memory and the outputs back
 * (short synchronous calls of pcompute's own kernels read and write them in place instead, through a
 * critical downcall), and tell the C kernel each buffer's length in bytes ({@code pc_args.in_bytes}/{@code out_bytes}), so both
 * sides produce the same raw outputs, which the kernel's {@link Kernel#finish} then turns into a result.
 *
 * <p>An input may also be a native {@link MemorySegment} of one of those element types
 * ({@link #in(int, MemorySegment, ValueLayout)}): native strategies hand it to the C kernel as it is —
 * zero-copy, pinned until the kernel is done — and the Java strategies read a heap copy of it, made once
 * per run.
 */
public final class Buffers {
    public static final int MAX_INPUTS = 4;
    public static final int MAX_OUTPUTS = 2;
    public static final int MAX_PARAMS = 4;

    private final Object[] in = new Object[MAX_INPUTS];
    private final Object[] out = new Object[MAX_OUTPUTS];
    private final long[] iparam = new long[MAX_PARAMS];
    private final double[] dparam = new double[MAX_PARAMS];

    // ---- inputs ----------------------------------------------------------------------------------

    public Buffers in(int slot, long[] values) {
        return input(slot, values);
    }

    public Buffers in(int slot, double[] values) {
        return input(slot, values);
    }

    public Buffers in(int slot, int[] values) {
        return input(slot, values);
    }

    public Buffers in(int slot, float[] values) {
        return input(slot, values);
    }

    public Buffers in(int slot, byte[] values) {
        return input(slot, values);
    }

    /**
     * A native segment of {@code layout}'s values ({@link ValueLayout#JAVA_LONG}, {@code JAVA_DOUBLE},
     * {@code JAVA_INT}, {@code JAVA_FLOAT} or {@code JAVA_BYTE}) as input {@code slot}; see the class comment.
     * The kernel's {@link Kernel#validate} should have checked it ({@link Kernel#requireElements}).
     */
    public Buffers in(int slot, MemorySegment values, ValueLayout layout) {
        Objects.requireNonNull(values, "values must not be null");
        return input(slot, new SegmentInput(values, ElementType.of(layout)));
    }

    /** A native segment of int64 values as input {@code slot}. */
    public Buffers inLongs(int slot, MemorySegment values) {
        return in(slot, values, ValueLayout.JAVA_LONG);
    }

    /** A native segment of double values as input {@code slot}. */
    public Buffers inDoubles(int slot, MemorySegment values) {
        return in(slot, values, ValueLayout.JAVA_DOUBLE);
    }

    private Buffers input(int slot, Object values) {
        Objects.checkIndex(slot, MAX_INPUTS);
        in[slot] = Objects.requireNonNull(values, "input " + slot + " must not be null");
        return this;
    }

    // ---- outputs ---------------------------------------------------------------------------------

    public Buffers out(int slot, long[] values) {
        return output(slot, values);
    }

    public Buffers out(int slot, double[] values) {
        return output(slot, values);
    }

    public Buffers out(int slot, int[] values) {
        return output(slot, values);
    }

    public Buffers out(int slot, float[] values) {
        return output(slot, values);
    }

    public Buffers out(int slot, byte[] values) {
        return output(slot, values);
    }

    private Buffers output(int slot, Object values) {
        Objects.checkIndex(slot, MAX_OUTPUTS);
        out[slot] = Objects.requireNonNull(values, "output " + slot + " must not be null");
        return this;
    }

    // ---- parameters ------------------------------------------------------------------------------

    public Buffers iparam(int slot, long value) {
        iparam[Objects.checkIndex(slot, MAX_PARAMS)] = value;
        return this;
    }

    public Buffers dparam(int slot, double value) {
        dparam[Objects.checkIndex(slot, MAX_PARAMS)] = value;
        return this;
    }

    public long iparam(int slot) {
        return iparam[slot];
    }

    public double dparam(int slot) {
        return dparam[slot];
    }

    // ---- reading, for references -----------------------------------------------------------------

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public long[] longIn(int slot) {
        return (long[]) inputArray(slot);
    }

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public double[] doubleIn(int slot) {
        return (double[]) inputArray(slot);
    }

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public int[] intIn(int slot) {
        return (int[]) inputArray(slot);
    }

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public float[] floatIn(int slot) {
        return (float[]) inputArray(slot);
    }

    /** Input {@code slot} as an array (for a segment input, its heap copy). */
    public byte[] byteIn(int slot) {
        return (byte[]) inputArray(slot);
    }

    public long[] longOut(int slot) {
        return (long[]) out[slot];
    }

    public double[] doubleOut(int slot) {
        return (double[]) out[slot];
    }

    public int[] intOut(int slot) {
        return (int[]) out[slot];
    }

    public float[] floatOut(int slot) {
        return (float[]) out[slot];
    }

    public byte[] byteOut(int slot) {
        return (byte[]) out[slot];
    }

    private Object inputArray(int slot) {
        return in[slot] instanceof SegmentInput s ? s.array() : in[slot];
    }

    // ---- for pcompute's strategies (through the internal access bridge) --------------------------

    /** Makes the heap copies of segment inputs now (on the calling thread, which may own them). */
    void copySegmentInputs() {
        for (Object input : in) {
            if (input instanceof SegmentInput s) {
                s.array();
            }
        }
    }

    /** What input slot {@code slot} holds: a primitive array, a {@link SegmentInput} or null. */
    Object rawInput(int slot) {
        return in[slot];
    }

    /** The array in output slot {@code slot}, or null. */
    Object rawOutput(int slot) {
        return out[slot];
    }

    /** The element types a buffer may hold, with their layout and their C type. */
    public enum ElementType {
        LONG(ValueLayout.JAVA_LONG, long[].class, "int64_t"),
        DOUBLE(ValueLayout.JAVA_DOUBLE, double[].class, "double"),
        INT(ValueLayout.JAVA_INT, int[].class, "int32_t"),
        FLOAT(ValueLayout.JAVA_FLOAT, float[].class, "float"),
        BYTE(ValueLayout.JAVA_BYTE, byte[].class, "uint8_t");

        private static final ElementType[] VALUES = values(); // values() clones the array on every call

        private final ValueLayout layout;
        private final Class<?> arrayType;
        private final String cType;

        ElementType(ValueLayout layout, Class<?> arrayType, String cType) {
            this.layout = layout;
            this.arrayType = arrayType;
            this.cType = cType;
        }

        /** The layout of one element, aligned to its size as C aligns it. */
        public ValueLayout layout() {
            return layout;
        }

        /** The C element type. */
        public String cType() {
            return cType;
        }

        /** Bytes per element. */
        public long size() {
            return layout.byteSize();
        }

        /** The type of {@code layout}, matched by carrier and size (byte order must be native). */
        public static ElementType of(ValueLayout layout) {
            Objects.requireNonNull(layout, "layout must not be null");
            for (ElementType t : VALUES) {
                if (t.layout.carrier() == layout.carrier() && t.layout.order() == layout.order()) {
                    return t;
                }
            }
            throw new IllegalArgumentException("layout = " + layout + ": must be JAVA_LONG, JAVA_DOUBLE, JAVA_INT, "
                    + "JAVA_FLOAT or JAVA_BYTE (native byte order)");
        }

        /** The type of a primitive array buffer; null if {@code array} is none of the five. */
        public static ElementType ofArray(Object array) {
            for (ElementType t : VALUES) {
                if (t.arrayType.isInstance(array)) {
                    return t;
                }
            }
            return null;
        }

        /** The number of elements of a primitive array of this type. */
        public int length(Object array) {
            return java.lang.reflect.Array.getLength(array);
        }
    }

    /** An input held in a caller's segment, and (once a Java strategy asks for it) its heap copy. */
    public static final class SegmentInput {
        private final MemorySegment segment;
        private final ElementType type;
        private Object copy;

        SegmentInput(MemorySegment segment, ElementType type) {
            this.segment = segment;
            this.type = type;
        }

        /** The caller's segment, read in place by native strategies. */
        public MemorySegment segment() {
            return segment;
        }

        /** Its element type. */
        public ElementType type() {
            return type;
        }

        synchronized Object array() {
            if (copy == null) {
                copy = switch (type) {
                    case LONG -> segment.toArray(ValueLayout.JAVA_LONG);
                    case DOUBLE -> segment.toArray(ValueLayout.JAVA_DOUBLE);
                    case INT -> segment.toArray(ValueLayout.JAVA_INT);
                    case FLOAT -> segment.toArray(ValueLayout.JAVA_FLOAT);
                    case BYTE -> segment.toArray(ValueLayout.JAVA_BYTE);
                };
            }
            return copy;
        }
    }
}
