package io.pcompute.bench;

import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import io.pcompute.Runner;
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
 * The memory-bound reductions over inputs already in native memory ({@code Reduce.Data.of(MemorySegment)}):
 * native strategies read them in place, so this is what the kernels do at memory speed, without the copy
 * of a Java array that {@link KernelBench} includes. Same sizes as KernelBench's {@code large} (64 MB).
 * The report sets these against {@link StreamBench}'s plain streaming read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SegmentReduceBench {
    @Param({"reduce_sum", "reduce_sum_neumaier", "reduce_dot", "reduce_minmax"})
    public String reduction; // not "kernel": bench/run passes -p kernel=... for KernelBench

    @Param({"native-serial", "native-pool:0"})
    public String runner;

    private Arena arena;
    private Runner opened;
    private Kernel<Object, Object> k;
    private Reduce.Data data;

    @SuppressWarnings("unchecked")
    @Setup(Level.Trial)
    public void setUp() {
        k = (Kernel<Object, Object>) Kernels.byName(reduction);
        arena = Arena.ofShared();
        long bytes = Problems.inputBytes(reduction, "large");
        SplittableRandom r = new SplittableRandom(7);
        if (reduction.equals("reduce_dot")) {
            data = Reduce.Data.of(filled(r, bytes / 16), filled(r, bytes / 16));
        } else {
            data = Reduce.Data.of(filled(r, bytes / 8));
        }
        opened = Runners.open(runner);
        opened.warmUp(k, data);
    }

    private MemorySegment filled(SplittableRandom r, long values) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_DOUBLE, values);
        for (long i = 0; i < values; i++) {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, r.nextDouble(-1, 1));
        }
        return s;
    }

    @Benchmark
    public Object run() {
        return opened.run(k, data);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        opened.close();
        arena.close();
    }
}
