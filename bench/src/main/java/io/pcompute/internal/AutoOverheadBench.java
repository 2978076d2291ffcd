package io.pcompute.internal;

import io.pcompute.ProgressListener;
import io.pcompute.Strategy;
import io.pcompute.kernels.Reduce;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Where a settled AUTO call's time goes, on the smallest problem of the suite ({@code reduce_sum}, 512
 * doubles): the whole AUTO call beside its delegate, and the parts of AUTO's own work measured alone. It
 * lives in {@code io.pcompute.internal} (on the benchmark's class path) to reach the package-private parts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AutoOverheadBench {
    private final Reduce.Data problem = Reduce.Data.of(new SplittableRandom(42).doubles(512, -1, 1).toArray());
    private AutoRunner auto;
    private Runners.JavaSerial javaSerial;
    private AutoRunner.Trials settled;

    @Setup(Level.Trial)
    public void setUp() {
        auto = new AutoRunner(2);
        auto.warmUp(Reduce.SUM, problem);
        javaSerial = new Runners.JavaSerial();
        javaSerial.run(Reduce.SUM, problem);
        settled = new AutoRunner.Trials();
        for (Strategy s; (s = settled.take(2)) != null; ) {
            settled.record(s, s == Strategy.JAVA_SERIAL ? 100 : 30_000);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println(auto); // which runner AUTO used, in the log
        auto.close();
        javaSerial.close();
    }

    /** The whole settled AUTO call. */
    @Benchmark
    public Object autoRun() {
        return auto.run(Reduce.SUM, problem);
    }

    /** The delegate AUTO settles on here, called as an application would. */
    @Benchmark
    public Object javaSerialRun() {
        return javaSerial.run(Reduce.SUM, problem);
    }

    /** The delegate as AUTO calls it: no second validation. */
    @Benchmark
    public Object javaSerialRunValidated() {
        return javaSerial.runValidated(Reduce.SUM, problem, ProgressListener.NONE);
    }

    /** The problem's validation, which AUTO does once per call. */
    @Benchmark
    public Reduce.Data validate() {
        Reduce.SUM.validate(problem);
        return problem;
    }

    /** A settled group's per-call bookkeeping: count the call, decide whether to time a candidate. */
    @Benchmark
    public Strategy settledTake() {
        Strategy s = settled.take(2);
        if (s != null) { // a re-timing burst, at the 64th, 128th, ... call
            settled.record(s, s == Strategy.JAVA_SERIAL ? 100 : 30_000);
        }
        return s;
    }

    /** Finding the size group: the kernel map, the item count, the group array. */
    @Benchmark
    public AutoRunner.Trials group() {
        return auto.trialsFor(Reduce.SUM, problem);
    }

    /** Finding the size group (kernel map, item count) and asking whether it has settled. */
    @Benchmark
    public Strategy chosen() {
        return auto.chosen(Reduce.SUM, 512);
    }
}
