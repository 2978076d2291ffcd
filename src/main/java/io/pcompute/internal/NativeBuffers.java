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
                MemorySegment.copy(input, 0, copy, type.layout(), 0, length);
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
                MemorySegment.copy(out[i], type.layout(), 0, output, 0, type.length(output));
            }
        }
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
