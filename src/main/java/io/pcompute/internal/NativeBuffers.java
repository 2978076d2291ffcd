package io.pcompute.internal;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Buffers.ElementType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Buffers} in native memory: array inputs copied in (segment inputs used as they are), outputs
 * allocated, and copied back on demand.
 */
public final class NativeBuffers {
    public final MemorySegment[] in = new MemorySegment[Buffers.MAX_INPUTS];
    public final MemorySegment[] out = new MemorySegment[Buffers.MAX_OUTPUTS];
    private final Buffers buffers;

    private NativeBuffers(Buffers buffers) {
        this.buffers = buffers;
    }

    /** Bytes {@link #copyIn} needs from a slicing allocator (each array 64-byte aligned). */
    public static long bytesNeeded(Buffers buffers) {
        long bytes = 0;
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            bytes += alignedBytes(KernelAccess.input(buffers, i));
        }
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            bytes += alignedBytes(KernelAccess.output(buffers, i));
        }
        return bytes;
    }

    private static long alignedBytes(Object buffer) {
        if (buffer == null || buffer instanceof Buffers.SegmentInput) {
            return 0; // a segment is passed as it is
        }
        ElementType type = type(buffer);
        long bytes = Math.max(1, type.length(buffer)) * type.size();
        return (bytes + 63) / 64 * 64;
    }

    private static ElementType type(Object array) {
        ElementType type = ElementType.ofArray(array);
        if (type == null) {
            throw new IllegalStateException("buffer of " + array.getClass() + " is not an array of long, double, int, "
                    + "float or byte");
        }
        return type;
    }

    /** Copies the inputs into memory from {@code arena} and allocates the outputs there. */
    public static NativeBuffers copyIn(Buffers buffers, SegmentAllocator arena) {
        NativeBuffers nb = new NativeBuffers(buffers);
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            Object input = KernelAccess.input(buffers, i);
            if (input instanceof Buffers.SegmentInput s) {
                nb.in[i] = s.segment();
            } else if (input != null) {
                ElementType type = type(input);
                int length = type.length(input);
                // at least one element, so a zero-length buffer still has an address; its byte length says 0
                MemorySegment copy = arena.allocate(type.layout(), Math.max(1, length)).asSlice(0, length * type.size());
                copyToNative(input, copy, type, length);
                nb.in[i] = copy;
            }
        }
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            Object output = KernelAccess.output(buffers, i);
            if (output != null) {
                ElementType type = type(output);
                int length = type.length(output);
                nb.out[i] = arena.allocate(type.layout(), Math.max(1, length)).asSlice(0, length * type.size());
            }
        }
        return nb;
    }

    /** The {@code pc_args} struct for these buffers, allocated in {@code arena}. */
    public MemorySegment args(Arena arena) {
        return Native.args(arena, in, out, iparams(buffers), dparams(buffers));
    }

    public static long[] iparams(Buffers buffers) {
        long[] iparam = new long[Buffers.MAX_PARAMS];
        for (int i = 0; i < Buffers.MAX_PARAMS; i++) {
            iparam[i] = buffers.iparam(i);
        }
        return iparam;
    }

    public static double[] dparams(Buffers buffers) {
        double[] dparam = new double[Buffers.MAX_PARAMS];
        for (int i = 0; i < Buffers.MAX_PARAMS; i++) {
            dparam[i] = buffers.dparam(i);
        }
        return dparam;
    }

    /** Copies the native outputs back into the Java arrays of the buffers. */
    public void copyOut() {
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            Object output = KernelAccess.output(buffers, i);
            if (output != null) {
                ElementType type = type(output);
                copyToArray(out[i], output, type, type.length(output));
            }
        }
    }

    /**
     * Bytes per piece of a copy between a Java array and native memory. One {@code MemorySegment.copy} with
     * a heap array on either side is one uninterruptible copy: no safepoint (no GC, no thread dump) can
     * happen until it ends. Measured on the 2-core dev VM, JDK 25, load 4: a thread copying a 64 MiB array
     * in one piece held thread-dump safepoints up 4.3 ms at the median and 10.9 ms at worst; in 1 MiB
     * pieces 0.17 ms and 2.8 ms (the rest is the loaded machine), at about the same copy speed. The JDK's
     * own NIO copies use the same 1 MiB (java.nio.Bits.UNSAFE_COPY_THRESHOLD) for the same reason.
     */
    static final long COPY_CHUNK_BYTES = 1 << 20;

    /** Copies elements [0, length) of {@code array} to {@code dst} in pieces; returns how many it took. */
    static int copyToNative(Object array, MemorySegment dst, ElementType type, int length) {
        int step = (int) (COPY_CHUNK_BYTES / type.size());
        int pieces = 0;
        for (int from = 0; from < length; from += step, pieces++) {
            MemorySegment.copy(array, from, dst, type.layout(), from * type.size(), Math.min(step, length - from));
        }
        return pieces;
    }

    /** Copies elements [0, length) of {@code src} into {@code array} in pieces; returns how many it took. */
    static int copyToArray(MemorySegment src, Object array, ElementType type, int length) {
        int step = (int) (COPY_CHUNK_BYTES / type.size());
        int pieces = 0;
        for (int from = 0; from < length; from += step, pieces++) {
            MemorySegment.copy(src, type.layout(), from * type.size(), array, from, Math.min(step, length - from));
        }
        return pieces;
    }

    /** The caller's own segments among the inputs: to keep alive while native code reads them. */
    public MemorySegment[] callerSegments() {
        List<MemorySegment> all = new ArrayList<>();
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            if (KernelAccess.input(buffers, i) instanceof Buffers.SegmentInput s) {
                all.add(s.segment());
            }
        }
        return all.toArray(MemorySegment[]::new);
    }
}
