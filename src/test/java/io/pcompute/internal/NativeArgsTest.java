package io.pcompute.internal;

import io.pcompute.NativeException;
import io.pcompute.internal.ffi.pcompute_h;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Native.args hands the C side each segment's byte size as its buffer length (kernel ABI 2). */
class NativeArgsTest {
    private static final MemorySegment GCD_FAST = Native.kernelDef(pcompute_h.PC_KERNEL_GCD_FAST());

    @Test
    void argsCarrySegmentLengthsSoAValidCallRuns() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_LONG, 12, 30, 7);
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_LONG, 18, 45, 0);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 3);
            MemorySegment args = Native.args(arena, new MemorySegment[] {a, b}, new MemorySegment[] {out},
                    new long[4], new double[4]);
            long[] bad = {-1};
            assertEquals(Native.PC_OK, Native.run(GCD_FAST, args, 3, bad, new MemorySegment[] {a, b, out}));
            assertArrayEquals(new long[] {6, 15, 7}, out.toArray(ValueLayout.JAVA_LONG));
        }
    }

    @Test
    void aShortOutputSegmentIsRefusedNamingItsSlot() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_LONG, 12, 30, 7);
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_LONG, 18, 45, 1);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 2); // one item short
            MemorySegment args = Native.args(arena, new MemorySegment[] {a, b}, new MemorySegment[] {out},
                    new long[4], new double[4]);
            NativeException e = assertThrows(NativeException.class,
                    () -> Native.run(GCD_FAST, args, 3, new long[1], new MemorySegment[] {a, b, out}));
            assertEquals(Native.PC_ERR_BUFFER_SIZE, e.status());
            assertTrue(e.getMessage().contains("out[0]"), e.getMessage());

            MemorySegment shortB = b.asSlice(0, 16);
            MemorySegment args2 = Native.args(arena, new MemorySegment[] {a, shortB},
                    new MemorySegment[] {arena.allocate(ValueLayout.JAVA_LONG, 3)}, new long[4], new double[4]);
            NativeException e2 = assertThrows(NativeException.class,
                    () -> Native.run(GCD_FAST, args2, 3, new long[1], new MemorySegment[] {a, shortB}));
            assertTrue(e2.getMessage().contains("in[1]"), e2.getMessage());
        }
    }
}
