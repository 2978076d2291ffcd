package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Buffers} in native memory: array inputs copied in (segment inputs used as they are), outputs
 * allocated, and copied back on demand.
 */
final class NativeBuffers {
    final MemorySegment[] in = new MemorySegment[Buffers.MAX_INPUTS];
    final MemorySegment[] out = new MemorySegment[Buffers.MAX_OUTPUTS];
    private final Buffers buffers;

    private NativeBuffers(Buffers buffers) {
        this.buffers = buffers;
    }

    /** Bytes {@link #copyIn} needs from a slicing allocator (each array 64-byte aligned). */
    static long bytesNeeded(Buffers buffers) {
        long bytes = 0;
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            bytes += alignedBytes(buffers.input(i));
        }
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            bytes += alignedBytes(buffers.output(i));
        }
        return bytes;
    }

    private static long alignedBytes(Object array) {
        long length = switch (array) {
            case null -> 0;
            case Buffers.SegmentInput ignored -> 0; // passed as it is
            case long[] a -> Math.max(1, a.length);
            case double[] a -> Math.max(1, a.length);
            default -> throw new IllegalStateException("buffer is neither long[] nor double[]");
        };
        return length == 0 ? 0 : (length * 8 + 63) / 64 * 64;
    }

    /** Copies the inputs into memory from {@code arena} and allocates the outputs there. */
    static NativeBuffers copyIn(Buffers buffers, SegmentAllocator arena) {
        NativeBuffers nb = new NativeBuffers(buffers);
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            nb.in[i] = switch (buffers.input(i)) {
                case null -> null;
                case Buffers.SegmentInput s -> s.segment;
                case long[] a -> copy(arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, a.length)), a);
                case double[] a -> copy(arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, a.length)), a);
                default -> throw new IllegalStateException("input " + i + " is neither long[] nor double[]");
            };
        }
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            nb.out[i] = switch (buffers.output(i)) {
                case null -> null;
                case long[] a -> arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, a.length));
                case double[] a -> arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, a.length));
                default -> throw new IllegalStateException("output " + i + " is neither long[] nor double[]");
            };
        }
        return nb;
    }

    private static MemorySegment copy(MemorySegment to, long[] from) {
        MemorySegment.copy(from, 0, to, ValueLayout.JAVA_LONG, 0, from.length);
        return to;
    }

    private static MemorySegment copy(MemorySegment to, double[] from) {
        MemorySegment.copy(from, 0, to, ValueLayout.JAVA_DOUBLE, 0, from.length);
        return to;
    }

    /** The {@code pc_args} struct for these buffers, allocated in {@code arena}. */
    MemorySegment args(Arena arena) {
        long[] iparam = new long[Buffers.MAX_PARAMS];
        double[] dparam = new double[Buffers.MAX_PARAMS];
        for (int i = 0; i < Buffers.MAX_PARAMS; i++) {
            iparam[i] = buffers.iparam(i);
            dparam[i] = buffers.dparam(i);
        }
        return Native.args(arena, in, out, iparam, dparam);
    }

    /** Copies the native outputs back into the Java arrays of the buffers. */
    void copyOut() {
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            switch (buffers.output(i)) {
                case null -> { }
                case long[] a -> MemorySegment.copy(out[i], ValueLayout.JAVA_LONG, 0, a, 0, a.length);
                case double[] a -> MemorySegment.copy(out[i], ValueLayout.JAVA_DOUBLE, 0, a, 0, a.length);
                default -> throw new IllegalStateException("output " + i + " is neither long[] nor double[]");
            }
        }
    }

    /** The caller's own segments among the inputs: to keep alive while native code reads them. */
    MemorySegment[] callerSegments() {
        List<MemorySegment> all = new ArrayList<>();
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            if (buffers.input(i) instanceof Buffers.SegmentInput s) {
                all.add(s.segment);
            }
        }
        return all.toArray(MemorySegment[]::new);
    }
}
