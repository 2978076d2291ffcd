package io.pcompute.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Handing an array of int64 to a C function that reads it all: a heap array zero-copy through a critical
 * handle, the same array copied into a long-lived off-heap segment first, and an off-heap segment directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ArrayPassingBench {
    @Param({"1024", "65536", "1048576", "16777216"})
    public int bytes;

    private long[] heap;
    private Arena arena;
    private MemorySegment offHeap;

    @Setup(Level.Trial)
    public void setUp() {
        heap = new java.util.SplittableRandom(1).longs(bytes / 8).toArray();
        arena = Arena.ofShared();
        offHeap = arena.allocateFrom(ValueLayout.JAVA_LONG, heap);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long heapArrayCritical() throws Throwable {
        return (long) Shim.SUM_CRITICAL_HEAP.invokeExact(MemorySegment.ofArray(heap), (long) heap.length);
    }

    @Benchmark
    public long heapArrayCopiedOffHeap() throws Throwable {
        MemorySegment.copy(heap, 0, offHeap, ValueLayout.JAVA_LONG, 0, heap.length);
        return (long) Shim.SUM.invokeExact(offHeap, (long) heap.length);
    }

    @Benchmark
    public long offHeapDirect() throws Throwable {
        return (long) Shim.SUM.invokeExact(offHeap, (long) heap.length);
    }
}
