package io.pcompute;

import java.lang.foreign.MemorySegment;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The contract of a kernel: one declaration from which the strategies, the port validator, the command
 * line and the benchmarks all work. A declaration states
 * <ul>
 *   <li>its name (the C library's name for it, which links the two) and the problem and result types;</li>
 *   <li>how a problem maps to {@link Buffers} (the C side's {@code pc_args}) and how many items it has,
 *       in blocks of how many items per partial result;</li>
 *   <li>its Java reference over a range of items — the definition of correct — and how raw outputs
 *       become a result;</li>
 *   <li>its comparison rule ({@link #difference}), input generator, edge cases and shrinking steps.</li>
 * </ul>
 * Declarations live in {@code io.pcompute.kernels}; {@link Kernels} finds them.
 *
 * @param <P> the problem (inputs and parameters)
 * @param <R> the result
 */
public abstract class Kernel<P, R> {
    private final String name;

    protected Kernel(String name) {
        this.name = name;
    }

    /** The kernel's name, as the C library knows it (e.g. {@code gcd_brute}). */
    public final String name() {
        return name;
    }

    @Override
    public final String toString() {
        return name;
    }

    // ---- shape -----------------------------------------------------------------------------------

    /**
     * Checks a problem before anything runs.
     *
     * @throws NullPointerException if part of it is null
     * @throws IllegalArgumentException naming the argument and value that are wrong
     */
    public abstract void validate(P problem);

    /** The number of work items strategies split among tasks. */
    public abstract long items(P problem);

    /** Items per partial result: every task covers whole blocks. 1 for element-wise kernels. */
    public long block(P problem) {
        return 1;
    }

    /** The problem's buffers: inputs filled, outputs allocated, parameters set. */
    public abstract Buffers buffers(P problem);

    /** The Java reference over items [begin, end): writes the raw outputs the C kernel writes. */
    public abstract void reference(Buffers buffers, long begin, long end);

    /** The result from raw outputs, combined in a fixed order whatever the split. */
    public abstract R finish(P problem, Buffers buffers);

    /** The Java reference for a whole problem: the definition of what every strategy must return. */
    public final R reference(P problem) {
        validate(problem);
        Buffers buffers = buffers(problem);
        reference(buffers, 0, items(problem));
        return finish(problem, buffers);
    }

    // ---- comparison --------------------------------------------------------------------------------

    /**
     * Null when {@code actual} is equivalent to {@code expected} under this kernel's rule (exact for
     * integers; for floating point the bound the declaration states, NaN matching NaN), else what differs.
     */
    public abstract String difference(R expected, R actual);

    // ---- generation --------------------------------------------------------------------------------

    /** A random valid problem; {@code size} (at least 1) bounds its work roughly. */
    public abstract P random(SplittableRandom random, int size);

    /** Valid problems at the edges: empty, single item, lengths straddling task boundaries, extremes. */
    public abstract List<P> edgeCases();

    /** Smaller or simpler variants of a problem, most aggressive first, for shrinking counterexamples. */
    public abstract List<P> shrink(P problem);

    /** A short, complete description of a problem, enough to reproduce it. */
    public abstract String describe(P problem);

    /** A short description of a result. */
    public abstract String describeResult(R result);

    // ---- splitting ---------------------------------------------------------------------------------

    /**
     * How many tasks per thread the parallel strategies aim for: many for kernels whose items cost very
     * different amounts (dynamic pulling then balances them), few for uniform ones.
     */
    protected int tasksPerThread() {
        return 8;
    }

    /** The fewest items worth one task (amortises the hand-out). */
    protected long minChunk() {
        return 1;
    }

    /** Items per task for {@code threads} workers: a whole number of blocks. */
    final long chunkSize(P problem, int threads) {
        return chunkSize(items(problem), block(problem), threads);
    }

    /** Items per task for {@code n} items in blocks of {@code block}, for {@code threads} workers. */
    final long chunkSize(long n, long block, int threads) {
        long target = (long) Math.max(threads, 1) * tasksPerThread();
        long chunk = Math.max(minChunk(), (n + target - 1) / target);
        return Math.max(block, (chunk + block - 1) / block * block);
    }

    // ---- shared helpers for declarations ------------------------------------------------------------

    protected static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    /** The most values a segment input may hold: the Java strategies read it as one array. */
    public static final long MAX_SEGMENT_VALUES = Integer.MAX_VALUE - 8;

    /**
     * Checks a caller's segment of 8-byte values (int64 or double) that native code will read in place —
     * alive, native, 8-byte aligned, a whole number of values, accessible from the calling thread, at most
     * {@link #MAX_SEGMENT_VALUES} values — and returns how many values it holds.
     *
     * @throws IllegalArgumentException naming {@code name} and what is wrong
     */
    protected static long requireValues(MemorySegment segment, String name) {
        Segments.check(segment, name, Thread.currentThread());
        long n = segment.byteSize() / 8;
        if (n > MAX_SEGMENT_VALUES) {
            throw new IllegalArgumentException(name + " holds " + n + " values: at most " + MAX_SEGMENT_VALUES
                    + " (the Java strategies read it as one array)");
        }
        return n;
    }

    /** Number of blocks of {@code block} items in {@code n} items. */
    protected static int blocks(long n, long block) {
        return Math.toIntExact((n + block - 1) / block);
    }
}
