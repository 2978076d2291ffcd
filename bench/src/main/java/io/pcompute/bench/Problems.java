package io.pcompute.bench;

import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Histogram;
import io.pcompute.kernels.Mandelbrot;
import io.pcompute.kernels.Matmul;
import io.pcompute.kernels.Primes;
import io.pcompute.kernels.Reduce;

import java.util.SplittableRandom;

/**
 * Benchmark inputs per kernel and size: {@code small} (a few KB), {@code l2} (about 1 MB of data, or work
 * of that order for compute-bound kernels) and {@code large} (64 MB, beyond the last-level cache).
 */
final class Problems {
    private Problems() {}

    private static int pick(String size, int small, int l2, int large) {
        return switch (size) {
            case "small" -> small;
            case "l2" -> l2;
            case "large" -> large;
            default -> throw new IllegalArgumentException("size = '" + size + "': must be small, l2 or large");
        };
    }

    static Object of(String kernel, String size) {
        SplittableRandom r = new SplittableRandom(42);
        return switch (kernel) {
            case "gcd_brute" -> {
                int n = pick(size, 16, 1024, 8192);
                yield new Pairs(r.longs(n, 1, 20_000).toArray(), r.longs(n, 1, 20_000).toArray());
            }
            case "gcd_fast" -> {
                int n = pick(size, 256, 65_536, 4_194_304);
                yield new Pairs(r.longs(n, 0, Long.MAX_VALUE).toArray(), r.longs(n, 0, Long.MAX_VALUE).toArray());
            }
            case "primes_trial" -> new Primes.Range(1_000_000, 1_000_000 + pick(size, 1_000, 100_000, 2_000_000));
            case "primes_sieve" -> new Primes.Range(1_000_000, 1_000_000 + pick(size, 10_000, 1_000_000, 200_000_000));
            case "mandelbrot" -> {
                int side = pick(size, 16, 256, 1024);
                yield new Mandelbrot.Grid(side, side, 256, -2.2, -1.2, 3.2 / side, 2.4 / side);
            }
            case "reduce_sum", "reduce_sum_neumaier", "reduce_minmax" ->
                    Reduce.Data.of(r.doubles(pick(size, 512, 131_072, 8_388_608), -1, 1).toArray());
            case "reduce_dot" -> {
                int n = pick(size, 256, 65_536, 4_194_304);
                yield new Reduce.Data(r.doubles(n, -1, 1).toArray(), r.doubles(n, -1, 1).toArray());
            }
            case "matmul" -> {
                int n = pick(size, 16, 180, 768); // 3 matrices: 6 KB, 760 KB, 13.5 MB
                yield new Matmul.Matrices(n, n, n, r.doubles((long) n * n, -1, 1).toArray(),
                        r.doubles((long) n * n, -1, 1).toArray());
            }
            case "histogram" -> new Histogram.Samples(r.doubles(pick(size, 512, 131_072, 8_388_608), -1, 1).toArray(),
                    -1, 1, 256);
            case "collatz_steps" -> r.longs(pick(size, 512, 131_072, 4_194_304), 1, 1_000_000_000L).toArray();
            default -> generated(kernel, pick(size, 512, 131_072, 8_388_608));
        };
    }

    /**
     * A kernel without a hand-picked input here (a newly ported one) is benchmarked on its own generated
     * problems, grown until they have about {@code targetItems} items.
     */
    private static Object generated(String name, long targetItems) {
        @SuppressWarnings("unchecked")
        Kernel<Object, Object> kernel = (Kernel<Object, Object>) Kernels.byName(name);
        SplittableRandom random = new SplittableRandom(42);
        Object best = kernel.random(random, 1);
        for (int size = 1; size < 1 << 24 && kernel.items(best) < targetItems; size *= 2) {
            Object candidate = kernel.random(random, size);
            if (kernel.items(candidate) > kernel.items(best)) {
                best = candidate;
            }
        }
        return best;
    }

    /** The bytes of input a problem streams through, for bandwidth figures (0 when compute-bound). */
    static long inputBytes(String kernel, String size) {
        return switch (kernel) {
            case "reduce_sum", "reduce_sum_neumaier", "reduce_minmax", "histogram" -> 8L * pick(size, 512, 131_072, 8_388_608);
            case "reduce_dot" -> 16L * pick(size, 256, 65_536, 4_194_304);
            default -> 0;
        };
    }
}
