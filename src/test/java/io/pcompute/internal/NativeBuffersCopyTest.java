package io.pcompute.internal;

import io.pcompute.kernel.Buffers.ElementType;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Copies between Java arrays and native memory go in pieces of at most {@link NativeBuffers#COPY_CHUNK_BYTES}:
 * one {@code MemorySegment.copy} of a heap array is one uninterruptible copy during which no safepoint can
 * happen (measured on JDK 25: copying 64 MiB in one piece held thread-dump safepoints up 4.3 ms at the
 * median, 10.9 ms at worst; in 1 MiB pieces 0.17 ms). The piece count is the observable, never a time.
 */
class NativeBuffersCopyTest {
    private static final int DOUBLES_PER_CHUNK = (int) (NativeBuffers.COPY_CHUNK_BYTES / Double.BYTES);

    @Test
    void copyingInAndOutGoesInBoundedPiecesAndKeepsEveryBit() {
        for (int length : new int[] {0, 1, DOUBLES_PER_CHUNK - 1, DOUBLES_PER_CHUNK, DOUBLES_PER_CHUNK + 1,
                5 * DOUBLES_PER_CHUNK / 2}) {
            double[] values = new SplittableRandom(length).doubles(length).toArray();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment native_ = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, length));
                int pieces = NativeBuffers.copyToNative(values, native_, ElementType.DOUBLE, length);
                assertEquals((length + DOUBLES_PER_CHUNK - 1) / DOUBLES_PER_CHUNK, pieces, length + " doubles in");
                assertArrayEquals(values, native_.asSlice(0, length * 8L).toArray(ValueLayout.JAVA_DOUBLE));
                double[] back = new double[length];
                pieces = NativeBuffers.copyToArray(native_, back, ElementType.DOUBLE, length);
                assertEquals((length + DOUBLES_PER_CHUNK - 1) / DOUBLES_PER_CHUNK, pieces, length + " doubles out");
                assertArrayEquals(values, back);
            }
        }
    }

    @Test
    void piecesHoldWholeElementsOfEveryType() {
        byte[] bytes = new byte[(int) NativeBuffers.COPY_CHUNK_BYTES * 2 + 3];
        new SplittableRandom(5).nextBytes(bytes);
        long[] longs = new SplittableRandom(6).longs(DOUBLES_PER_CHUNK + 7).toArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(bytes.length);
            assertEquals(3, NativeBuffers.copyToNative(bytes, b, ElementType.BYTE, bytes.length));
            assertArrayEquals(bytes, b.toArray(ValueLayout.JAVA_BYTE));
            MemorySegment l = arena.allocate(ValueLayout.JAVA_LONG, longs.length);
            assertEquals(2, NativeBuffers.copyToNative(longs, l, ElementType.LONG, longs.length));
            assertArrayEquals(longs, l.toArray(ValueLayout.JAVA_LONG));
        }
    }
}
