package io.pcompute;

/**
 * Told how many more items a run has finished, possibly from several threads at once (implementations
 * must be thread-safe, e.g. a LongAdder). Native strategies report at the granularity they can observe.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores progress. */
    ProgressListener NONE = items -> { };

    /** {@code items} more items are done. */
    void advance(long items);
}
