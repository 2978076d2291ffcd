package io.pcompute.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns JMH's JSON result into {@code report.md} and PNG charts: speedup over Java serial per kernel and
 * size, cost per call at the boundary, with the machine described and every target checked.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.pcompute.bench.Report results.json out-dir "command"}
 */
public final class Report {
    private record Result(String benchmark, Map<String, String> params, double score, double error, String unit,
                          int threads) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    private final List<Result> results = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();
    private final List<String> targets = new ArrayList<>();
    private String jdk = "?";

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Report <jmh-results.json> <output-dir> [command that produced it]");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        Report report = new Report();
        report.read(Path.of(args[0]));
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        report.write(out, args.length > 2 ? args[2] : "bench/run");
        System.out.println("report: " + out.resolve("report.md"));
    }

    private void read(Path json) throws IOException {
        JsonArray array = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        for (JsonElement e : array) {
            JsonObject o = e.getAsJsonObject();
            Map<String, String> params = new LinkedHashMap<>();
            if (o.has("params")) {
                for (Map.Entry<String, JsonElement> p : o.getAsJsonObject("params").entrySet()) {
                    params.put(p.getKey(), p.getValue().getAsString());
                }
            }
            JsonObject metric = o.getAsJsonObject("primaryMetric");
            String benchmark = o.get("benchmark").getAsString();
            benchmark = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            double error = metric.get("scoreError").isJsonPrimitive() ? parse(metric.get("scoreError")) : Double.NaN;
            results.add(new Result(benchmark, params, metric.get("score").getAsDouble(), error,
                    metric.get("scoreUnit").getAsString(), o.get("threads").getAsInt()));
            jdk = o.get("jdkVersion").getAsString() + " (" + o.get("vmName").getAsString() + ")";
        }
    }

    private static double parse(JsonElement e) {
        try {
            return e.getAsDouble();
        } catch (NumberFormatException ex) {
            return Double.NaN; // JMH writes "NaN" for single-iteration runs
        }
    }

    private List<Result> of(String benchmark) {
        return results.stream().filter(r -> r.benchmark().equals(benchmark)).toList();
    }

    private Result find(String benchmark, String... params) {
        for (Result r : of(benchmark)) {
            boolean match = true;
            for (int i = 0; i < params.length; i += 2) {
                match &= r.param(params[i]).equals(params[i + 1]);
            }
            if (match) {
                return r;
            }
        }
        return null;
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%.3g", v);
    }

    private void target(String what, Boolean met, String detail) {
        targets.add("| " + what + " | " + (met == null ? "not measured in this run" : met ? "**met**" : "**MISSED**")
                + " | " + detail + " |");
    }

    private void write(Path out, String command) throws IOException {
        md.append("# pcompute benchmark report\n\n");
        md.append("- Machine: ").append(machine()).append("\n");
        md.append("- JDK: ").append(jdk).append("\n");
        md.append("- Compiler: ").append(gcc()).append("; libpcompute `-O3 -ffp-contract=off`, bench shim `-O3`\n");
        md.append("- Command: `").append(command).append("`\n");
        Path load = out.resolve("load");
        if (Files.exists(load)) { // bench/run: /proc/loadavg before and after JMH (other work shares the machine)
            md.append("- Machine load (1, 5, 15 min averages): ")
                    .append(String.join("; ", Files.readAllLines(load))).append("\n");
        }
        md.append("\n");
        md.append("Scores are JMH averages (lower is better) unless the unit says ops/s; speedups are over ")
                .append("`java-serial` for the same kernel and size. Runner `x:N` means strategy x on N threads ")
                .append("(0 = all cores).\n\n");
        kernels(out);
        bandwidth();
        heapReductions(out);
        seed();
        processPool();
        vector();
        boundary(out);
        handoff();
        cancel(out);
        md.append("## Targets\n\n| target | result | measured |\n|---|---|---|\n");
        targets.forEach(t -> md.append(t).append("\n"));
        md.append("\nWhere a target is missed, the table says so; the numbers above are what this machine did.\n");
        Files.writeString(out.resolve("report.md"), md.toString());
    }

    private void kernels(Path out) throws IOException {
        List<Result> kernelResults = of("KernelBench.run");
        if (kernelResults.isEmpty()) {
            return;
        }
        Set<String> kernels = new LinkedHashSet<>();
        Set<String> sizes = new LinkedHashSet<>();
        Set<String> runners = new LinkedHashSet<>();
        for (Result r : kernelResults) {
            kernels.add(r.param("kernel"));
            sizes.add(r.param("size"));
            runners.add(r.param("runner"));
        }
        md.append("## Kernels (us/op, and speedup over java-serial)\n\n| kernel | size |");
        runners.forEach(r -> md.append(" ").append(r).append(" |"));
        md.append("\n|---|---|").append("---|".repeat(runners.size())).append("\n");
        StringBuilder autoRows = new StringBuilder();
        List<String> autoMisses = new ArrayList<>();
        List<String> autoUnsure = new ArrayList<>();
        for (String kernel : kernels) {
            for (String size : sizes) {
                Result base = find("KernelBench.run", "kernel", kernel, "size", size, "runner", "java-serial");
                md.append("| ").append(kernel).append(" | ").append(size).append(" |");
                double bestFixed = Double.MAX_VALUE;
                Result best = null;
                for (String runner : runners) {
                    Result r = find("KernelBench.run", "kernel", kernel, "size", size, "runner", runner);
                    if (r == null) {
                        md.append(" - |");
                        continue;
                    }
                    md.append(" ").append(fmt(r.score()));
                    if (base != null) {
                        md.append(" (").append(fmt(base.score() / r.score())).append("x)");
                    }
                    md.append(" |");
                    if (!runner.equals("auto") && r.score() < bestFixed) {
                        bestFixed = r.score();
                        best = r;
                    }
                }
                md.append("\n");
                Result auto = find("KernelBench.run", "kernel", kernel, "size", size, "runner", "auto");
                if (auto != null && best != null) {
                    String verdict = autoVerdict(auto, best);
                    String cell = kernel + "/" + size + " " + fmt(auto.score() / best.score()) + "x of best";
                    if (verdict.equals("missed")) {
                        autoMisses.add(cell);
                    } else if (verdict.equals("inconclusive")) {
                        autoUnsure.add(cell);
                    }
                    autoRows.append("| ").append(kernel).append(" | ").append(size).append(" | ")
                            .append(best.param("runner")).append(" ").append(withError(best)).append(" | ")
                            .append(withError(auto)).append(" | ").append(fmt(auto.score() / best.score()))
                            .append("x | ").append(verdict.equals("met") ? verdict : "**" + verdict + "**")
                            .append(" |\n");
                }
            }
        }
        md.append("\n");
        for (String size : sizes) {
            CategoryChart chart = new CategoryChartBuilder().width(1400).height(600)
                    .title("Speedup over java-serial, size " + size + " (" + machineShort() + ")")
                    .xAxisTitle("kernel").yAxisTitle("speedup (x)").build();
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setXAxisLabelRotation(30);
            for (String runner : runners) {
                if (runner.equals("java-serial")) {
                    continue;
                }
                List<String> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (String kernel : kernels) {
                    Result base = find("KernelBench.run", "kernel", kernel, "size", size, "runner", "java-serial");
                    Result r = find("KernelBench.run", "kernel", kernel, "size", size, "runner", runner);
                    if (base != null && r != null) {
                        xs.add(kernel);
                        ys.add(base.score() / r.score());
                    }
                }
                if (!xs.isEmpty()) {
                    chart.addSeries(runner, xs, ys);
                }
            }
            if (!chart.getSeriesMap().isEmpty()) {
                String file = "speedup-" + size + ".png";
                BitmapEncoder.saveBitmap(chart, out.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
                md.append("![speedup, size ").append(size).append("](").append(file).append(")\n\n");
            }
        }
        boolean hasAuto = kernelResults.stream().anyMatch(r -> r.param("runner").equals("auto"));
        if (hasAuto) {
            md.append("## AUTO against the best fixed strategy (us/op, score ± JMH's 99.9% error)\n\n")
                    .append("A cell is met when AUTO's worst case (score + error) is within 10% of the best fixed ")
                    .append("strategy's best case (score - error), missed when even AUTO's best case is more than 10% ")
                    .append("above the best fixed strategy's worst case, and inconclusive otherwise.\n\n")
                    .append("| kernel | size | best fixed | auto | auto / best | verdict |\n|---|---|---|---|---|---|\n")
                    .append(autoRows).append("\n");
        }
        String detail = autoMisses.isEmpty() && autoUnsure.isEmpty() ? "all within 10%"
                : (autoMisses.isEmpty() ? "" : "missed: " + String.join(", ", autoMisses))
                + (autoMisses.isEmpty() || autoUnsure.isEmpty() ? "" : "; ")
                + (autoUnsure.isEmpty() ? "" : "inconclusive: " + String.join(", ", autoUnsure));
        String what = "`auto` (steady state, after `Runner.warmUp`) within 10% of the best fixed strategy at every "
                + "kernel and size (score ± error)";
        if (hasAuto && autoMisses.isEmpty() && !autoUnsure.isEmpty()) {
            targets.add("| " + what + " | **inconclusive** | " + detail + " |");
        } else {
            target(what, hasAuto ? autoMisses.isEmpty() : null, detail);
        }
        // the hand-off target: at size small the native pool costs no more than 10% over native serial
        List<String> poolVerdicts = new ArrayList<>();
        List<String> poolNotMet = new ArrayList<>();
        for (String kernel : kernels) {
            Result serial = find("KernelBench.run", "kernel", kernel, "size", "small", "runner", "native-serial");
            Result pool = find("KernelBench.run", "kernel", kernel, "size", "small", "runner", "native-pool:0");
            if (serial != null && pool != null) {
                String v = within(pool, serial, 1.10);
                poolVerdicts.add(v);
                if (!v.equals("met")) {
                    poolNotMet.add(kernel + " " + fmt(pool.score() / serial.score()) + "x (" + v + ")");
                }
            }
        }
        if (!poolVerdicts.isEmpty()) {
            verdictTarget("at size small, every kernel's native-pool:0 within 10% of native-serial", worst(poolVerdicts),
                    poolNotMet.isEmpty() ? "all " + poolVerdicts.size() + " kernels met" : String.join("; ", poolNotMet));
        }
    }

    /**
     * met / missed / inconclusive for "AUTO within 10% of the best fixed strategy", from score ± error; a
     * result without an error (one iteration) is judged by its score alone.
     */
    private static String autoVerdict(Result auto, Result best) {
        return within(auto, best, 1.10);
    }

    /**
     * met / missed / inconclusive for "time {@code r} at most {@code factor} x time {@code ref}" (lower is
     * better), from score ± error; a result without an error is judged by its score alone.
     */
    private static String within(Result r, Result ref, double factor) {
        double error = Double.isNaN(r.error()) ? 0 : r.error();
        double refError = Double.isNaN(ref.error()) ? 0 : ref.error();
        if (r.score() + error <= factor * Math.max(0, ref.score() - refError)) {
            return "met";
        }
        if (r.score() - error > factor * (ref.score() + refError)) {
            return "missed";
        }
        return "inconclusive";
    }

    /** met / missed / inconclusive for "throughput {@code r} at least {@code floor}", from score ± error. */
    private static String atLeast(Result r, double floor) {
        double error = Double.isNaN(r.error()) ? 0 : r.error();
        return r.score() - error >= floor ? "met" : r.score() + error < floor ? "missed" : "inconclusive";
    }

    /** A target row with a three-way verdict. */
    private void verdictTarget(String what, String verdict, String detail) {
        targets.add("| " + what + " | " + (verdict.equals("met") ? "**met**" : verdict.equals("missed") ? "**MISSED**"
                : "inconclusive") + " | " + detail + " |");
    }

    /** The worst of several verdicts: missed, then inconclusive, then met. */
    private static String worst(List<String> verdicts) {
        return verdicts.contains("missed") ? "missed" : verdicts.contains("inconclusive") ? "inconclusive" : "met";
    }

    private static String withError(Result r) {
        return fmt(r.score()) + (Double.isNaN(r.error()) ? "" : " ± " + fmt(r.error()));
    }

    private void bandwidth() {
        Result stream = find("StreamBench.streamingRead");
        if (stream == null) {
            target("memory-bound reductions at >= 80% of read bandwidth", null, "StreamBench not run");
            return;
        }
        double streamGbs = stream.threads() * StreamBench.VALUES * 8 / (stream.score() * 1e-6) / 1e9;
        StringBuilder rows = new StringBuilder();
        List<String> misses = new ArrayList<>();
        boolean anySegment = false;
        for (String kernel : List.of("reduce_sum", "reduce_sum_neumaier", "reduce_dot", "reduce_minmax", "histogram")) {
            // inputs already in native memory (read in place): the target applies to these
            for (String runner : List.of("native-serial", "native-pool:0")) {
                Result r = find("SegmentReduceBench.run", "reduction", kernel, "runner", runner);
                if (r != null) {
                    double share = bandwidthRow(rows, kernel, "native segment", runner, r, streamGbs);
                    if (runner.equals("native-pool:0")) {
                        anySegment = true;
                        if (share < 0.8) {
                            misses.add(kernel + " " + fmt(100 * share) + "%");
                        }
                    }
                }
            }
            // Java arrays, copied into native memory on every call: for comparison
            Result r = find("KernelBench.run", "kernel", kernel, "size", "large", "runner", "native-pool:0");
            if (r != null) {
                bandwidthRow(rows, kernel, "Java array (copied)", "native-pool:0", r, streamGbs);
            }
        }
        md.append("## Memory bandwidth\n\nPlain streaming read, ").append(stream.threads())
                .append(" threads, each over its own 64 MB: **").append(fmt(streamGbs)).append(" GB/s** (the target's yardstick).");
        Result shared = find("StreamBench.streamingReadShared");
        if (shared != null) {
            double sharedGbs = StreamBench.VALUES * 8 / (shared.score() * 1e-6) / 1e9;
            md.append(" The same read with the threads splitting one 64 MB buffer, as a pooled reduction does: **")
                    .append(fmt(sharedGbs)).append(" GB/s** (").append(fmt(100 * sharedGbs / streamGbs))
                    .append("% of the former).");
        }
        md.append("\n\n");
        if (rows.length() > 0) {
            md.append("| kernel (large, 64 MB) | input | runner | GB/s | of streaming read |\n|---|---|---|---|---|\n")
                    .append(rows);
        }
        md.append("\n");
        if (!anySegment) {
            target("memory-bound reductions at >= 80% of the streaming read bandwidth", null,
                    "SegmentReduceBench did not run on native-pool:0");
            return;
        }
        target("memory-bound reductions (native segments, native pool) at >= 80% of the streaming read bandwidth",
                misses.isEmpty(), misses.isEmpty() ? "all at >= 80%" : "below: " + String.join(", ", misses));
    }

    /**
     * Reductions over Java arrays (HeapReduceBench): zero-copy through a critical downcall up to the bound,
     * copied above it, beside the same values in native segments and a one-thread plain C read of the same
     * bytes; then the safepoint stall SafepointStall measured (safepoint.json). Verdicts from score ± error.
     */
    private void heapReductions(Path out) throws IOException {
        List<Result> reduce = of("HeapReduceBench.reduce");
        String what = "reductions over Java arrays (zero-copy, native-serial, at or below the 4 MiB bound) >= 80% "
                + "of a one-thread streaming read of the same bytes";
        if (reduce.isEmpty()) {
            target(what, null, "HeapReduceBench not run");
        } else {
            md.append("## Reductions over Java arrays\n\n")
                    .append("Up to 4 MiB of input a call passes its arrays zero-copy through a critical downcall ")
                    .append("(no safepoint while it runs); above, it copies them into native memory first. `segment` ")
                    .append("is the same values in native memory, read in place at any size; `stream` a plain C read of ")
                    .append("the same bytes on one thread. GB/s of input; ratios from the mean scores; the verdict ")
                    .append("(native-serial at or below the bound: heap >= 80% of the stream) from score ± error: ")
                    .append("met only if the worst case within the errors is, missed only if even the best case is not.\n\n")
                    .append("| reduction | bytes | path | runner | heap GB/s | segment GB/s | stream GB/s (1 thread) ")
                    .append("| heap / stream | heap / segment | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n");
            List<String> misses = new ArrayList<>();
            List<String> unsure = new ArrayList<>();
            int met = 0;
            for (Result heap : reduce) {
                if (!heap.param("input").equals("heap")) {
                    continue;
                }
                String k = heap.param("reduction"), bytes = heap.param("bytes"), runner = heap.param("runner");
                long b = Long.parseLong(bytes);
                boolean zeroCopy = b <= 4L << 20;
                Result segment = find("HeapReduceBench.reduce", "reduction", k, "bytes", bytes, "runner", runner,
                        "input", "segment");
                Result stream = find("HeapReduceBench.streamingRead", "bytes", bytes);
                String verdict = "-";
                if (zeroCopy && runner.equals("native-serial") && stream != null) {
                    verdict = atLeast(stream, heap, 0.8);
                    switch (verdict) {
                        case "met" -> met++;
                        case "missed" -> misses.add(k + " " + humanBytes(b));
                        default -> unsure.add(k + " " + humanBytes(b));
                    }
                }
                md.append("| ").append(k).append(" | ").append(humanBytes(b)).append(" | ")
                        .append(zeroCopy ? "zero-copy" : "copied").append(" | ").append(runner).append(" | ")
                        .append(gbs(b, heap)).append(" | ").append(gbs(b, segment)).append(" | ").append(gbs(b, stream))
                        .append(" | ").append(stream == null ? "-" : fmt(100 * stream.score() / heap.score()) + "%")
                        .append(" | ").append(segment == null ? "-" : fmt(100 * segment.score() / heap.score()) + "%")
                        .append(" | ").append(verdict).append(" |\n");
            }
            md.append("\n");
            String detail = met + " met" + (misses.isEmpty() ? "" : "; missed: " + String.join(", ", misses))
                    + (unsure.isEmpty() ? "" : "; inconclusive: " + String.join(", ", unsure));
            if (misses.isEmpty() && !unsure.isEmpty()) {
                targets.add("| " + what + " | inconclusive | " + detail + " |");
            } else {
                target(what, met + misses.size() == 0 ? null : misses.isEmpty(), detail);
            }
        }
        String stall = "time-to-safepoint while zero-copy calls loop, p99 <= " + fmt(SafepointStall.TARGET_MS) + " ms";
        Path json = out.resolve("safepoint.json");
        if (!Files.exists(json)) {
            target(stall, null, "SafepointStall not run");
            return;
        }
        SafepointStall.Result r = new Gson().fromJson(Files.readString(json), SafepointStall.Result.class);
        md.append("## Safepoint stall of zero-copy calls\n\n").append(SafepointStall.markdown(r));
        List<String> misses = new ArrayList<>();
        double worst = 0;
        int inconclusive = 0;
        for (SafepointStall.Row row : r.rows()) {
            if (row.path().startsWith("zero-copy")) {
                worst = Math.max(worst, row.ttspP99Us());
                if (row.verdict().equals("missed")) {
                    misses.add(row.scenario() + " p99 " + fmt(row.ttspP99Us()) + " us");
                } else if (row.verdict().startsWith("inconclusive")) {
                    inconclusive++;
                }
            }
        }
        String detail = (misses.isEmpty() ? "worst p99 " + fmt(worst) + " us" : String.join("; ", misses))
                + (inconclusive > 0 ? "; " + inconclusive + " inconclusive (baseline over the bound too)" : "")
                + " (load " + r.loadBefore() + ")";
        if (misses.isEmpty() && inconclusive > 0) {
            targets.add("| " + stall + " | inconclusive | " + detail + " |");
        } else {
            target(stall, misses.isEmpty(), detail);
        }
    }

    /** GB/s of {@code bytes} of input at the result's mean time per call (us), or "-". */
    private static String gbs(long bytes, Result r) {
        return r == null ? "-" : fmt(bytes / (r.score() * 1e-6) / 1e9);
    }

    /**
     * Whether {@code r} runs at >= {@code share} of {@code yardstick}'s speed (times per call, same bytes), from
     * score ± error: "met", "missed" or "inconclusive".
     */
    private static String atLeast(Result yardstick, Result r, double share) {
        if (Double.isNaN(yardstick.error()) || Double.isNaN(r.error())) {
            return "inconclusive (one iteration)";
        }
        double worst = (yardstick.score() - yardstick.error()) / (r.score() + r.error());
        double best = (yardstick.score() + yardstick.error()) / Math.max(r.score() - r.error(), 1e-12);
        return worst >= share ? "met" : best < share ? "missed" : "inconclusive";
    }

    /** Appends one bandwidth row and returns the share of the streaming read. */
    private static double bandwidthRow(StringBuilder rows, String kernel, String input, String runner, Result r,
                                       double streamGbs) {
        double gbs = Problems.inputBytes(kernel, "large") / (r.score() * 1e-6) / 1e9;
        double share = gbs / streamGbs;
        rows.append("| ").append(kernel).append(" | ").append(input).append(" | ").append(runner).append(" | ")
                .append(fmt(gbs)).append(" | ").append(fmt(100 * share)).append("% |\n");
        return share;
    }

    private void seed() {
        List<Result> seed = of("SeedBench.gcdBrute");
        if (seed.isEmpty()) {
            target("native-pool >= 1.9x native-serial on the scaled seed workload", null, "SeedBench not run");
            return;
        }
        md.append("## The seed workload (brute-force gcd, ms/op)\n\n| workload | runner | ms/op | vs java-serial |\n|---|---|---|---|\n");
        for (Result r : seed) {
            Result base = find("SeedBench.gcdBrute", "workload", r.param("workload"), "runner", "java-serial");
            md.append("| ").append(r.param("workload")).append(" | ").append(r.param("runner")).append(" | ")
                    .append(fmt(r.score())).append(" ± ").append(fmt(r.error())).append(" | ")
                    .append(base == null ? "-" : fmt(base.score() / r.score()) + "x").append(" |\n");
        }
        md.append("\n");
        List<String> fiveX = new ArrayList<>();
        List<String> fiveXDetail = new ArrayList<>();
        for (String w : List.of("seed10", "scaled100")) {
            Result java = find("SeedBench.gcdBrute", "workload", w, "runner", "java-serial");
            Result nat = find("SeedBench.gcdBrute", "workload", w, "runner", "native-serial");
            if (java != null && nat != null) {
                String v = within(nat, java, 1 / 5.0);
                fiveX.add(v);
                fiveXDetail.add(w + " " + fmt(java.score() / nat.score()) + "x (" + v + ")");
            }
        }
        if (!fiveX.isEmpty()) {
            verdictTarget("native-serial >= 5x java-serial on the seed workloads", worst(fiveX), String.join("; ", fiveXDetail));
        }
        Result serial = find("SeedBench.gcdBrute", "workload", "scaled100", "runner", "native-serial");
        Result pool = find("SeedBench.gcdBrute", "workload", "scaled100", "runner", "native-pool:0");
        if (serial != null && pool != null) {
            double ratio = serial.score() / pool.score();
            target("native-pool (all cores) >= 1.9x native-serial on the scaled seed workload", ratio >= 1.9,
                    fmt(ratio) + "x on " + Runtime.getRuntime().availableProcessors() + " cores");
        }
    }

    /**
     * The honest peer: the Java Vector API twins (VectorBench, one thread, bit-identical results) beside
     * java-serial and the native code on the same inputs, with a verdict from score ± error.
     */
    private void vector() {
        List<Result> gcd = of("VectorBench.gcdBrute");
        List<Result> fast = of("VectorBench.gcdFast");
        List<Result> reduce = of("VectorBench.reduce");
        if (gcd.isEmpty() && fast.isEmpty() && reduce.isEmpty()) {
            return;
        }
        md.append("## Java SIMD (Vector API) beside native\n\n")
                .append("`java-vector` is the Java Vector API twin of the native SIMD code, in bench/ only: the same ")
                .append("algorithm and the same order of operations, checked bit for bit against the reference before ")
                .append("it is timed. One thread; `native-serial` is the C kernel on one thread (SIMD where it has ")
                .append("it). Verdicts compare score ± error: within each other's error = a tie, one iteration = ")
                .append("inconclusive.\n\n");
        if (!gcd.isEmpty()) {
            md.append("| gcd_brute (ms/op) | java-serial | native-serial | java-vector | native-serial / java-vector | verdict |\n")
                    .append("|---|---|---|---|---|---|\n");
            for (Result v : gcd) {
                String w = v.param("workload");
                vectorRow(w, find("SeedBench.gcdBrute", "workload", w, "runner", "java-serial"),
                        find("SeedBench.gcdBrute", "workload", w, "runner", "native-serial"), v);
            }
            md.append("\n");
        }
        if (!fast.isEmpty()) {
            md.append("| gcd_fast, size (us/op) | java-serial | native-serial | java-vector | native-serial / java-vector | verdict |\n")
                    .append("|---|---|---|---|---|---|\n");
            for (Result v : fast) {
                String size = v.param("size");
                vectorRow(size, find("KernelBench.run", "kernel", "gcd_fast", "size", size, "runner", "java-serial"),
                        find("KernelBench.run", "kernel", "gcd_fast", "size", size, "runner", "native-serial"), v);
            }
            md.append("\n");
        }
        if (!reduce.isEmpty()) {
            md.append("| reduction, size (us/op; Java arrays) | java-serial | native-serial | java-vector | native-serial / java-vector | verdict |\n")
                    .append("|---|---|---|---|---|---|\n");
            for (Result v : reduce) {
                String k = v.param("reduction"), size = v.param("size");
                vectorRow(k + ", " + size, find("KernelBench.run", "kernel", k, "size", size, "runner", "java-serial"),
                        find("KernelBench.run", "kernel", k, "size", size, "runner", "native-serial"), v);
            }
            md.append("\nnative-serial over Java arrays includes copying the array into native memory; over a native ")
                    .append("segment (read in place, size large) it is in the memory bandwidth section.\n\n");
        }
    }

    private void vectorRow(String what, Result javaSerial, Result nativeSerial, Result vector) {
        md.append("| ").append(what).append(" | ").append(scoreCell(javaSerial)).append(" | ").append(scoreCell(nativeSerial))
                .append(" | ").append(scoreCell(vector)).append(" | ")
                .append(nativeSerial == null ? "-" : fmt(nativeSerial.score() / vector.score()) + "x").append(" | ")
                .append(nativeSerial == null ? "native not run" : verdict(nativeSerial, vector)).append(" |\n");
    }

    private static String scoreCell(Result r) {
        return r == null ? "-" : fmt(r.score()) + (Double.isNaN(r.error()) ? "" : " ± " + fmt(r.error()));
    }

    /** Which is faster, from score ± error (lower is better). */
    private static String verdict(Result nativeSerial, Result vector) {
        if (Double.isNaN(nativeSerial.error()) || Double.isNaN(vector.error())) {
            return "inconclusive (one iteration)";
        }
        if (nativeSerial.score() + nativeSerial.error() < vector.score() - vector.error()) {
            return "native wins";
        }
        if (vector.score() + vector.error() < nativeSerial.score() - nativeSerial.error()) {
            return "Java SIMD wins";
        }
        return "tie (within error)";
    }

    private void boundary(Path out) throws IOException {
        List<Result> empty = of("BoundaryBench.emptyFfm");
        Result ffm = find("BoundaryBench.emptyFfm");
        Result critical = find("BoundaryBench.emptyFfmCritical");
        Result jni = find("BoundaryBench.emptyJni");
        if (!empty.isEmpty()) {
            md.append("## The boundary (ns per call)\n\n| call | ns |\n|---|---|\n");
            for (Result r : List.of(ffm, critical, jni)) {
                if (r != null) {
                    md.append("| ").append(r.benchmark().replace("BoundaryBench.", "")).append(" | ")
                            .append(fmt(r.score())).append(" ± ").append(fmt(r.error())).append(" |\n");
                }
            }
            md.append("\n");
        }
        if (ffm != null && jni != null) {
            target("an empty FFM downcall no slower than an empty JNI call", ffm.score() <= jni.score() * 1.02,
                    "FFM " + fmt(ffm.score()) + " ns, JNI " + fmt(jni.score()) + " ns (2% measurement tolerance)");
        } else {
            target("an empty FFM downcall no slower than an empty JNI call", null, "BoundaryBench not run");
        }
        List<Result> arrays = of("ArrayPassingBench.heapArrayCritical");
        if (arrays.isEmpty()) {
            target("heap array via critical within 10% of off-heap direct, faster than copying from 1 MB", null,
                    "ArrayPassingBench not run");
        } else {
            md.append("## Passing an int64 array to C (ns per call)\n\n| bytes | heap, critical | heap, copied off-heap | off-heap direct |\n|---|---|---|---|\n");
            boolean within = true;
            boolean faster = true;
            List<String> notes = new ArrayList<>();
            CategoryChart chart = new CategoryChartBuilder().width(1000).height(500)
                    .title("Cost per call at the boundary (" + machineShort() + ")").xAxisTitle("array size")
                    .yAxisTitle("ns per call (log)").build();
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
            List<String> xs = new ArrayList<>();
            List<Double> crit = new ArrayList<>(), copy = new ArrayList<>(), direct = new ArrayList<>();
            for (Result c : arrays) {
                String bytes = c.param("bytes");
                Result cp = find("ArrayPassingBench.heapArrayCopiedOffHeap", "bytes", bytes);
                Result d = find("ArrayPassingBench.offHeapDirect", "bytes", bytes);
                md.append("| ").append(bytes).append(" | ").append(fmt(c.score())).append(" | ")
                        .append(cp == null ? "-" : fmt(cp.score())).append(" | ").append(d == null ? "-" : fmt(d.score()))
                        .append(" |\n");
                if (d != null && c.score() > 1.10 * d.score()) {
                    within = false;
                    notes.add(bytes + " B: critical " + fmt(c.score() / d.score()) + "x of direct");
                }
                if (cp != null && Long.parseLong(bytes) >= 1 << 20 && c.score() >= cp.score()) {
                    faster = false;
                    notes.add(bytes + " B: critical not faster than copying");
                }
                if (cp != null && d != null) {
                    xs.add(humanBytes(Long.parseLong(bytes)));
                    crit.add(c.score());
                    copy.add(cp.score());
                    direct.add(d.score());
                }
            }
            md.append("\n");
            if (!xs.isEmpty()) {
                chart.addSeries("heap array, critical", xs, crit);
                chart.addSeries("heap array, copied off-heap", xs, copy);
                chart.addSeries("off-heap segment, direct", xs, direct);
                if (ffm != null && jni != null && critical != null) {
                    CategoryChart calls = new CategoryChartBuilder().width(700).height(400)
                            .title("Empty call (" + machineShort() + ")").xAxisTitle("call").yAxisTitle("ns per call").build();
                    calls.getStyler().setLegendVisible(false);
                    calls.addSeries("ns", List.of("FFM", "FFM critical", "JNI"),
                            List.of(ffm.score(), critical.score(), jni.score()));
                    BitmapEncoder.saveBitmap(calls, out.resolve("empty-call.png").toString(), BitmapEncoder.BitmapFormat.PNG);
                    md.append("![empty call](empty-call.png)\n\n");
                }
                BitmapEncoder.saveBitmap(chart, out.resolve("boundary.png").toString(), BitmapEncoder.BitmapFormat.PNG);
                md.append("![boundary](boundary.png)\n\n");
            }
            target("heap array via critical within 10% of an off-heap segment handed directly", within,
                    within ? "at every size" : String.join("; ", notes));
            target("heap array via critical faster than copying, from 1 MB", faster,
                    faster ? "at 1 MB and 16 MB" : String.join("; ", notes));
        }
    }

    /**
     * The process pool's price per job beside the native pool's (ProcessPoolBench: the same gcd_fast call,
     * empty and small), and the seed workload through it (SeedBench's native-process rows).
     */
    private void processPool() {
        List<Result> jobs = of("ProcessPoolBench.processPool");
        Result seedProcess = find("SeedBench.gcdBrute", "workload", "scaled100", "runner", "native-process:0");
        Result seedPool = find("SeedBench.gcdBrute", "workload", "scaled100", "runner", "native-pool:0");
        if (jobs.isEmpty() && seedProcess == null) {
            return;
        }
        md.append("## Process pool: the price of isolation\n\n")
                .append("`native-process` runs the same kernels in `pcompute-worker` processes over shared memory ")
                .append("(inputs copied into the mapping, one RUN/RESULT round trip per task over pipes, outputs ")
                .append("copied back), so a crash or hang costs a worker, not the JVM. Per job (gcd_fast; `empty` = ")
                .append("2 pairs, the hand-off alone; `small` = 4,096 pairs), µs/op:\n\n")
                .append("| job | workers / threads | native pool | process pool | extra per job | process / native |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Result p : jobs) {
            Result n = find("ProcessPoolBench.nativePool", "job", p.param("job"), "workers", p.param("workers"));
            md.append("| ").append(p.param("job")).append(" | ").append(p.param("workers")).append(" | ")
                    .append(n == null ? "-" : fmt(n.score()) + " ± " + fmt(n.error())).append(" | ")
                    .append(fmt(p.score())).append(" ± ").append(fmt(p.error())).append(" | ")
                    .append(n == null ? "-" : fmt(p.score() - n.score()) + " µs").append(" | ")
                    .append(n == null ? "-" : fmt(p.score() / n.score()) + "x").append(" |\n");
        }
        md.append("\n");
        List<Result> copied = of("ProcessPoolBench.processPoolSumCopied");
        if (!copied.isEmpty()) {
            md.append("Reading inputs in place: reduce_sum over 8 MiB of doubles, µs/op. `copied`: a Java array, ")
                    .append("copied into the shared memory per job; `in place`: a segment from `ProcessPool.allocate`, ")
                    .append("read by the workers where it is; the native pool over the Java array for scale.\n\n")
                    .append("| workers / threads | process pool, copied | process pool, in place | native pool | saved by reading in place |\n")
                    .append("|---|---|---|---|---|\n");
            Set<String> seen = new LinkedHashSet<>();
            for (Result c : copied) {
                if (!seen.add(c.param("workers"))) {
                    continue; // the same numbers under each job param
                }
                Result in = find("ProcessPoolBench.processPoolSumInPlace", "workers", c.param("workers"), "job", c.param("job"));
                Result nat = find("ProcessPoolBench.nativePoolSum", "workers", c.param("workers"), "job", c.param("job"));
                md.append("| ").append(c.param("workers")).append(" | ").append(fmt(c.score())).append(" ± ")
                        .append(fmt(c.error())).append(" | ")
                        .append(in == null ? "-" : fmt(in.score()) + " ± " + fmt(in.error())).append(" | ")
                        .append(nat == null ? "-" : fmt(nat.score()) + " ± " + fmt(nat.error())).append(" | ")
                        .append(in == null ? "-" : fmt(100 * (1 - in.score() / c.score())) + "%").append(" |\n");
            }
            md.append("\n");
        }
        if (seedProcess != null && seedPool != null) {
            double ratio = seedProcess.score() / seedPool.score();
            boolean overlap = seedProcess.score() - seedProcess.error() <= seedPool.score() + seedPool.error()
                    && seedPool.score() - seedPool.error() <= seedProcess.score() + seedProcess.error();
            md.append("The scaled seed workload (2,000 pairs up to 10^7, brute force): native-pool ")
                    .append(fmt(seedPool.score())).append(" ± ").append(fmt(seedPool.error())).append(" ms, native-process ")
                    .append(fmt(seedProcess.score())).append(" ± ").append(fmt(seedProcess.error())).append(" ms (")
                    .append(fmt(ratio)).append("x): ")
                    .append(overlap ? "the two ranges overlap, so this run cannot tell their costs apart."
                            : ratio > 1 ? "the process pool is slower on a job this size."
                            : "the process pool is not slower on a job this size.").append("\n\n");
        }
    }

    private void handoff() {
        List<Result> handoff = results.stream().filter(r -> r.benchmark().startsWith("HandoffBench.")).toList();
        if (handoff.isEmpty()) {
            return;
        }
        md.append("## Hand-off: empty jobs per second\n\n| benchmark | threads | jobs/s |\n|---|---|---|\n");
        for (Result r : handoff) {
            md.append("| ").append(r.benchmark().replace("HandoffBench.", "")).append(" | ").append(r.param("threads"))
                    .append(r.threads() > 1 ? " (" + r.threads() + " submitters)" : "").append(" | ")
                    .append(fmt(r.score())).append(" |\n");
        }
        md.append("\n");
        List<String> twoUs = new ArrayList<>();
        List<String> jobs = new ArrayList<>();
        List<String> detail = new ArrayList<>();
        for (Result r : of("HandoffBench.nativePoolEmptyJob")) {
            twoUs.add(atLeast(r, 500_000));
            jobs.add(atLeast(r, 200_000));
            detail.add(r.param("threads") + " thread(s): " + fmt(1e6 / r.score()) + " µs, " + fmt(r.score()) + " jobs/s");
        }
        if (!twoUs.isEmpty()) {
            verdictTarget("empty synchronous job (2 pairs) on the native pool <= 2 µs", worst(twoUs), String.join("; ", detail));
            verdictTarget(">= 200,000 small synchronous jobs/s on the native pool", worst(jobs), String.join("; ", detail));
        }
    }

    /** The section CancelLatency measured into cancel.json of the same directory (bench/run runs it after JMH). */
    private void cancel(Path out) throws IOException {
        String what = "cancel-to-idle <= " + fmt(CancelLatency.TARGET_MS) + " ms for every kernel on adversarial inputs";
        Path json = out.resolve("cancel.json");
        if (!Files.exists(json)) {
            target(what, null, "CancelLatency not run");
            return;
        }
        CancelLatency.Result r = new Gson().fromJson(Files.readString(json), CancelLatency.Result.class);
        md.append("## Cancel-to-idle\n\n").append(CancelLatency.markdown(r));
        List<String> misses = new ArrayList<>();
        List<String> unmeasured = new ArrayList<>();
        double worst = 0;
        for (CancelLatency.Row row : r.rows()) {
            switch (row.verdict()) {
                case "met" -> worst = Math.max(worst, row.worstMs());
                case "missed", "missed (median met)" -> {
                    worst = Math.max(worst, row.worstMs());
                    misses.add(row.kernel() + " (" + row.input() + ") worst " + fmt(row.worstMs()) + " ms");
                }
                default -> unmeasured.add(row.kernel() + ": " + row.verdict());
            }
        }
        String detail = (misses.isEmpty() ? "worst " + fmt(worst) + " ms over all kernels" : "missed: " + String.join("; ", misses))
                + (unmeasured.isEmpty() ? "" : "; " + String.join("; ", unmeasured))
                + " (" + r.threads() + " workers, " + r.repeats() + " runs, load " + r.loadBefore() + ")";
        // Boolean.valueOf: with a bare boolean in one branch the conditional unboxes the null (inconclusive)
        // of the other, which threw when a case finished before every cancel
        target(what, unmeasured.isEmpty() ? Boolean.valueOf(misses.isEmpty()) : misses.isEmpty() ? null : Boolean.FALSE,
                detail);
    }

    private static String humanBytes(long b) {
        return b >= 1 << 20 ? (b >> 20) + " MB" : b >= 1 << 10 ? (b >> 10) + " KB" : b + " B";
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    static String machine() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB max heap, " + System.getProperty("os.name") + " "
                + System.getProperty("os.version");
    }

    private static String machineShort() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    private static String gcc() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("gcc");
            p.waitFor();
            return first;
        } catch (IOException | InterruptedException e) {
            return "gcc (version unknown)";
        }
    }
}
