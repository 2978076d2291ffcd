package io.pcompute.validate;

import io.pcompute.kernel.Kernel;
import io.pcompute.Strategy;
import io.pcompute.Runner;
import io.pcompute.NativePool;
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
 */
public final class PortValidator {
    /** A result that differs from the reference, shrunk to a small problem that still shows it. */
    public record Mismatch(String kernel, Strategy strategy, int threads, long seed, int caseIndex,
                           String minimalInput, String expected, String actual, String difference, int shrinkSteps) {
        @Override
        public String toString() {
            return "MISMATCH kernel " + kernel + ", strategy " + strategy.label() + ", threads " + threads
                    + ", seed " + seed + ", case " + caseIndex + " (shrunk in " + shrinkSteps + " steps)"
                    + "\n  input:    " + minimalInput
                    + "\n  expected: " + expected
                    + "\n  actual:   " + actual
                    + "\n  differs:  " + difference;
        }
    }

    /** What one kernel's validation did and found. */
    public record Report(String kernel, int cases, long runs, List<Mismatch> mismatches) {
        public boolean passed() {
            return mismatches.isEmpty();
        }
    }

    private static final int MAX_SHRINK_STEPS = 2000;

    private final int cases;
    private final long seed;
    private final List<Integer> threadCounts;

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
    }

    /** The runners to check: each serial strategy once, each parallel one at every thread count. */
    private List<Runner> openRunners() {
        List<Runner> runners = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            for (int t : s.isParallel() ? threadCounts : List.of(1)) {
                runners.add(s.open(t));
            }
        }
        return runners;
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
        long runs = 0;
        List<P> edges = kernel.edgeCases();
        Set<Runner> failed = new LinkedHashSet<>(); // report each runner's first failure only
        for (int i = 0; i < cases; i++) {
            P problem = i < edges.size() ? edges.get(i)
                    : kernel.random(new SplittableRandom(seed + i), 1 + (i % 50) * 4);
            R expected = kernel.reference(problem);
            for (Runner runner : runners) {
                if (failed.contains(runner)) {
                    continue;
                }
                runs++;
                Failure failure = failureOf(kernel, runner, problem, expected);
                if (failure != null) {
                    failed.add(runner);
                    mismatches.add(shrink(kernel, runner, problem, i, failure));
                }
            }
            onCase.accept(i + 1);
        }
        return new Report(kernel.name(), cases, runs, mismatches);
    }

    /** What a failing run produced, and how it differs from the reference. */
    private record Failure(String actual, String difference) {}

    /** Null when the runner agrees with the reference on this problem; a thrown exception is a mismatch. */
    private static <P, R> Failure failureOf(Kernel<P, R> kernel, Runner runner, P problem, R expected) {
        R actual;
        try {
            actual = runner.run(kernel, problem);
        } catch (RuntimeException e) {
            return new Failure("threw " + e, "threw " + e);
        }
        String difference = kernel.difference(expected, actual);
        return difference == null ? null : new Failure(kernel.describeResult(actual), difference);
    }

    /**
     * Shrinks a failing problem. The report shows what the failing run itself produced, never a re-run:
     * a runner may not fail every time on the same input (AUTO may pick another strategy on the next
     * call), and a re-run would then show a "mismatch" whose expected and actual values agree.
     */
    private <P, R> Mismatch shrink(Kernel<P, R> kernel, Runner runner, P failing, int caseIndex, Failure failure) {
        P current = failing;
        Failure currentFailure = failure;
        int steps = 0;
        boolean progress = true;
        while (progress && steps < MAX_SHRINK_STEPS) {
            progress = false;
            for (P candidate : kernel.shrink(current)) {
                if (candidate.equals(current)) {
                    continue;
                }
                steps++;
                if (isValid(kernel, candidate)) {
                    Failure f = failureOf(kernel, runner, candidate, kernel.reference(candidate));
                    if (f != null) {
                        current = candidate;
                        currentFailure = f;
                        progress = true;
                        break;
                    }
                }
                if (steps >= MAX_SHRINK_STEPS) {
                    break;
                }
            }
        }
        return new Mismatch(kernel.name(), runner.strategy(), runner.threads(), seed, caseIndex,
                kernel.describe(current), kernel.describeResult(kernel.reference(current)), currentFailure.actual(),
                currentFailure.difference(), steps);
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
