package io.pcompute.bench;

import io.pcompute.NativePool;
import io.pcompute.ProcessPool;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;
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
 * The process pool's price per job beside the native pool's: the same gcd_fast call, empty (2 pairs: the
 * hand-off alone: copy into the shared mapping, one RUN/RESULT round trip per task over the pipes, copy
 * back) and small (4,096 pairs), on 1 and 2 workers / threads. And what reading inputs in place saves:
 * reduce_sum over 8 MiB of doubles given as a Java array (copied into the shared memory per job) and as a
 * segment allocated from the pool ({@code ProcessPool.allocate}, read by the workers in place).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProcessPoolBench {
    @Param({"1", "2"})
    public int workers;

    @Param({"empty", "small"})
    public String job;

    private NativePool nativePool;
    private ProcessPool processPool;
    private long[] a;
    private long[] b;
    private Pairs pairs;
    private Arena arena;
    private Reduce.Data heapData;
    private Reduce.Data sharedData;

    @Setup(Level.Trial)
    public void setUp() {
        nativePool = NativePool.create(workers);
        processPool = ProcessPool.create(workers);
        int n = job.equals("empty") ? 2 : 4096;
        SplittableRandom r = new SplittableRandom(42);
        a = r.longs(n, 1, 1L << 40).toArray();
        b = r.longs(n, 1, 1L << 40).toArray();
        pairs = new Pairs(a, b);
        double[] xs = r.doubles(1 << 20, -1, 1).toArray();
        heapData = Reduce.Data.of(xs);
        arena = Arena.ofShared();
        MemorySegment shared = processPool.allocate(arena, xs.length * 8L);
        MemorySegment.copy(xs, 0, shared, ValueLayout.JAVA_DOUBLE, 0, xs.length);
        sharedData = Reduce.Data.of(shared);
        if (!processPool.run(Reduce.SUM, heapData).equals(processPool.run(Reduce.SUM, sharedData))) {
            throw new IllegalStateException("reduce_sum in place differs from reduce_sum copied");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nativePool.close();
        processPool.close();
        arena.close();
    }

    @Benchmark
    public long[] nativePool() {
        return nativePool.run(Gcd.FAST, a, b);
    }

    @Benchmark
    public long[] processPool() {
        return processPool.run(Gcd.FAST, pairs);
    }

    /** reduce_sum of 8 MiB given as a Java array: copied into the shared memory per job (run with -p job=empty). */
    @Benchmark
    public double processPoolSumCopied() {
        return processPool.run(Reduce.SUM, heapData);
    }

    /** reduce_sum of the same 8 MiB in a segment of the pool's shared memory, read in place. */
    @Benchmark
    public double processPoolSumInPlace() {
        return processPool.run(Reduce.SUM, sharedData);
    }

    /** The native pool over the same Java array, for scale. */
    @Benchmark
    public double nativePoolSum() {
        return nativePool.run(Reduce.SUM, heapData);
    }
}
