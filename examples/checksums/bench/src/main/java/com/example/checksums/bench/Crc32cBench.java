package com.example.checksums.bench;

import com.example.checksums.ChecksumKernels;
import com.example.checksums.Chunks;
import io.pcompute.Runner;
import io.pcompute.Strategy;
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
 * CRC-32C of 64 MiB in chunks, the same work on every side: the JDK's CRC32C in a plain loop (HotSpot
 * compiles it to the CPU's crc32 instruction), and the example's kernel through pcompute's strategies —
 * java-serial / java-pool run the kernel's Java reference (the JDK CRC32C per chunk), native-serial /
 * native-pool run libchecksums.so's slicing-by-8 C code, which uses no crc32 instruction: the honest
 * expectation is that the JDK wins per core. Native strategies pay a copy of the byte[] into native memory
 * per call, as an application passing a byte[] does. The baseline is {@link JdkCrc32cBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class Crc32cBench {
    private static final int BYTES = 64 << 20;

    /** A strategy, and for the parallel ones a thread count. */
    @Param({"java-serial", "java-pool:1", "java-pool:2", "native-serial", "native-pool:1", "native-pool:2"})
    public String runnerSpec;

    @Param({"65536", "1048576"})
    public int chunk;

    private Chunks problem;
    private Runner runner;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] data = new byte[BYTES];
        new SplittableRandom(42).nextBytes(data);
        problem = new Chunks(data, chunk);
        String[] spec = runnerSpec.split(":");
        runner = Strategy.fromLabel(spec[0]).open(spec.length > 1 ? Integer.parseInt(spec[1]) : 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runner.close();
    }

    /** 64 MiB through the strategy: operations per second x 64 MiB = bytes per second. */
    @Benchmark
    public int[] kernel() {
        return runner.run(ChecksumKernels.CRC32C, problem);
    }
}
