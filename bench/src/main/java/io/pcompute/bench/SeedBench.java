package io.pcompute.bench;

import io.pcompute.kernel.Pairs;
import io.pcompute.Runner;
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

/** The origin workload: brute-force gcd over the ten seed pairs, and a scaled workload (values up to 10^7). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class SeedBench {
    static final long[] SEED_A = {1963309, 2030677, 1551645, 2039045, 1823712, 2293129, 1281238, 3823812, 3812741, 1292391};
    static final long[] SEED_B = {2265973, 3814172, 2229620, 2020802, 1924928, 1020491, 2273782, 4237281, 4729139, 2123811};

    @Param({"seed10", "scaled100"})
    public String workload;

    @Param({"java-serial", "java-pool:0", "native-serial", "native-pool:0", "native-process:0", "auto"})
    public String runner;

    private Runner opened;
    private long[] a;
    private long[] b;

    @Setup(Level.Trial)
    public void setUp() {
        opened = Runners.open(runner);
        long[][] pairs = inputs(workload);
        a = pairs[0];
        b = pairs[1];
        opened.warmUp(Gcd.BRUTE, new Pairs(a, b)); // AUTO: time its candidates before JMH measures it
    }

    /** The workload's a and b ({@link VectorBench} times its twin on the same pairs). */
    static long[][] inputs(String workload) {
        return switch (workload) {
            case "seed10" -> new long[][] {SEED_A, SEED_B};
            case "scaled100" -> {
                SplittableRandom r = new SplittableRandom(42);
                yield new long[][] {r.longs(100, 1, 10_000_001).toArray(), r.longs(100, 1, 10_000_001).toArray()};
            }
            default -> throw new IllegalArgumentException("workload = '" + workload + "': must be seed10 or scaled100");
        };
    }

    @Benchmark
    public long[] gcdBrute() {
        return opened.apply(Gcd.BRUTE, a, b);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        opened.close();
    }
}
