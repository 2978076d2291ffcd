package com.example.checksums;

import io.pcompute.NativePool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Checksums a file (or 256 MiB of seeded random data) in 1 MiB chunks on native pools of 1, 2 and all
 * threads, checks every run against the JDK's CRC32C, and prints the times. Single wall-clock runs after a
 * warm-up each: a report, not a benchmark (see bench/ for JMH).
 *
 * <pre>java --enable-native-access=io.pcompute -Dpcompute.kernel.path=target/native \
 *     --module-path ... -m com.example.checksums/com.example.checksums.Main [FILE] [--chunk BYTES]</pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws IOException {
        Path file = null;
        int chunk = 1 << 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--chunk") && i + 1 < args.length) {
                chunk = Integer.parseInt(args[++i]);
            } else if (args[i].startsWith("-")) {
                System.err.println("usage: Main [FILE] [--chunk BYTES]");
                System.exit(2);
            } else {
                file = Path.of(args[i]);
            }
        }
        byte[] data;
        String what;
        if (file != null) {
            data = Files.readAllBytes(file);
            what = file.toString();
        } else {
            data = new byte[256 << 20];
            new SplittableRandom(42).nextBytes(data);
            what = "random data (seed 42)";
        }
        Chunks problem = new Chunks(data, chunk);
        System.out.printf("%s: %,d bytes, %,d chunks of %,d bytes; kernel %s from %s%n", what, data.length,
                problem.count(), chunk, ChecksumKernels.CRC32C, ChecksumKernels.LIBRARY);

        for (int i = 0; i < 20; i++) { // warm-up: the JIT compiles CRC32C.update to the crc32 instruction
            ChecksumKernels.CRC32C.reference(new Chunks(new byte[1 << 16], 1 << 12));
        }
        long start = System.nanoTime();
        int[] expected = ChecksumKernels.CRC32C.reference(problem);
        double javaSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  %-22s %8.3f s  %7.0f MB/s%n", "java CRC32C, 1 thread", javaSeconds,
                data.length / javaSeconds / 1e6);

        int all = Runtime.getRuntime().availableProcessors();
        for (int threads : all > 2 ? new int[] {1, 2, all} : all == 2 ? new int[] {1, 2} : new int[] {1}) {
            try (NativePool pool = NativePool.create(threads)) {
                pool.run(ChecksumKernels.CRC32C, new Chunks(new byte[chunk], chunk)); // warm-up
                start = System.nanoTime();
                int[] crcs = pool.run(ChecksumKernels.CRC32C, problem);
                double seconds = (System.nanoTime() - start) / 1e9;
                boolean same = java.util.Arrays.equals(expected, crcs);
                System.out.printf("  %-22s %8.3f s  %7.0f MB/s  %s%n", "native pool, " + threads + " thread"
                        + (threads == 1 ? "" : "s"), seconds, data.length / seconds / 1e6,
                        same ? "matches java.util.zip.CRC32C" : "MISMATCH");
                if (!same) {
                    System.exit(1);
                }
            }
        }
        if (problem.count() > 0) {
            CRC32C first = new CRC32C();
            first.update(data, 0, Math.min(chunk, data.length));
            System.out.printf("first chunk: 0x%08x%n", first.getValue());
        }
    }
}
