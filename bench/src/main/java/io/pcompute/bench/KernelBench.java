package io.pcompute.bench;

import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import io.pcompute.Runner;
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

import java.util.concurrent.TimeUnit;

/**
 * Every kernel at three sizes through every strategy and thread count (and AUTO). bench/run passes the
 * registry's kernel list with -p kernel=..., so a newly ported kernel is benchmarked without editing this.
 * AUTO is measured after {@link Runner#warmUp}: in steady state, not while it is still timing candidates.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBench {
    @Param({"gcd_brute", "gcd_fast", "primes_trial", "primes_sieve", "mandelbrot", "reduce_sum",
            "reduce_sum_neumaier", "reduce_dot", "reduce_minmax", "matmul", "histogram", "collatz_steps"})
    public String kernel;

    @Param({"small", "l2", "large"})
    public String size;

    @Param({"java-serial", "java-pool:1", "java-pool:2", "java-pool:0", "native-serial", "native-pool:1",
            "native-pool:2", "native-pool:0", "auto"})
    public String runner;

    private Runner opened;
    private Kernel<Object, Object> k;
    private Object problem;

    @SuppressWarnings("unchecked")
    @Setup(Level.Trial)
    public void setUp() {
        k = (Kernel<Object, Object>) Kernels.byName(kernel);
        problem = Problems.of(kernel, size);
        opened = Runners.open(runner);
        // AUTO times its candidates on the first calls per size group; measure it in steady state, as an
        // application that calls it repeatedly sees it (Runner.warmUp documents the cost of getting there)
        opened.warmUp(k, problem);
    }

    @Benchmark
    public Object run() {
        return opened.run(k, problem);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (opened.strategy() == io.pcompute.Strategy.AUTO) { // which runner it used, in jmh.log
            System.out.println(opened);
        }
        opened.close();
    }
}
