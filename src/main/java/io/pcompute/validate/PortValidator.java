package io.pcompute.validate;

import io.pcompute.JobTimeoutException;
import io.pcompute.kernel.Kernel;
import io.pcompute.ProcessPool;
import io.pcompute.ProgressListener;
import io.pcompute.Strategy;
import io.pcompute.internal.Runners;
import io.pcompute.Runner;
import io.pcompute.NativePool;
import io.pcompute.WorkerCrashedException;
import io.pcompute.internal.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Proves a port equivalent, or shows where it is not: for a kernel, generates problems from a seed (its
 * edge cases, then random ones), runs every strategy at every thread count, compares each result with the
 * Java reference under the kernel's rule, and shrinks any mismatch to a small counterexample.
 *
 * <pre>{@code
 * PortValidator.Report report = new PortValidator(1000, 42, List.of(1, 2, 0)).validate(Reduce.SUM);
 * report.mismatches().forEach(System.out::println);
 * }</pre>
 *
 * <p><b>Isolation</b> ({@link #isolate(Duration)}; the {@code validate} command's default): the native code
 * first runs in {@link ProcessPool} worker processes, one pool per thread count, each run under a timeout.
 * A port that crashes is then reported ({@link Fault#CRASHED}, with the signal) and one that hangs is
 * killed and reported ({@link Fault#TIMED_OUT}), each with its input shrunk — every shrink try runs on the
 * pool, whose crashed or killed worker is replaced before the next try, so no try sees a previous one's
 * dead worker — and validation goes on with the next kernel instead of the JVM dying with the port. The
 * in-process native strategies (native-serial, native-pool, auto) cannot survive a crash, so on each case
 * they run only after every worker pool computed that same case without crashing or hanging, and not at
 * all once an isolated run crashed or hung (they are then listed in {@link Report#skipped()}); a wrong
 * result in a worker does not stop them. Running them after, rather than dropping them, keeps their own
 * code paths (NativePool's threads, AUTO's choice) validated, at no extra cost: the runs are the same as
 * without isolation, only ordered (plus, after a worker's wrong result, its guard runs).
 */
public final class PortValidator {
    /** How a run failed. */
    public enum Fault {
        /** It returned a result that differs from the reference. */
        WRONG_RESULT,
        /** It threw an exception. */
        THREW,
        /** Isolated only: the worker process computing it died (see {@link Mismatch#signal()}). */
        CRASHED,
        /** Isolated only: it did not finish within the run timeout and its worker was stopped. */
        TIMED_OUT
    }

    /**
     * A run that failed (a result that differs from the reference, an exception, a crash or a hang), shrunk
     * to a small problem that still fails the same way.
     *
     * @param signal for {@link Fault#CRASHED}, the signal that killed the worker (11 = SIGSEGV; 0 if it
     *               exited), else 0
     */
    public record Mismatch(String kernel, Strategy strategy, int threads, long seed, int caseIndex,
                           String minimalInput, String expected, String actual, String difference, int shrinkSteps,
                           Fault fault, int signal) {
        @Override
        public String toString() {
            String what = switch (fault) {
                case WRONG_RESULT, THREW -> "MISMATCH";
                case CRASHED -> "CRASH (" + (signal == 0 ? "the worker exited" : WorkerProcess.signalName(signal)) + ")";
                case TIMED_OUT -> "TIMEOUT";
            };
            return what + " kernel " + kernel + ", strategy " + strategy.label() + ", threads " + threads
                    + ", seed " + seed + ", case " + caseIndex + " (shrunk in " + shrinkSteps + " steps)"
                    + "\n  input:    " + minimalInput
                    + "\n  expected: " + expected
                    + "\n  actual:   " + actual
                    + "\n  differs:  " + difference;
        }
    }

    /**
     * What one kernel's validation did and found.
     *
     * @param skipped isolated validation only: the in-process runners (e.g. {@code native-pool x2}) that
     *                stopped before the last case because an isolated run had crashed or hung, with the case
     *                they stopped at
     */
    public record Report(String kernel, int cases, long runs, List<Mismatch> mismatches, List<String> skipped) {
        public boolean passed() {
            return mismatches.isEmpty();
        }
    }

    private static final int MAX_SHRINK_STEPS = 2000;
    /** Shrink tries that may time out: each costs the timeout and the pool's grace period. */
    private static final int MAX_TIMED_OUT_TRIES = 30;
    /** The run timeout of {@code validate --isolate} unless told otherwise. */
    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofSeconds(10);

    private final int cases;
    private final long seed;
    private final List<Integer> threadCounts;
    private final Duration runTimeout;    // null: not isolated
    private final Path workerExecutable;  // null: the located one

    /**
     * @param cases        problems per kernel (edge cases first, the rest random), at least 1
     * @param seed         the seed the random problems derive from; case i uses {@code seed + i}
     * @param threadCounts thread counts of the parallel strategies (0 = all cores; duplicates dropped)
     */
    public PortValidator(int cases, long seed, List<Integer> threadCounts) {
        if (cases < 1) {
            throw new IllegalArgumentException("cases = " + cases + ": must be >= 1");
        }
        Objects.requireNonNull(threadCounts, "threadCounts must not be null");
        Set<Integer> resolved = new LinkedHashSet<>();
        for (int t : threadCounts) {
            if (t < 0 || t > NativePool.MAX_THREADS) {
                throw new IllegalArgumentException("threads = " + t + ": must be between 0 (all cores) and "
                        + NativePool.MAX_THREADS);
            }
            resolved.add(t == 0 ? Runtime.getRuntime().availableProcessors() : t);
        }
        if (resolved.isEmpty()) {
            throw new IllegalArgumentException("threadCounts is empty: give at least one thread count");
        }
        this.cases = cases;
        this.seed = seed;
        this.threadCounts = List.copyOf(resolved);
        this.runTimeout = null;
        this.workerExecutable = null;
    }

    private PortValidator(PortValidator v, Duration runTimeout, Path workerExecutable) {
        this.cases = v.cases;
        this.seed = v.seed;
        this.threadCounts = v.threadCounts;
        this.runTimeout = runTimeout;
        this.workerExecutable = workerExecutable;
    }

    /**
     * This validator, isolated: native code runs in worker processes first (see the class comment), each
     * run limited to {@code runTimeout}.
     *
     * @throws IllegalArgumentException if runTimeout is not positive
     */
    public PortValidator isolate(Duration runTimeout) {
        return isolate(runTimeout, null);
    }

    /**
     * As {@link #isolate(Duration)}, with the worker executable given (null = the one
     * {@link ProcessPool#create(int)} finds; tests give one built with test hooks).
     */
    public PortValidator isolate(Duration runTimeout, Path workerExecutable) {
        Objects.requireNonNull(runTimeout, "runTimeout must not be null");
        if (runTimeout.isNegative() || runTimeout.isZero()) {
            throw new IllegalArgumentException("runTimeout = " + runTimeout + ": must be positive");
        }
        return new PortValidator(this, runTimeout, workerExecutable);
    }

    /** Whether native code runs in worker processes first. */
    public boolean isolated() {
        return runTimeout != null;
    }

    /**
     * The runners to check: each serial strategy once, each parallel one at every thread count. Isolated,
     * native-process runs with the timeout, and the in-process native runners come last.
     */
    private List<Runner> openRunners() {
        List<Runner> runners = new ArrayList<>();
        List<Runner> inProcess = new ArrayList<>();
        try {
            for (Strategy s : Strategy.values()) {
                for (int t : s.isParallel() ? threadCounts : List.of(1)) {
                    if (!isolated()) {
                        runners.add(s.open(t));
                    } else if (s == Strategy.NATIVE_PROCESS) {
                        ProcessPool pool = workerExecutable == null ? ProcessPool.create(t)
                                : ProcessPool.create(t, workerExecutable);
                        runners.add(new Runners.ProcessPoolRunner(pool, runTimeout)); // each run limited to the timeout
                    } else if (isJava(s)) {
                        runners.add(s.open(t));
                    } else {
                        inProcess.add(s.open(t));
                    }
                }
            }
        } catch (RuntimeException e) {
            runners.forEach(Runner::close);
            inProcess.forEach(Runner::close);
            throw e;
        }
        runners.addAll(inProcess);
        return runners;
    }

    private static boolean isJava(Strategy s) {
        return s == Strategy.JAVA_SERIAL || s == Strategy.JAVA_POOL;
    }

    /** Whether {@code runner} runs native code in worker processes with a timeout (isolated validation only). */
    private boolean isolatedRunner(Runner runner) {
        return isolated() && runner.strategy() == Strategy.NATIVE_PROCESS;
    }

    /** A runner whose crash or hang the JVM would not survive: in-process native code. */
    private boolean unsafe(Runner runner) {
        return isolated() && !isolatedRunner(runner) && !isJava(runner.strategy());
    }

    /** Validates one kernel. */
    public <P, R> Report validate(Kernel<P, R> kernel) {
        return validate(kernel, report -> { });
    }

    /** Validates one kernel, telling {@code onCase} how many cases are done after each. */
    public <P, R> Report validate(Kernel<P, R> kernel, Consumer<Integer> onCase) {
        Objects.requireNonNull(kernel, "kernel must not be null");
        List<Runner> runners = openRunners();
        try {
            return validate(kernel, runners, onCase);
        } finally {
            runners.forEach(Runner::close);
        }
    }

    /** Validates one kernel on the given runners (left open). */
    <P, R> Report validate(Kernel<P, R> kernel, List<Runner> runners, Consumer<Integer> onCase) {
        List<Mismatch> mismatches = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        long runs = 0;
        List<P> edges = kernel.edgeCases();
        Set<Runner> failed = new LinkedHashSet<>(); // report each runner's first failure only
        // Isolated: an isolated runner crashed or hung, so in-process native code stops. The isolated runners
        // come first in the list, so this covers the case at hand. One that returned a wrong result goes on
        // running as a guard (not reported again) until one crashes or hangs: a wrong result alone does not
        // endanger the JVM, and the in-process strategies' own failures are worth seeing.
        boolean dangerous = false;
        for (int i = 0; i < cases; i++) {
            P problem = i < edges.size() ? edges.get(i)
                    : kernel.random(new SplittableRandom(seed + i), 1 + (i % 50) * 4);
            R expected = kernel.reference(problem);
            for (Runner runner : runners) {
                boolean guard = false;
                if (failed.contains(runner)) {
                    if (!isolatedRunner(runner) || dangerous) {
                        continue;
                    }
                    guard = true;
                }
                if (unsafe(runner) && dangerous) {
                    failed.add(runner);
                    skipped.add(runner.strategy().label() + " x" + runner.threads() + " from case " + i);
                    continue;
                }
                runs++;
                Failure failure = failureOf(kernel, runner, problem, expected);
                if (failure == null || (guard && !failure.endangers())) {
                    continue;
                }
                failed.add(runner);
                mismatches.add(shrink(kernel, runner, runners, problem, i, failure));
                dangerous |= isolatedRunner(runner) && failure.endangers();
            }
            onCase.accept(i + 1);
        }
        return new Report(kernel.name(), cases, runs, mismatches, skipped);
    }

    /** What a failing run produced, and how it differs from the reference. */
    private record Failure(String actual, String difference, Fault fault, int signal) {
        /** A crash or a hang: what the JVM would not survive in process. */
        boolean endangers() {
            return fault == Fault.CRASHED || fault == Fault.TIMED_OUT;
        }

        /** Whether a shrink candidate failing with {@code f} still shows this failure. */
        boolean sameAs(Failure f) {
            return switch (fault) {
                case WRONG_RESULT, THREW -> f.fault == Fault.WRONG_RESULT || f.fault == Fault.THREW;
                case CRASHED -> f.fault == Fault.CRASHED && f.signal == signal;
                case TIMED_OUT -> f.fault == Fault.TIMED_OUT;
            };
        }
    }

    /** Null when the runner agrees with the reference on this problem; a thrown exception is a mismatch. */
    private static <P, R> Failure failureOf(Kernel<P, R> kernel, Runner runner, P problem, R expected) {
        R actual;
        try {
            actual = runner.run(kernel, problem);
        } catch (WorkerCrashedException e) {
            String how = e.signal() == 0 ? "the worker exited" : WorkerProcess.signalName(e.signal());
            return new Failure("crashed: " + how, e.getMessage().lines().findFirst().orElse(how), Fault.CRASHED,
                    e.signal());
        } catch (JobTimeoutException e) {
            return new Failure("timed out after " + e.timeout().toMillis() + " ms", e.getMessage(), Fault.TIMED_OUT, 0);
        } catch (RuntimeException e) {
            return new Failure("threw " + e, "threw " + e, Fault.THREW, 0);
        }
        String difference = kernel.difference(expected, actual);
        return difference == null ? null
                : new Failure(kernel.describeResult(actual), difference, Fault.WRONG_RESULT, 0);
    }

    /**
     * Whether an in-process runner may try {@code candidate}: isolated, only once a worker pool computed it
     * without crashing or hanging (true when not isolated).
     */
    private <P, R> boolean safeToTry(Kernel<P, R> kernel, Runner runner, List<Runner> runners, P candidate, R expected) {
        if (!unsafe(runner)) {
            return true;
        }
        for (Runner r : runners) {
            if (isolatedRunner(r)) {
                Failure f = failureOf(kernel, r, candidate, expected);
                return f == null || !f.endangers();
            }
        }
        return false;
    }

    /**
     * Shrinks a failing problem. The report shows what the failing run itself produced, never a re-run:
     * a runner may not fail every time on the same input (AUTO may pick another strategy on the next
     * call), and a re-run would then show a "mismatch" whose expected and actual values agree.
     */
    private <P, R> Mismatch shrink(Kernel<P, R> kernel, Runner runner, List<Runner> runners, P failing, int caseIndex,
                                   Failure failure) {
        P current = failing;
        Failure currentFailure = failure;
        int steps = 0;
        int timedOut = 0;
        boolean progress = true;
        while (progress && steps < MAX_SHRINK_STEPS && timedOut < MAX_TIMED_OUT_TRIES) {
            progress = false;
            for (P candidate : kernel.shrink(current)) {
                if (candidate.equals(current)) {
                    continue;
                }
                steps++;
                if (isValid(kernel, candidate)) {
                    R expected = kernel.reference(candidate);
                    Failure f = safeToTry(kernel, runner, runners, candidate, expected)
                            ? failureOf(kernel, runner, candidate, expected) : null;
                    if (f != null && f.fault == Fault.TIMED_OUT) {
                        timedOut++;
                    }
                    if (f != null && failure.sameAs(f)) {
                        current = candidate;
                        currentFailure = f;
                        progress = true;
                        break;
                    }
                }
                if (steps >= MAX_SHRINK_STEPS || timedOut >= MAX_TIMED_OUT_TRIES) {
                    break;
                }
            }
        }
        return new Mismatch(kernel.name(), runner.strategy(), runner.threads(), seed, caseIndex,
                kernel.describe(current), kernel.describeResult(kernel.reference(current)), currentFailure.actual(),
                currentFailure.difference(), steps, currentFailure.fault(), currentFailure.signal());
    }

    private static <P> boolean isValid(Kernel<P, ?> kernel, P problem) {
        try {
            kernel.validate(problem);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
