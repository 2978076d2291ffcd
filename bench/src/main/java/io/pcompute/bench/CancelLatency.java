package io.pcompute.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.pcompute.Job;
import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import io.pcompute.NativePool;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Histogram;
import io.pcompute.kernels.Mandelbrot;
import io.pcompute.kernels.Matmul;
import io.pcompute.kernels.Primes;
import io.pcompute.kernels.Reduce;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Cancel-to-idle as a Java user sees it: for every kernel of the catalogue, an adversarial input that would
 * run for seconds to hours is submitted to a {@link NativePool}; after it has run a while (50 ms, 20 ms for
 * the memory-bound kernels, which finish sooner) the time {@link Job#cancel()} takes to return is measured —
 * it returns once the native workers no longer touch the job's memory and the future is complete. Repeated,
 * median and worst reported, verdict against 10 ms. A one-shot latency, so not JMH; and a figure for the
 * report, never a timed unit test. Writes {@code cancel.json} and {@code cancel.md} into the output directory,
 * which {@link Report} includes.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.pcompute.bench.CancelLatency out-dir [repeats] [threads] [command]};
 * {@code -Dcancel.kernels=gcd_brute,matmul} measures only those kernels (to look into one).
 */
public final class CancelLatency {
    /** The target of issue 8: a cancelled job is idle within 10 ms, whatever the kernel and input. */
    static final double TARGET_MS = 10.0;

    /** One adversarial input; {@code problem} builds it from a shared arena (for zero-copy segments). */
    private record Case(String kernel, String input, long sleepMs, Function<Arena, Object> problem) {}

    /** What one case measured; times in ms. Serialised to cancel.json as is. */
    record Row(String kernel, String input, int runs, int finishedBeforeCancel, double medianMs, double worstMs,
               double bestMs, double[] samplesMs, double progressAtCancel, String verdict) {}

    /** The whole measurement, serialised to cancel.json. */
    record Result(String machine, String jdk, String command, int threads, int repeats, String loadBefore,
                  String loadAfter, double targetMs, double firstCancelMs, List<Row> rows) {}

    private CancelLatency() {}

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // coprime pairs just below 65,536: ~6e4 steps per item, the old per-item counter never reached a check
        cases.add(new Case("gcd_brute", "200,000 coprime pairs (60013, 60017)", 50, arena -> new Pairs(
                filled(200_000, 60_013), filled(200_000, 60_017))));
        // one item per worker that takes ~2^62 steps: years without an in-item check
        cases.add(new Case("gcd_brute", "2 pairs (2^62, 2^62 - 1): one endless item per worker", 50,
                arena -> new Pairs(filled(2, 1L << 62), filled(2, (1L << 62) - 1))));
        // full-width pairs: with AVX-512 (~10 ns a pair) 4M pairs near 2^63 finished before the 20 ms cancel
        cases.add(new Case("gcd_fast", "16M full-width random pairs (many tiny items)", 20, arena -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(63);
            long[] a = new long[16_000_000];
            long[] b = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextLong(Long.MAX_VALUE);
                b[i] = r.nextLong(Long.MAX_VALUE);
            }
            return new Pairs(a, b);
        }));
        // before issue 8 this did not stop within 60 s of cancel()
        cases.add(new Case("primes_trial", "[0, 10^10) (many small items)", 50,
                arena -> new Primes.Range(0, 10_000_000_000L)));
        cases.add(new Case("primes_trial", "[2^62 - 2^20, 2^62) (~1 s per prime)", 50,
                arena -> new Primes.Range((1L << 62) - (1L << 20), 1L << 62)));
        cases.add(new Case("primes_sieve", "[10^12 - 2^32, 10^12)", 50,
                arena -> new Primes.Range(1_000_000_000_000L - (1L << 32), 1_000_000_000_000L)));
        cases.add(new Case("primes_sieve", "[0, 10^11)", 50, arena -> new Primes.Range(0, 100_000_000_000L)));
        // before issue 8 this took 45 s to stop
        cases.add(new Case("mandelbrot", "4000x4000 at max_iter 65000, inside the set", 50,
                arena -> new Mandelbrot.Grid(4000, 4000, 65_000, -2.0, -1.5, 3.0 / 4000, 3.0 / 4000)));
        cases.add(new Case("collatz_steps", "16M starts just below 10^9", 50, arena -> {
            long[] x = new long[16_000_000];
            for (int i = 0; i < x.length; i++) {
                x[i] = 1_000_000_000L - i;
            }
            return x;
        }));
        for (String reduce : List.of("reduce_sum", "reduce_sum_neumaier", "reduce_minmax")) {
            cases.add(new Case(reduce, "2^27 doubles (1 GiB) in a native segment", 20,
                    arena -> Reduce.Data.of(values(arena))));
        }
        cases.add(new Case("reduce_dot", "2^27 x 2 doubles (1 GiB twice, one segment) in native memory", 20,
                arena -> {
                    MemorySegment x = values(arena);
                    return Reduce.Data.of(x, x);
                }));
        cases.add(new Case("histogram", "2^26 doubles, 16384 bins", 20, arena -> {
            double[] x = new double[1 << 26];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 1000) / 1000.0;
            }
            return new Histogram.Samples(x, 0, 1, 16_384);
        }));
        cases.add(new Case("matmul", "4096x256 * 256x4096", 50, arena -> matrices(4096, 256, 4096)));
        cases.add(new Case("matmul", "16x2^20 * 2^20x64 (long rows, each streams 512 MiB of B)", 50,
                arena -> matrices(16, 1 << 20, 64)));
        return cases;
    }

    private static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }

    /** 2^27 doubles in a segment of the shared arena, made once and reused by every reduction. */
    private static MemorySegment values;

    private static MemorySegment values(Arena arena) {
        if (values == null) {
            values = arena.allocate(ValueLayout.JAVA_DOUBLE, 1L << 27);
            for (long i = 0; i < 1L << 27; i++) {
                values.setAtIndex(ValueLayout.JAVA_DOUBLE, i, (i % 1000) / 1000.0);
            }
        }
        return values;
    }

    private static Matmul.Matrices matrices(int rows, int inner, int cols) {
        double[] a = new double[rows * inner];
        double[] b = new double[inner * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1.0 / (i + 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = 1.0 / (i + 2);
        }
        return new Matmul.Matrices(rows, inner, cols, a, b);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CancelLatency <output-dir> [repeats (7)] [threads (2)] [command that ran it]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String command = args.length > 3 ? args[3] : "java io.pcompute.bench.CancelLatency " + String.join(" ", args);
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats = " + repeats + ": must be >= 1");
        }
        Files.createDirectories(out);

        Set<String> only = Set.of(System.getProperty("cancel.kernels", "").split(","));
        List<Case> cases = cases().stream()
                .filter(c -> only.equals(Set.of("")) || only.contains(c.kernel())).toList();
        Set<String> covered = new LinkedHashSet<>();
        cases.forEach(c -> covered.add(c.kernel()));
        String loadBefore = loadAverage();
        List<Row> rows = new ArrayList<>();
        double firstCancelMs;
        try (Arena arena = Arena.ofShared(); NativePool pool = NativePool.create(threads)) {
            firstCancelMs = firstCancel(pool);
            System.out.printf(Locale.ROOT, "first cancel in this JVM (class loading, interpreter): %.3f ms%n",
                    firstCancelMs);
            for (Kernel<?, ?> k : Kernels.all()) {
                if (!covered.contains(k.name()) && only.equals(Set.of(""))) {
                    rows.add(new Row(k.name(), "no adversarial input defined in CancelLatency", 0, 0, Double.NaN,
                            Double.NaN, Double.NaN, new double[0], Double.NaN, "not measured"));
                }
            }
            for (Case c : cases) {
                @SuppressWarnings("unchecked")
                Kernel<Object, Object> kernel = (Kernel<Object, Object>) Kernels.byName(c.kernel());
                Object problem = c.problem().apply(arena);
                rows.add(measure(pool, kernel, problem, c, repeats));
                Row row = rows.get(rows.size() - 1);
                System.out.printf(Locale.ROOT, "%-20s %-62s median %7.3f ms  worst %7.3f ms  %s%n", row.kernel(),
                        row.input(), row.medianMs(), row.worstMs(), row.verdict());
            }
        }
        Result result = new Result(Report.machine(), System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"), command, threads, repeats, loadBefore, loadAverage(),
                TARGET_MS, firstCancelMs, rows);
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
        Files.writeString(out.resolve("cancel.json"), gson.toJson(result));
        Files.writeString(out.resolve("cancel.md"), "# Cancel-to-idle\n\n" + markdown(result));
        System.out.println("cancel-to-idle: " + out.resolve("cancel.md"));
    }

    /**
     * Times the JVM's first cancel, which loads and interprets the cancel path, on a job that never ends
     * by itself; reported apart so that it does not stand for the kernel that happens to be measured first.
     */
    private static double firstCancel(NativePool pool) throws InterruptedException {
        Job<long[]> job = pool.submit(Gcd.BRUTE, filled(2, 1L << 62), filled(2, (1L << 62) - 1));
        Thread.sleep(50);
        long t0 = System.nanoTime();
        job.cancel();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static Row measure(NativePool pool, Kernel<Object, Object> kernel, Object problem, Case c, int repeats)
            throws InterruptedException {
        List<Double> samples = new ArrayList<>();
        double progress = 0;
        int early = 0;
        // run -1 is not counted: the first job of its kind loads its own path (zero-copy pinning, buffers)
        for (int run = -1; run < repeats; run++) {
            Job<Object> job = pool.submit(kernel, problem);
            Thread.sleep(c.sleepMs());
            long total = job.total();
            long done = job.done();
            // a cancel that never returns is the defect this measures: say so and stop instead of hanging
            Thread timer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(60_000);
                    System.err.println(c.kernel() + " (" + c.input() + "): cancel() has not returned after 60 s");
                    Runtime.getRuntime().halt(3);
                } catch (InterruptedException e) {
                    // cancel() returned
                }
            });
            long t0 = System.nanoTime();
            boolean cancelled = job.cancel();
            long t1 = System.nanoTime();
            timer.interrupt();
            if (run < 0) {
                continue;
            }
            if (!cancelled) {
                early++; // finished before the cancel: says nothing about the latency
                continue;
            }
            samples.add((t1 - t0) / 1e6);
            progress = Math.max(progress, total == 0 ? 0 : (double) done / total);
        }
        double[] ms = samples.stream().mapToDouble(Double::doubleValue).toArray();
        if (ms.length == 0) {
            return new Row(c.kernel(), c.input(), 0, early, Double.NaN, Double.NaN, Double.NaN, ms, progress,
                    "inconclusive (finished before every cancel)");
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        double worst = sorted[sorted.length - 1];
        return new Row(c.kernel(), c.input(), ms.length, early, median, worst, sorted[0], ms, progress,
                worst <= TARGET_MS ? "met" : median <= TARGET_MS ? "missed (median met)" : "missed");
    }

    /** The section as Markdown, without a title: used by cancel.md and by {@link Report}. */
    static String markdown(Result r) {
        StringBuilder md = new StringBuilder();
        md.append("- Machine: ").append(r.machine()).append("\n");
        md.append("- JDK: ").append(r.jdk()).append("\n");
        md.append("- Command: `").append(r.command()).append("`\n");
        md.append("- Load average (1, 5, 15 min) before: ").append(r.loadBefore()).append("; after: ")
                .append(r.loadAfter()).append("\n\n");
        md.append("Time from `job.cancel()` to its return (the native workers no longer touch the job's memory, "
                        + "the future is complete), on a `NativePool` of ").append(r.threads())
                .append(" workers, after the job ran 20-50 ms; ").append(r.repeats())
                .append(" runs per input after one uncounted run. Target: worst <= ").append(fmt(r.targetMs()))
                .append(" ms. `done()` counts the items of finished tasks, so 0% means no task had finished yet. ")
                .append("On a loaded machine the worst case also measures the scheduler. The JVM's first ")
                .append("cancel (class loading and interpreting the cancel path, measured apart before the table): ")
                .append(fmt(r.firstCancelMs())).append(" ms.\n\n");
        md.append("| kernel | adversarial input | median ms | worst ms | best ms | runs | `done()` at cancel, most | verdict |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            md.append("| ").append(row.kernel()).append(" | ").append(row.input()).append(" | ")
                    .append(fmt(row.medianMs())).append(" | ").append(fmt(row.worstMs())).append(" | ")
                    .append(fmt(row.bestMs())).append(" | ").append(row.runs())
                    .append(row.finishedBeforeCancel() > 0 ? " (+" + row.finishedBeforeCancel() + " finished first)" : "")
                    .append(" | ").append(Double.isNaN(row.progressAtCancel()) ? "-"
                            : String.format(Locale.ROOT, "%.2g%%", 100 * row.progressAtCancel()))
                    .append(" | ").append(row.verdict().startsWith("met") || row.verdict().startsWith("missed")
                            ? "**" + row.verdict() + "**" : row.verdict()).append(" |\n");
        }
        md.append("\n");
        return md.toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.3f", v);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (no /proc/loadavg)";
        }
    }
}
