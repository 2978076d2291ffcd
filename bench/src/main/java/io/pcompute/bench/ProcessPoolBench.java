package io.pcompute.bench;

import io.pcompute.NativePool;
import io.pcompute.ProcessPool;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The process pool's price per job beside the native pool's: the same gcd_fast call, empty (2 pairs: the
 * hand-off alone: copy into the shared mapping, one RUN/RESULT round trip per task over the pipes, copy
 * back) and small (4,096 pairs), on 1 and 2 workers / threads.
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

    @Setup(Level.Trial)
    public void setUp() {
        nativePool = NativePool.create(workers);
        processPool = ProcessPool.create(workers);
        int n = job.equals("empty") ? 2 : 4096;
        SplittableRandom r = new SplittableRandom(42);
        a = r.longs(n, 1, 1L << 40).toArray();
        b = r.longs(n, 1, 1L << 40).toArray();
        pairs = new Pairs(a, b);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nativePool.close();
        processPool.close();
    }

    @Benchmark
    public long[] nativePool() {
        return nativePool.run(Gcd.FAST, a, b);
    }

    @Benchmark
    public long[] processPool() {
        return processPool.run(Gcd.FAST, pairs);
    }
}
