package io.pcompute;

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

    /** Releases the runner's threads (and native pool); idempotent. */
    @Override
    void close();
}
