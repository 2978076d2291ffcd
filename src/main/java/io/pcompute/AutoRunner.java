package io.pcompute;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Strategy#AUTO}: per call, the serial or pooled, Java or native runner that should be fastest.
 *
 * <p>It measures. Problems are grouped per kernel by size (powers of two of their item count); in each
 * group AUTO first times every candidate a few times — the first run of each is discarded (JIT, caches,
 * first-touch memory) — and from then on uses the fastest it saw. Which candidates are tried comes from a
 * cost model (calibrated once per kernel on its own generated problems: about {@code c} ns per item in
 * Java and {@code n} in native code): problems estimated above {@value #EXPLORE_LIMIT_NS} ns only try the
 * two pools, since trying a serial run on a large problem costs real time and a pool wins there.
 */
final class AutoRunner implements Runner {
    /** Cost of handing a job to pool threads and seeing it complete, measured by the handoff benchmark. */
    static final long HANDOFF_NS = 30_000;
    static final int PARALLEL_BREAK_EVEN_FACTOR = 4;
    /** Problems estimated below this many ns are cheap enough to try the serial strategies on too. */
    static final long EXPLORE_LIMIT_NS = 20_000_000;
    /** Timed runs per candidate; the first one is discarded. */
    private static final int TRIALS = 3;
    private static final Strategy[] CANDIDATES = {Strategy.JAVA_SERIAL, Strategy.NATIVE_SERIAL, Strategy.JAVA_POOL,
            Strategy.NATIVE_POOL};

    /** Per kernel and size group: the fastest time seen per candidate, and how often each was tried. */
    private static final class Trials {
        final long[] bestNs = new long[CANDIDATES.length];
        final int[] count = new int[CANDIDATES.length];

        Trials() {
            java.util.Arrays.fill(bestNs, Long.MAX_VALUE);
        }

        /** The candidate to try next, or -1 when every one has had its trials. */
        synchronized int untried(boolean parallelAllowed, boolean serialAllowed) {
            for (int i = 0; i < CANDIDATES.length; i++) {
                boolean allowed = CANDIDATES[i].isParallel() ? parallelAllowed : serialAllowed;
                if (allowed && count[i] < TRIALS) {
                    return i;
                }
            }
            return -1;
        }

        synchronized void record(int i, long ns) {
            if (count[i]++ > 0) { // the first run pays for warm-up
                bestNs[i] = Math.min(bestNs[i], ns);
            }
        }

        synchronized Strategy fastest() {
            int best = 0;
            for (int i = 1; i < CANDIDATES.length; i++) {
                if (bestNs[i] < bestNs[best]) {
                    best = i;
                }
            }
            return CANDIDATES[best];
        }
    }

    private final Map<String, Trials> trials = new ConcurrentHashMap<>();

    /** Calibrated ns per item, per kernel name: {java, native}. */
    private static final Map<String, double[]> COSTS = new ConcurrentHashMap<>();

    private final int threads;
    private final Runner javaSerial = new Runners.JavaSerial();
    private final Runner nativeSerial = new Runners.NativeSerial();
    private volatile Runner javaPool;
    private volatile Runner nativePool;

    AutoRunner(int threads) {
        this.threads = threads;
    }

    @Override
    public Strategy strategy() {
        return Strategy.AUTO;
    }

    @Override
    public int threads() {
        return threads;
    }

    /** The strategy the cost model picks for this problem. */
    <P, R> Strategy choose(Kernel<P, R> kernel, P problem) {
        double[] cost = COSTS.computeIfAbsent(kernel.name(), name -> calibrate(kernel));
        boolean nativeFaster = cost[1] < cost[0];
        double serialNs = kernel.items(problem) * Math.min(cost[0], cost[1]);
        boolean parallel = threads > 1 && serialNs > PARALLEL_BREAK_EVEN_FACTOR * HANDOFF_NS;
        if (parallel) {
            return nativeFaster ? Strategy.NATIVE_POOL : Strategy.JAVA_POOL;
        }
        return nativeFaster ? Strategy.NATIVE_SERIAL : Strategy.JAVA_SERIAL;
    }

    private <P, R> double estimatedSerialNs(Kernel<P, R> kernel, P problem) {
        double[] cost = COSTS.computeIfAbsent(kernel.name(), name -> calibrate(kernel));
        return kernel.items(problem) * Math.min(cost[0], cost[1]);
    }

    @Override
    public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
        Kernel.requireNonNull(kernel, "kernel");
        kernel.validate(problem);
        boolean parallel = threads > 1;
        Trials t = trialsFor(kernel, problem);
        int next = t.untried(parallel, !isLarge(kernel, problem) || !parallel);
        if (next < 0) {
            return runner(t.fastest()).run(kernel, problem, progress);
        }
        long start = System.nanoTime();
        R result = runner(CANDIDATES[next]).run(kernel, problem, progress);
        t.record(next, System.nanoTime() - start);
        return result;
    }

    @Override
    public <P, R> int warmUp(Kernel<P, R> kernel, P problem) {
        int calls = 0;
        do {
            run(kernel, problem);
            calls++;
        } while (trialsFor(kernel, problem).untried(threads > 1, !isLarge(kernel, problem) || threads <= 1) >= 0);
        return calls;
    }

    private <P, R> boolean isLarge(Kernel<P, R> kernel, P problem) {
        return estimatedSerialNs(kernel, problem) > EXPLORE_LIMIT_NS;
    }

    private <P, R> Trials trialsFor(Kernel<P, R> kernel, P problem) {
        long items = kernel.items(problem);
        return trials.computeIfAbsent(kernel.name() + "/" + (64 - Long.numberOfLeadingZeros(items)),
                key -> new Trials());
    }

    private synchronized Runner runner(Strategy s) {
        return switch (s) {
            case JAVA_SERIAL -> javaSerial;
            case NATIVE_SERIAL -> nativeSerial;
            case JAVA_POOL -> javaPool != null ? javaPool : (javaPool = Strategy.JAVA_POOL.open(threads));
            case NATIVE_POOL -> nativePool != null ? nativePool : (nativePool = Strategy.NATIVE_POOL.open(threads));
            case AUTO -> throw new IllegalStateException("AUTO never delegates to itself");
        };
    }

    /** {java, native} ns per item: best of 5 timed runs over generated problems, after 2 warm-up rounds. */
    private static <P, R> double[] calibrate(Kernel<P, R> kernel) {
        SplittableRandom random = new SplittableRandom(0xCA11B);
        List<P> samples = new java.util.ArrayList<>();
        long items = 0;
        while (samples.size() < 8 && items < 20_000) {
            P p = kernel.random(random, 200);
            samples.add(p);
            items += kernel.items(p);
        }
        if (items == 0) {
            return new double[] {1, 1};
        }
        Runner[] runners = {new Runners.JavaSerial(), new Runners.NativeSerial()};
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        try {
            measure(kernel, samples, items, runners, best);
        } finally {
            for (Runner r : runners) {
                r.close();
            }
        }
        return best;
    }

    private static <P, R> void measure(Kernel<P, R> kernel, List<P> samples, long items, Runner[] runners,
                                       double[] best) {
        for (int round = 0; round < 7; round++) {
            for (int r = 0; r < 2; r++) {
                long start = System.nanoTime();
                for (P p : samples) {
                    runners[r].run(kernel, p);
                }
                long elapsed = System.nanoTime() - start;
                if (round >= 2) {
                    best[r] = Math.min(best[r], (double) elapsed / items);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        nativeSerial.close();
        if (javaPool != null) {
            javaPool.close();
        }
        if (nativePool != null) {
            nativePool.close();
        }
    }
}
