package io.pcompute.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The cost of crossing into C with nothing to do: FFM, FFM critical, and JNI, to the same empty function. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BoundaryBench {
    @Benchmark
    public int emptyFfm() throws Throwable {
        return (int) Shim.NOOP.invokeExact();
    }

    @Benchmark
    public int emptyFfmCritical() throws Throwable {
        return (int) Shim.NOOP_CRITICAL.invokeExact();
    }

    @Benchmark
    public int emptyJni() {
        return JniShim.noop();
    }
}
