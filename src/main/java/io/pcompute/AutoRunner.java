package io.pcompute;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Strategy#AUTO}: per call, the serial or pooled, Java or native runner that should be fastest.
 *
 * <p>The model: a kernel costs about {@code c} ns per item in Java and {@code n} ns per item in native code
 * (calibrated once per kernel, on its own generated problems, as the best of a few timed runs after a
 * warm-up); a pool adds a hand-off of about {@value #HANDOFF_NS} ns and divides the rest by its threads.
 * AUTO takes the cheaper implementation and goes parallel only when the estimated serial time exceeds
 * {@value #PARALLEL_BREAK_EVEN_FACTOR} hand-offs.
 */
final class AutoRunner implements Runner {
    /** Cost of handing a job to pool threads and seeing it complete, measured by the handoff benchmark. */
    static final long HANDOFF_NS = 30_000;
    static final int PARALLEL_BREAK_EVEN_FACTOR = 4;

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

    /** The strategy AUTO uses for this problem. */
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

    @Override
    public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
        Kernel.requireNonNull(kernel, "kernel");
        kernel.validate(problem);
        return runner(choose(kernel, problem)).run(kernel, problem, progress);
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
