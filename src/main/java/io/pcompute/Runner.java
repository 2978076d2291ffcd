package io.pcompute;

/**
 * One way of computing a kernel over arrays of pairs — the seed experiment's comparison: open one per
 * {@link Strategy}, call {@link #apply} as often as needed, close it to release its threads.
 * Every runner returns exactly what the {@link JavaReference} returns, element for element.
 */
public interface Runner extends AutoCloseable {
    /** The strategy this runner implements. */
    Strategy strategy();

    /** The number of threads it computes on (1 for the serial strategies). */
    int threads();

    /**
     * Returns {@code out} with {@code out[k] = kernel(a[k], b[k])}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lengths differ or an element is invalid for the kernel
     */
    default long[] apply(Kernel kernel, long[] a, long[] b) {
        return apply(kernel, a, b, ProgressListener.NONE);
    }

    /** As {@link #apply(Kernel, long[], long[])}, reporting progress as it goes. */
    long[] apply(Kernel kernel, long[] a, long[] b, ProgressListener progress);

    /** Releases the runner's threads (and native pool); idempotent. */
    @Override
    void close();
}
