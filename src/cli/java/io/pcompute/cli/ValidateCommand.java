package io.pcompute.cli;

import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import io.pcompute.validate.PortValidator;
import io.pcompute.internal.Native;
import io.pcompute.internal.WorkerHooks;
import io.pcompute.internal.WorkerProcess;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The port validator on the command line. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Holds native kernels to their Java references: generated problems (edge cases, then "
                + "seeded random ones) through every strategy at every thread count; a mismatch is shrunk "
                + "to a small counterexample and reported with kernel, strategy, threads and seed.",
                "By default (--isolate) the native code runs in worker processes first, each run under --timeout: a "
                + "port that crashes or hangs is reported (with the signal, or as a timeout) with its input shrunk, "
                + "and the other kernels are still validated. The in-process native strategies run each case only "
                + "after the workers survived it, and stop once an isolated run crashed or hung.",
                "Exit status 0 when every kernel passes, 1 on any mismatch, crash or timeout, 2 on a bad option."})
final class ValidateCommand implements Callable<Integer> {
    static final class Selection {
        @Option(names = "--all", required = true, description = "Validate every kernel.")
        boolean all;

        @Option(names = "--kernel", paramLabel = "NAME", required = true, split = ",",
                description = "Kernel(s) to validate, e.g. gcd_brute,reduce_sum.")
        List<String> names;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    @Option(names = "--kernels", paramLabel = "CLASS", split = ",",
            description = "Application kernel class(es) to load: a KernelProvider, or a class whose public static "
                    + "Kernel constants are the kernels (on the class path: PCOMPUTE_CLASSPATH for ./pcompute). "
                    + "Providers declared as services are found without it.")
    List<String> kernelClasses = List.of();

    @Option(names = "--cases", paramLabel = "N", defaultValue = "1000",
            description = "Problems per kernel. Default: ${DEFAULT-VALUE}.")
    int cases;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "20261124",
            description = "Seed of the random problems (case i uses seed + i). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", paramLabel = "T", split = ",", defaultValue = "1,2,0",
            description = "Thread counts of the parallel strategies (0 = all cores). Default: ${DEFAULT-VALUE}.")
    List<Integer> threads;

    @Option(names = "--isolate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the native code in worker processes first, so a crash or hang is reported instead of "
                    + "killing the run (--no-isolate: all in this process, as fast; a crash ends the run). "
                    + "Default: on.")
    boolean isolate;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Isolated runs: the most one run in the worker processes may take before it counts as a "
                    + "hang. Default: ${DEFAULT-VALUE}.")
    double timeoutSeconds;

    @Option(names = "--plant-fault", paramLabel = "KIND:KERNEL:ITEM", hidden = true,
            description = "TEST ONLY: make the workers (a --worker built with test hooks) crash (segv, abort) or hang "
                    + "(hang) at item ITEM of every job of kernel KERNEL.")
    String plantFault;

    @Option(names = "--worker", paramLabel = "PATH", hidden = true,
            description = "TEST ONLY: the worker executable of the isolated runs (e.g. one built with test hooks).")
    Path worker;

    @Option(names = "--plant-bug", paramLabel = "NAME", hidden = true,
            description = "TEST ONLY: make the native kernel NAME deliberately wrong, to see the validator catch it.")
    String plantBug;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        List<Kernel<?, ?>> kernels = selection.all ? resolve(kernelClasses, null) : resolve(kernelClasses, selection.names);
        PortValidator validator = new PortValidator(cases, seed, threads);
        if (isolate) {
            if (!(timeoutSeconds > 0) || timeoutSeconds > 86_400) {
                throw new IllegalArgumentException("--timeout = " + timeoutSeconds + ": must be between 0 (exclusive) and 86400 seconds");
            }
            validator = validator.isolate(Duration.ofNanos((long) (timeoutSeconds * 1e9)), worker);
        }
        int planted = 0;
        if (plantBug != null) {
            try {
                planted = Native.kernelId(plantBug);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--plant-bug = '" + plantBug + "': no such native kernel", e);
            }
        }
        if (plantFault != null) {
            plantFault(plantFault);
        }
        if (planted != 0) {
            Native.plantBug(planted, true);
            out.println("(test only: a bug is planted in the native " + plantBug + " kernel)");
        }
        boolean allPassed = true;
        try {
            out.printf("validating %d kernel(s), %d cases each, seed %d, threads %s, %s%n", kernels.size(), cases, seed,
                    threads, isolate ? "native code isolated in worker processes first (run timeout " + timeoutSeconds + " s)"
                            : "not isolated");
            for (Kernel<?, ?> kernel : kernels) {
                long start = System.nanoTime();
                PortValidator.Report report = validator.validate(kernel);
                out.printf("  %-20s %5d cases %7d runs  %-4s %6.1f s%n", kernel.name(), report.cases(), report.runs(),
                        report.passed() ? "ok" : "FAIL", (System.nanoTime() - start) / 1e9);
                for (PortValidator.Mismatch m : report.mismatches()) {
                    out.println(m.toString().indent(4).stripTrailing());
                }
                if (!report.skipped().isEmpty()) {
                    out.println(("not run in this process after the crash or hang: " + String.join(", ", report.skipped()))
                            .indent(4).stripTrailing());
                }
                allPassed &= report.passed();
            }
        } finally {
            if (planted != 0) {
                Native.plantBug(planted, false);
            }
            if (plantFault != null) {
                WorkerHooks.clear();
            }
        }
        out.println(allPassed ? "All kernels match their Java references." : "FAILED: see above.");
        return allPassed ? 0 : 1;
    }

    /**
     * The registry's kernels plus those of {@code kernelClasses}; all of them when {@code names} is null, else
     * the named ones.
     *
     * @throws IllegalArgumentException for a class that names no kernel, a name taken twice, an unknown name
     */
    static List<Kernel<?, ?>> resolve(List<String> kernelClasses, List<String> names) {
        java.util.Map<String, Kernel<?, ?>> known = new java.util.LinkedHashMap<>();
        for (Kernel<?, ?> k : Kernels.all()) {
            known.put(k.name(), k);
        }
        for (String className : kernelClasses) {
            for (Kernel<?, ?> k : Kernels.fromClass(className.trim())) {
                Kernel<?, ?> other = known.putIfAbsent(k.name(), k);
                if (other != null && other != k) {
                    throw new IllegalArgumentException("--kernels " + className + ": kernel '" + k.name()
                            + "' has the name of another kernel (" + other.getClass().getName() + ")");
                }
            }
        }
        if (names == null) {
            return new ArrayList<>(known.values());
        }
        List<Kernel<?, ?>> kernels = new ArrayList<>();
        for (String name : names) {
            Kernel<?, ?> k = known.get(name.trim().replace('-', '_'));
            if (k == null) {
                k = known.get(name.trim());
            }
            if (k == null) {
                throw new IllegalArgumentException("--kernel = '" + name.trim() + "': must be one of " + known.keySet());
            }
            kernels.add(k);
        }
        return kernels;
    }

    private void plantFault(String spec) {
        String[] parts = spec.split(":");
        int hook = parts.length != 3 ? -1 : switch (parts[0]) {
            case "segv" -> WorkerProcess.HOOK_SEGV;
            case "abort" -> WorkerProcess.HOOK_ABORT;
            case "hang" -> WorkerProcess.HOOK_HANG;
            default -> -1;
        };
        long item;
        try {
            item = hook < 0 ? -1 : Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            item = -1;
        }
        if (hook < 0 || item < 0 || !isolate || worker == null) {
            throw new IllegalArgumentException("--plant-fault = '" + spec + "': must be segv|abort|hang:KERNEL:ITEM (ITEM >= 0), "
                    + "with --isolate and a --worker built with test hooks");
        }
        WorkerHooks.plant(hook, item, parts[1]);
        out.println("(test only: the workers " + parts[0] + " at item " + item + " of every " + parts[1] + " job)");
    }
}
