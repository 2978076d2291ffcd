package io.pcompute;

import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.PairKernel;
import io.pcompute.kernel.Pairs;

/**
 * One way of computing kernels — the seed experiment's comparison: open one per {@link Strategy}, run
 * kernels as often as needed, close it to release its threads. Every runner returns what the kernel's
 * Java reference returns, under the kernel's comparison rule.
 */
public interface Runner extends AutoCloseable {
    /** The strategy this runner implements. */
    Strategy strategy();

    /** The number of threads it computes on (1 for the serial strategies). */
    int threads();

    /**
     * Computes {@code kernel} over {@code problem}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException naming what is invalid in the problem
     */
    default <P, R> R run(Kernel<P, R> kernel, P problem) {
        return run(kernel, problem, ProgressListener.NONE);
    }

    /** As {@link #run(Kernel, Object)}, reporting progress in items as it goes. */
    <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress);

    /** A pair kernel: returns {@code out} with {@code out[k] = kernel(a[k], b[k])}. */
    default long[] apply(PairKernel kernel, long[] a, long[] b) {
        return run(kernel, new Pairs(a, b));
    }

    /** As {@link #apply(PairKernel, long[], long[])}, reporting progress. */
    default long[] apply(PairKernel kernel, long[] a, long[] b, ProgressListener progress) {
        return run(kernel, new Pairs(a, b), progress);
    }

    /**
     * Runs {@code kernel} over {@code problem} until this runner's next call on problems of its size is in
     * steady state, and returns how many calls that took. Fixed strategies need one call (JIT, first touch
     * of memory); {@link Strategy#AUTO} keeps going until it has timed its candidates for this size group
     * (at least 3 calls each, about 2 ms of calls for cheap problems, at most 32 each), then, the first
     * time for that group, runs each candidate it tried untimed until its Java path is compiled (up to
     * 12,000 calls or 250 ms each, at least 2 calls), forgets the first timings and times them again, so
     * that no candidate is judged on its interpreted path. An application can pay for that at start-up
     * rather than on its first real requests.
     */
    default <P, R> int warmUp(Kernel<P, R> kernel, P problem) {
        run(kernel, problem);
        return 1;
    }

    /** Releases the runner's threads (and native pool); idempotent. */
    @Override
    void close();
}
