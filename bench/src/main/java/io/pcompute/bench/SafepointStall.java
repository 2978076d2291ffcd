package io.pcompute.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.pcompute.Kernels;
import io.pcompute.Runner;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernels.Reduce;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safepoint stall of zero-copy (critical) calls over Java arrays: while one thread loops a reduction,
 * another asks for a safepoint every 0.5-1.5 ms (a thread dump, {@code ThreadMXBean.dumpAllThreads}, a VM
 * operation that needs every Java thread stopped) and the VM's own log ({@code -Xlog:safepoint}) says how
 * long reaching each safepoint took: a thread inside a critical downcall delays it until the call returns.
 * Scenarios: nothing looping (the baseline), heap arrays below the bound (critical, serial and pool), and
 * above it (copied in 1 MiB pieces, each of which holds a safepoint off while it is copied, then an
 * ordinary downcall, which does not), and the baseline: the same loop over a native segment. A measurement, never a test: state the load with it.
 *
 * <p>Usage (bench/run runs it after JMH):
 * {@code java -Xlog:safepoint=info:file=<dir>/safepoint.log --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * io.pcompute.bench.SafepointStall <dir> [probes per scenario (400)] [command]}
 */
public final class SafepointStall {
    /** Reaching a safepoint at most this long while critical calls loop: the bound the zero-copy path aims at. */
    static final double TARGET_MS = 1.0;

    private record Scenario(String name, String kernel, String input, long bytes, String runner) {}

    /** One scenario's numbers, in microseconds. Serialised to safepoint.json as is. */
    record Row(String scenario, String path, int probes, double callUs, double ttspMedianUs, double ttspP99Us,
               double ttspMaxUs, double probeMedianUs, double probeMaxUs, String verdict) {}

    /** The whole measurement, serialised to safepoint.json. */
    record Result(String machine, String jdk, String command, String loadBefore, String loadAfter, int probes,
                  double targetMs, String note, List<Row> rows) {}

    /* The baseline is the second one: the same loop over the same bytes through an ordinary downcall. */
    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("idle (nothing looping)", null, null, 0, null),
            new Scenario("reduce_sum, segment 4 MiB, native-serial", "reduce_sum", "segment", 4 << 20, "native-serial"),
            new Scenario("reduce_sum, heap 1 MiB, native-serial", "reduce_sum", "heap", 1 << 20, "native-serial"),
            new Scenario("reduce_sum, heap 4 MiB, native-serial", "reduce_sum", "heap", 4 << 20, "native-serial"),
            new Scenario("reduce_sum_neumaier, heap 4 MiB, native-serial", "reduce_sum_neumaier", "heap", 4 << 20,
                    "native-serial"),
            new Scenario("reduce_sum, heap 4 MiB, native-pool:0", "reduce_sum", "heap", 4 << 20, "native-pool:0"),
            new Scenario("reduce_sum, heap 8 MiB, native-serial", "reduce_sum", "heap", 8 << 20, "native-serial"),
            new Scenario("reduce_sum, heap 64 MiB, native-serial", "reduce_sum", "heap", 64 << 20, "native-serial"));
    private static final int BASELINE = 1;

    private static final Pattern THREAD_DUMP =
            Pattern.compile("Safepoint \"ThreadDump\".*Reaching safepoint: (\\d+) ns");

    private SafepointStall() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SafepointStall <output-dir> [probes per scenario (400)] [command]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int probes = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        String command = args.length > 2 ? args[2] : "bench/run";
        Path log = out.resolve("safepoint.log");
        if (!ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-Xlog:safepoint") && a.contains(log.getFileName().toString()))) {
            System.err.println("run with -Xlog:safepoint=info:file=" + log + " (the times come from the VM's log)");
            System.exit(2);
        }
        String loadBefore = load();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<double[]> probeTimes = new ArrayList<>();
        List<Double> callTimes = new ArrayList<>();
        int dumpsBefore = countThreadDumps(log); // none, unless the VM dumped threads itself
        for (Scenario s : SCENARIOS) {
            double[] times = new double[probes];
            callTimes.add(runScenario(s, threads, times));
            probeTimes.add(times);
            System.err.println("safepoint stall: " + s.name() + " done");
        }
        Thread.sleep(200); // the VM thread writes the last lines
        List<Long> ttsp = readThreadDumps(log);
        String note = "";
        boolean usable = ttsp.size() == dumpsBefore + SCENARIOS.size() * probes;
        if (!usable) {
            note = "the log holds " + ttsp.size() + " thread-dump safepoints for " + SCENARIOS.size() * probes
                    + " probes: time-to-safepoint not attributed";
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < SCENARIOS.size(); i++) {
            Scenario s = SCENARIOS.get(i);
            double[] reach = new double[probes];
            if (usable) {
                for (int k = 0; k < probes; k++) {
                    reach[k] = ttsp.get(dumpsBefore + i * probes + k) / 1e3;
                }
                Arrays.sort(reach);
            }
            double[] p = probeTimes.get(i).clone();
            Arrays.sort(p);
            double max = usable ? reach[probes - 1] : Double.NaN;
            String path = s.kernel() == null ? "-" : s.input().equals("segment") ? "segment, read in place"
                    : s.bytes() <= 4 << 20 ? "zero-copy (critical)" : "copied (not critical)";
            String verdict = "-";
            if (!usable) {
                verdict = "inconclusive (log)";
            } else if (path.startsWith("zero-copy")) {
                double p99 = percentile(reach, 0.99);
                double baseP99 = rows.get(BASELINE).ttspP99Us();
                verdict = p99 <= TARGET_MS * 1e3 ? "met" : baseP99 > TARGET_MS * 1e3
                        ? "inconclusive (the baseline's p99 is over the bound too: load)" : "missed";
            }
            rows.add(new Row(s.name(), path, probes, callTimes.get(i), usable ? percentile(reach, 0.5) : Double.NaN,
                    usable ? percentile(reach, 0.99) : Double.NaN, max, percentile(p, 0.5), p[probes - 1], verdict));
        }
        Result result = new Result(Report.machine(), System.getProperty("java.vm.name") + " "
                + System.getProperty("java.vm.version"), command, loadBefore, load(), probes, TARGET_MS, note, rows);
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
        Files.writeString(out.resolve("safepoint.json"), gson.toJson(result));
        Files.writeString(out.resolve("safepoint.md"), "# Safepoint stall of zero-copy calls\n\n" + markdown(result));
        System.out.println("safepoint stall: " + out.resolve("safepoint.md"));
    }

    /** Loops the scenario's call on another thread while this one probes; returns the mean call time (us). */
    private static double runScenario(Scenario s, ThreadMXBean threads, double[] probeUs) throws Exception {
        AtomicLong calls = new AtomicLong();
        Thread worker = null;
        Runner runner = null;
        Arena arena = Arena.ofShared();
        try {
            if (s.kernel() != null) {
                @SuppressWarnings("unchecked")
                Kernel<Object, Object> kernel = (Kernel<Object, Object>) Kernels.byName(s.kernel());
                double[] x = new SplittableRandom(3).doubles((int) (s.bytes() / 8), -1, 1).toArray();
                Reduce.Data data = s.input().equals("heap") ? Reduce.Data.of(x)
                        : Reduce.Data.of(arena.allocateFrom(ValueLayout.JAVA_DOUBLE, x));
                Runner r = Runners.open(s.runner());
                runner = r;
                r.warmUp(kernel, data);
                worker = Thread.ofPlatform().name("looping " + s.name()).start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        r.run(kernel, data);
                        calls.incrementAndGet();
                    }
                });
                Thread.sleep(300); // the loop's own warm-up
            }
            long c0 = calls.get();
            long t0 = System.nanoTime();
            for (int k = 0; k < probeUs.length; k++) {
                sleepMicros(ThreadLocalRandom.current().nextLong(500, 1500));
                long start = System.nanoTime();
                threads.dumpAllThreads(false, false);
                probeUs[k] = (System.nanoTime() - start) / 1e3;
            }
            long elapsed = System.nanoTime() - t0;
            long done = calls.get() - c0;
            return done == 0 ? Double.NaN : elapsed / 1e3 / done;
        } finally {
            if (worker != null) {
                worker.interrupt();
                worker.join();
            }
            if (runner != null) {
                runner.close();
            }
            arena.close();
        }
    }

    private static void sleepMicros(long us) throws InterruptedException {
        Thread.sleep(us / 1000, (int) (us % 1000) * 1000);
    }

    private static int countThreadDumps(Path log) throws Exception {
        return readThreadDumps(log).size();
    }

    private static List<Long> readThreadDumps(Path log) throws Exception {
        List<Long> ns = new ArrayList<>();
        if (!Files.exists(log)) {
            return ns;
        }
        for (String line : Files.readAllLines(log)) {
            Matcher m = THREAD_DUMP.matcher(line);
            if (m.find()) {
                ns.add(Long.parseLong(m.group(1)));
            }
        }
        return ns;
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.1f", v);
    }

    static String markdown(Result r) {
        StringBuilder md = new StringBuilder();
        md.append("- Machine: ").append(r.machine()).append("\n");
        md.append("- JDK: ").append(r.jdk()).append("\n");
        md.append("- Command: `").append(r.command()).append("`\n");
        md.append("- Load (/proc/loadavg) before: ").append(r.loadBefore()).append("; after: ").append(r.loadAfter())
                .append("\n\n");
        md.append("One thread loops the call; another asks for a safepoint (a thread dump) every 0.5-1.5 ms, ")
                .append(r.probes()).append(" times per scenario. Time-to-safepoint is the VM's own \"Reaching ")
                .append("safepoint\" (`-Xlog:safepoint`); a thread inside a critical downcall holds it up until the ")
                .append("call returns. The probe column is the whole thread dump as the probing thread saw it. The ")
                .append("baseline is the same loop over a native segment through an ordinary downcall, which never ")
                .append("holds up a safepoint: what it shows beyond idle is the machine (threads preempted while in ")
                .append("Java code). Verdict, for zero-copy rows: p99 time-to-safepoint <= ").append(fmt(r.targetMs() * 1e3))
                .append(" us; inconclusive when the baseline's p99 is over it too.\n\n");
        if (!r.note().isEmpty()) {
            md.append("Note: ").append(r.note()).append("\n\n");
        }
        md.append("| scenario | path | us per call | TTSP median | TTSP p99 | TTSP max | probe median | probe max | verdict |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            md.append("| ").append(row.scenario()).append(" | ").append(row.path()).append(" | ").append(fmt(row.callUs()))
                    .append(" | ").append(fmt(row.ttspMedianUs())).append(" | ").append(fmt(row.ttspP99Us()))
                    .append(" | ").append(fmt(row.ttspMaxUs())).append(" | ").append(fmt(row.probeMedianUs()))
                    .append(" | ").append(fmt(row.probeMaxUs())).append(" | ").append(row.verdict()).append(" |\n");
        }
        md.append("\n(times in us)\n\n");
        return md.toString();
    }
}
