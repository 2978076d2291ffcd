package io.pcompute.bench;

import io.pcompute.Kernels;
import io.pcompute.Runner;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernels.Reduce;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The four reductions over Java arrays (heap) against the same values in native segments and against a plain C
 * streaming read of the same bytes on one thread, at sizes below the zero-copy bound (4 MiB of input: the
 * arrays go through a critical downcall, read in place) and above it (copied into native memory first). The
 * report turns times into GB/s of input and gives heap / streaming-read and heap / segment ratios. The
 * safepoint stall of the critical calls is measured apart, by {@link SafepointStall}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HeapReduceBench {
    /** One reduction over heap arrays or native segments of {@code bytes} of input. */
    @State(Scope.Benchmark)
    public static class Reduction {
        @Param({"reduce_sum", "reduce_sum_neumaier", "reduce_dot", "reduce_minmax"})
        public String reduction; // not "kernel": bench/run passes -p kernel=... for KernelBench

        /* bytes of input: 1 MiB and 4 MiB (at the bound) take the zero-copy path; 8 and 64 MiB copy */
        @Param({"1048576", "4194304", "8388608", "67108864"})
        public long bytes;

        @Param({"native-serial", "native-pool:0"})
        public String runner;

        @Param({"heap", "segment"})
        public String input;

        Kernel<Object, Object> kernel;
        Reduce.Data data;
        Runner opened;
        private Arena arena;

        @SuppressWarnings("unchecked")
        @Setup(Level.Trial)
        public void setUp() {
            kernel = (Kernel<Object, Object>) Kernels.byName(reduction);
            boolean dot = reduction.equals("reduce_dot");
            int values = (int) (dot ? bytes / 16 : bytes / 8);
            SplittableRandom r = new SplittableRandom(7);
            double[] x = r.doubles(values, -1, 1).toArray();
            double[] y = dot ? r.doubles(values, -1, 1).toArray() : null;
            if (input.equals("heap")) {
                data = new Reduce.Data(x, y);
            } else {
                arena = Arena.ofShared();
                MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, x);
                data = dot ? Reduce.Data.of(xs, arena.allocateFrom(ValueLayout.JAVA_DOUBLE, y)) : Reduce.Data.of(xs);
            }
            opened = Runners.open(runner);
            opened.warmUp(kernel, data);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            opened.close();
            if (arena != null) {
                arena.close();
            }
        }
    }

    /** The same bytes in a native segment, for the plain C read. */
    @State(Scope.Benchmark)
    public static class Stream {
        @Param({"1048576", "4194304", "8388608", "67108864"})
        public long bytes;

        MemorySegment data;
        long values;
        private Arena arena;

        @Setup(Level.Trial)
        public void setUp() {
            values = bytes / 8;
            arena = Arena.ofShared();
            data = arena.allocate(ValueLayout.JAVA_DOUBLE, values);
            for (long i = 0; i < values; i++) {
                data.setAtIndex(ValueLayout.JAVA_DOUBLE, i, i * 0.5);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public Object reduce(Reduction s) {
        return s.opened.run(s.kernel, s.data);
    }

    /** A plain C loop (16 lanes of additions) over the same bytes on one thread: the yardstick. */
    @Benchmark
    public double streamingRead(Stream s) throws Throwable {
        return (double) Shim.STREAM_READ.invokeExact(s.data, s.values);
    }
}
