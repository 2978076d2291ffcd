package io.pcompute.bench;

import io.pcompute.NativePool;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Jobs per second for jobs with (almost) nothing to do: submit, the workers finish, the caller sees it.
 * The native pool through pcompute's public API versus a Java ThreadPoolExecutor of as many threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HandoffBench {
    @Param({"1", "2"})
    public int threads;

    private NativePool pool;
    private ExecutorService executor;
    private List<Callable<Long>> emptyTasks;
    private final long[] a = {12, 18};
    private final long[] b = {8, 27};

    @Setup(Level.Trial)
    public void setUp() {
        pool = NativePool.create(threads);
        executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        emptyTasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            emptyTasks.add(() -> 0L);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        executor.shutdownNow();
    }

    @Benchmark
    public long[] nativePoolEmptyJob() {
        return pool.run(Gcd.FAST, a, b);
    }

    @Benchmark
    public Object javaExecutorEmptyJob() throws Exception {
        return executor.invokeAll(emptyTasks);
    }

    /** Many Java threads submitting small jobs to one native pool at once. */
    @Benchmark
    @Threads(8)
    public long[] nativePoolManySubmitters() {
        return pool.submit(Gcd.FAST, a, b).join();
    }
}
