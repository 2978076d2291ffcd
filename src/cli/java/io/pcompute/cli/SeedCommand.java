package io.pcompute.cli;

import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.PairKernel;
import io.pcompute.kernels.Gcd;
import io.pcompute.ProgressListener;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.Console;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The seed experiment: the origin's ten gcd pairs and a scaled, seeded random workload through every
 * strategy, each result checked against the Java reference, reported as a table.
 */
@Command(name = "seed", mixinStandardHelpOptions = true,
        description = {"Runs the seed experiment: brute-force gcd over the origin's ten pairs and over a scaled "
                + "random workload, through each strategy; checks every result against the Java reference "
                + "and prints wall time and speedup over Java serial.",
                "Exit status 0 when every result matches, 1 on a mismatch, 2 on a bad option."})
final class SeedCommand implements Callable<Integer> {
    /** The ten pairs of the original experiment. */
    static final long[][] SEED_PAIRS = {
            {1963309, 2265973}, {2030677, 3814172}, {1551645, 2229620}, {2039045, 2020802}, {1823712, 1924928},
            {2293129, 1020491}, {1281238, 2273782}, {3823812, 4237281}, {3812741, 4729139}, {1292391, 2123811}};

    enum ProgressMode { auto, always, never }

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "2000",
            description = "Pairs in the scaled workload (0 skips it). Default: ${DEFAULT-VALUE}.")
    long pairs;

    @Option(names = "--max-value", paramLabel = "V", defaultValue = "10000000",
            description = "Scaled values are drawn uniformly from [1, V]. Default: ${DEFAULT-VALUE}.")
    long maxValue;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0",
            description = "Threads of the parallel strategies; 0 = all cores. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--strategies", paramLabel = "S", split = ",",
            defaultValue = "java-serial,java-pool,native-serial,native-pool,native-process",
            description = "Comma-separated subset of java-serial, java-pool, native-serial, native-pool, native-process, "
                    + "auto. "
                    + "Default: all.")
    List<String> strategyNames;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Random seed of the scaled workload. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "gcd-brute",
            description = "gcd-brute (the origin workload), gcd-fast, or any other registered kernel (an application's "
                    + "too: see --kernels), which runs on its own generated problem of about --items items. "
                    + "Default: ${DEFAULT-VALUE}.")
    String kernelName;

    @Option(names = "--kernels", paramLabel = "CLASS", split = ",",
            description = "Application kernel class(es) to load (as for validate --kernels).")
    List<String> kernelClasses = List.of();

    @Option(names = "--items", paramLabel = "N", defaultValue = "1000000",
            description = "For kernels other than gcd: about how many items the generated problem has. "
                    + "Default: ${DEFAULT-VALUE}.")
    long items;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "Progress bars for the scaled workload: auto (when on a terminal), always, never.")
    ProgressMode progress;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        if (pairs < 0 || pairs > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--pairs = " + pairs + ": must be between 0 and " + (Integer.MAX_VALUE - 8));
        }
        if (maxValue < 1) {
            throw new IllegalArgumentException("--max-value = " + maxValue + ": must be at least 1");
        }
        List<Strategy> strategies = strategyNames.stream().map(String::trim).map(Strategy::fromLabel).distinct().toList();
        PairKernel kernel = switch (kernelName.toLowerCase(java.util.Locale.ROOT)) {
            case "gcd-brute", "gcd_brute" -> Gcd.BRUTE;
            case "gcd-fast", "gcd_fast" -> Gcd.FAST;
            default -> null;
        };
        if (kernel == null) {
            return runGenerated(ValidateCommand.resolve(kernelClasses, List.of(kernelName)).get(0), strategies);
        }

        out.println("pcompute seed experiment, kernel " + kernel);
        out.println("machine: " + Machine.describe());
        out.println("(wall-clock times of single runs after a one-pair warm-up call, JIT warm-up included; JMH benchmarks live in bench/)");
        boolean allMatch;
        Map<Strategy, Runner> runners = new EnumMap<>(Strategy.class);
        try {
            for (Strategy s : strategies) {
                Runner runner = s.open(threads);
                runners.put(s, runner);
                // one-time costs (class loading, downcall linking) stay out of the timed runs; JIT warm-up does not
                runner.apply(kernel, new long[] {12}, new long[] {18});
            }
            long[] sa = Arrays.stream(SEED_PAIRS).mapToLong(p -> p[0]).toArray();
            long[] sb = Arrays.stream(SEED_PAIRS).mapToLong(p -> p[1]).toArray();
            allMatch = runWorkload("seed pairs: the origin's 10 pairs", kernel, sa, sb, runners, false);
            if (pairs > 0) {
                SplittableRandom random = new SplittableRandom(seed);
                long[] ra = random.longs(pairs, 1, maxValue + 1).toArray();
                long[] rb = random.longs(pairs, 1, maxValue + 1).toArray();
                String title = "scaled: " + pairs + " random pairs in [1, " + maxValue + "], seed " + seed;
                allMatch &= runWorkload(title, kernel, ra, rb, runners, showProgress());
            }
        } finally {
            runners.values().forEach(Runner::close);
        }
        out.println(allMatch ? "All results match the Java reference." : "MISMATCH: see the table above.");
        return allMatch ? 0 : 1;
    }

    /** Any kernel on its own generated problem (grown to about --items items), every strategy against its reference. */
    private <P, R> int runGenerated(Kernel<P, R> kernel, List<Strategy> strategies) {
        if (items < 1) {
            throw new IllegalArgumentException("--items = " + items + ": must be at least 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        P problem = kernel.random(random, 1);
        for (int size = 2; size < 1 << 26 && kernel.items(problem) < items; size *= 2) {
            P candidate = kernel.random(random, size);
            if (kernel.items(candidate) > kernel.items(problem)) {
                problem = candidate;
            }
        }
        out.println("pcompute seed experiment, kernel " + kernel + (kernel.nativeKernel() != null
                ? " (" + kernel.nativeKernel() + ")" : ""));
        out.println("machine: " + Machine.describe());
        out.println("(wall-clock times of single runs after one warm-up call each, JIT warm-up included; JMH benchmarks live in bench/)");
        out.println();
        out.println("generated problem, seed " + seed + ": " + kernel.items(problem) + " items");
        R reference = kernel.reference(problem);
        out.printf("  %-14s %7s %12s %16s  %s%n", "strategy", "threads", "wall time", "vs java-serial", "match");
        boolean allMatch = true;
        Double javaSerial = null;
        for (Strategy s : strategies) {
            try (Runner runner = s.open(threads)) {
                runner.run(kernel, problem);
                long start = System.nanoTime();
                R result = runner.run(kernel, problem);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (s == Strategy.JAVA_SERIAL) {
                    javaSerial = seconds;
                }
                String difference = kernel.difference(reference, result);
                allMatch &= difference == null;
                out.printf("  %-14s %7d %10.3f s %16s  %s%n", s.label(), runner.threads(), seconds,
                        javaSerial == null ? "-" : String.format("%.2fx", javaSerial / seconds),
                        difference == null ? "yes" : "NO: " + difference);
            }
        }
        out.println(allMatch ? "All results match the Java reference." : "MISMATCH: see the table above.");
        return allMatch ? 0 : 1;
    }

    private boolean showProgress() {
        return switch (progress) {
            case always -> true;
            case never -> false;
            case auto -> {
                Console console = System.console();
                yield console != null && console.isTerminal();
            }
        };
    }

    private record Row(Strategy strategy, int threads, double seconds, long mismatches, int firstMismatch, long firstActual) {}

    private boolean runWorkload(String title, PairKernel kernel, long[] a, long[] b, Map<Strategy, Runner> runners,
                                boolean progressBars) {
        out.println();
        out.println(title);
        // The reference is Java serial's own output when that strategy runs; otherwise computed untimed.
        long[] reference = runners.containsKey(Strategy.JAVA_SERIAL) ? null : referenceOf(kernel, a, b);
        List<Row> rows = new ArrayList<>();
        List<long[]> results = new ArrayList<>();
        for (Runner runner : runners.values()) {
            long[] result;
            long start = System.nanoTime();
            if (progressBars) {
                try (ProgressBar bar = progressBar(runner, a.length)) {
                    result = runner.apply(kernel, a, b, bar::stepBy);
                }
            } else {
                result = runner.apply(kernel, a, b, ProgressListener.NONE);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (reference == null && runner.strategy() == Strategy.JAVA_SERIAL) {
                reference = result;
            }
            results.add(result);
            rows.add(new Row(runner.strategy(), runner.threads(), seconds, 0, -1, 0));
        }
        boolean allMatch = true;
        for (int i = 0; i < rows.size(); i++) {
            long[] result = results.get(i);
            long mismatches = 0;
            int first = -1;
            for (int k = 0; k < a.length; k++) {
                if (result[k] != reference[k]) {
                    mismatches++;
                    first = first < 0 ? k : first;
                }
            }
            allMatch &= mismatches == 0;
            Row r = rows.get(i);
            rows.set(i, new Row(r.strategy(), r.threads(), r.seconds(), mismatches, first, first < 0 ? 0 : result[first]));
        }
        printTable(rows, a, b, reference);
        return allMatch;
    }

    private static long[] referenceOf(PairKernel kernel, long[] a, long[] b) {
        long[] out = new long[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = kernel.apply(a[k], b[k]);
        }
        return out;
    }

    private ProgressBar progressBar(Runner runner, long total) {
        return new ProgressBarBuilder()
                .setTaskName(String.format("%-13s", runner.strategy().label()))
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .clearDisplayOnFinish()
                .build();
    }

    private void printTable(List<Row> rows, long[] a, long[] b, long[] reference) {
        Double javaSerial = rows.stream().filter(r -> r.strategy() == Strategy.JAVA_SERIAL)
                .map(Row::seconds).findFirst().orElse(null);
        out.printf("  %-14s %7s %12s %16s  %s%n", "strategy", "threads", "wall time", "vs java-serial", "match");
        for (Row r : rows) {
            String speedup = javaSerial == null ? "-" : String.format("%.2fx", javaSerial / r.seconds());
            String match = r.mismatches() == 0
                    ? "yes (" + a.length + "/" + a.length + ")"
                    : String.format("NO: %d differ, first at %d: gcd(%d, %d) = %d, reference %d", r.mismatches(),
                    r.firstMismatch(), a[r.firstMismatch()], b[r.firstMismatch()],
                    r.firstActual(), reference[r.firstMismatch()]);
            out.printf("  %-14s %7d %10.3f s %16s  %s%n", r.strategy().label(), r.threads(), r.seconds(), speedup, match);
        }
        Row serial = rows.stream().filter(r -> r.strategy() == Strategy.NATIVE_SERIAL).findFirst().orElse(null);
        Row pool = rows.stream().filter(r -> r.strategy() == Strategy.NATIVE_POOL).findFirst().orElse(null);
        if (serial != null && pool != null) {
            out.printf("  native-pool on %d threads is %.2fx native-serial%n", pool.threads(),
                    serial.seconds() / pool.seconds());
        }
    }
}
