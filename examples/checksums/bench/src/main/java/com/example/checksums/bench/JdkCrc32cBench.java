package com.example.checksums.bench;

import com.example.checksums.Chunks;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/** The baseline of {@link Crc32cBench}: the JDK's CRC32C over the same 64 MiB and chunks, a plain loop on one thread. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class JdkCrc32cBench {
    @Param({"65536", "1048576"})
    public int chunk;

    private Chunks problem;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] data = new byte[64 << 20];
        new SplittableRandom(42).nextBytes(data);
        problem = new Chunks(data, chunk);
    }

    @Benchmark
    public int[] jdkLoop() {
        byte[] data = problem.data();
        int[] out = new int[problem.count()];
        CRC32C crc = new CRC32C();
        for (int k = 0, from = 0; k < out.length; k++, from += chunk) {
            crc.reset();
            crc.update(data, from, Math.min(chunk, data.length - from));
            out[k] = (int) crc.getValue();
        }
        return out;
    }
}
