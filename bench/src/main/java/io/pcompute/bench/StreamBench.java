package io.pcompute.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The machine's read bandwidth: every core streams 64 MB of doubles (its own, or its share of one shared
 * buffer) through a plain C loop. The report divides bytes by time to compare memory-bound reductions with it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StreamBench {
    static final long VALUES = 8_388_608; // 64 MB per thread

    /** 64 MB of doubles in native memory. */
    public abstract static class Buffer {
        Arena arena;
        MemorySegment data;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            data = arena.allocate(ValueLayout.JAVA_DOUBLE, VALUES);
            for (long i = 0; i < VALUES; i++) {
                data.setAtIndex(ValueLayout.JAVA_DOUBLE, i, i * 0.5);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** A buffer per thread. */
    @State(Scope.Thread)
    public static class Own extends Buffer {
    }

    /** One buffer for all threads, each reading its own share: the shape of a pooled reduction. */
    @State(Scope.Benchmark)
    public static class Shared extends Buffer {
    }

    /** Every core reads its own 64 MB. */
    @Benchmark
    @Threads(Threads.MAX)
    public double streamingRead(Own own) throws Throwable {
        return (double) Shim.STREAM_READ.invokeExact(own.data, VALUES);
    }

    /** Every core reads its share of one shared 64 MB buffer (report: 64 MB per op time). */
    @Benchmark
    @Threads(Threads.MAX)
    public double streamingReadShared(Shared shared, ThreadParams thread) throws Throwable {
        long share = VALUES / thread.getThreadCount();
        MemorySegment mine = shared.data.asSlice(thread.getThreadIndex() * share * Double.BYTES, share * Double.BYTES);
        return (double) Shim.STREAM_READ.invokeExact(mine, share);
    }
}
