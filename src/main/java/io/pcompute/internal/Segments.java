package io.pcompute.internal;

import io.pcompute.kernel.PairKernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/** Checks of caller-provided segments, with messages that name the argument and what was expected. */
public final class Segments {
    private Segments() {}

    /**
     * Validates the int64 segments of a pair kernel and returns the number of pairs,
     * {@code a.byteSize() / 8}. {@code b} and {@code out} must hold at least as many values.
     *
     * @param accessor the thread that will pass the segments to native code
     */
    public static long checkPairs(MemorySegment a, MemorySegment b, MemorySegment out, Thread accessor) {
        check(a, "a", accessor);
        check(b, "b", accessor);
        check(out, "out", accessor);
        long n = a.byteSize() / Long.BYTES;
        requireCapacity(b, "b", n);
        requireCapacity(out, "out", n);
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out is read-only: results cannot be written to it");
        }
        requireNoPartialOverlap(out, a, "a", n);
        requireNoPartialOverlap(out, b, "b", n);
        return n;
    }

    /** As the pair checks: alive, native, whole 8-byte values, aligned, accessible by {@code accessor}. */
    public static void check(MemorySegment segment, String name, Thread accessor) {
        check(segment, name, accessor, Long.BYTES);
    }

    /** Alive, native, whole {@code size}-byte values, aligned to {@code size}, accessible by {@code accessor}. */
    public static void check(MemorySegment segment, String name, Thread accessor, long size) {
        Objects.requireNonNull(segment, name + " must not be null");
        if (!segment.scope().isAlive()) {
            throw new IllegalArgumentException(name + ": its arena is already closed");
        }
        if (!segment.isNative()) {
            throw new IllegalArgumentException(name + " is a heap segment: native workers need native "
                    + "memory (allocate it from an Arena, or pass Java arrays to have them copied)");
        }
        if (segment.byteSize() % size != 0) {
            throw new IllegalArgumentException(name + ".byteSize() = " + segment.byteSize() + ": must be a multiple of "
                    + size + " (" + size + "-byte values)");
        }
        if (segment.address() % size != 0) {
            throw new IllegalArgumentException(String.format(
                    "%s.address() = 0x%x: must be %d-byte aligned for %d-byte values", name, segment.address(), size, size));
        }
        if (!segment.isAccessibleBy(accessor)) {
            throw new IllegalArgumentException(name + " is confined to another thread: an asynchronous job "
                    + "needs segments of a shared, global or automatic arena (or call run() from the owner thread)");
        }
    }

    private static void requireCapacity(MemorySegment segment, String name, long n) {
        if (segment.byteSize() / Long.BYTES < n) {
            throw new IllegalArgumentException(name + " holds " + segment.byteSize() / Long.BYTES
                    + " int64 values: must hold at least a's " + n);
        }
    }

    /** The output may be the very same memory as an input (element-wise kernels), but not shifted. */
    private static void requireNoPartialOverlap(MemorySegment out, MemorySegment in, String name, long n) {
        long outStart = out.address();
        long inStart = in.address();
        long bytes = n * Long.BYTES;
        boolean overlaps = outStart < inStart + bytes && inStart < outStart + bytes;
        if (overlaps && outStart != inStart) {
            throw new IllegalArgumentException("out overlaps " + name + " at a different offset ("
                    + (outStart - inStart) + " bytes): use separate memory or exactly the same memory");
        }
    }

    /** The exception for the first invalid pair the C library found, naming the element and value. */
    public static IllegalArgumentException badInput(PairKernel kernel, MemorySegment a, MemorySegment b, long index) {
        try {
            kernel.checkInput("a", index, a.getAtIndex(ValueLayout.JAVA_LONG, index));
            kernel.checkInput("b", index, b.getAtIndex(ValueLayout.JAVA_LONG, index));
        } catch (IllegalArgumentException e) {
            return e;
        }
        return new IllegalArgumentException("pair " + index + ": rejected by the native " + kernel + " kernel");
    }
}
