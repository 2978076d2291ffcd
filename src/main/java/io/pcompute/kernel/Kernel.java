package io.pcompute.kernel;

import io.pcompute.internal.KernelAccess;
import io.pcompute.internal.Segments;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * <p>Where the C code lives: a built-in kernel is found in libpcompute by its name ({@link #Kernel(String)});
 * an application's kernel names its own shared library and symbol ({@link #Kernel(String, NativeKernel)},
 * {@link NativeLibrary#kernel}). A kernel with neither runs on the Java strategies only. Declare kernels as
 * {@code public static final} constants in the application's own package, and list them for the command
 * line and the validator through a {@link KernelProvider}.
 *
 * @param <P> the problem (inputs and parameters)
 * @param <R> the result
 */
public abstract class Kernel<P, R> {
    static {
        KernelAccess.install(new Bridge());
    }

    private final String name;
    private final NativeKernel nativeKernel;

    /** A kernel whose C code, if any, is libpcompute's kernel of the same name. */
    protected Kernel(String name) {
        this.name = requireName(name);
        this.nativeKernel = null;
    }

    /**
     * A kernel whose C code is {@code nativeKernel}, a symbol of an application's shared library. The
     * descriptor's name, when it has one, must be {@code name}: that catches a kernel bound to the wrong
     * symbol.
     *
     * @throws IllegalArgumentException if the descriptor names another kernel
     */
    protected Kernel(String name, NativeKernel nativeKernel) {
        this.name = requireName(name);
        this.nativeKernel = requireNonNull(nativeKernel, "nativeKernel");
        String declared = nativeKernel.descriptorName();
        if (declared != null && !declared.equals(name)) {
            throw new IllegalArgumentException("kernel '" + name + "': " + nativeKernel + " declares a kernel named '"
                    + declared + "' (bound to the wrong symbol?)");
        }
    }

    private static String requireName(String name) {
        requireNonNull(name, "name");
        if (!name.matches("[A-Za-z][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("name = '" + name + "': must be 1-64 letters, digits, '_', '.' or '-', "
                    + "starting with a letter");
        }
        return name;
    }

    /** The application's C code of this kernel, or null for a built-in (or Java-only) kernel. */
    public final NativeKernel nativeKernel() {
        return nativeKernel;
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

    /** Items per task for {@code n} items in blocks of {@code block}, for {@code threads} workers. */
    final long chunkSize(long n, long block, int threads) {
        long target = (long) Math.max(threads, 1) * tasksPerThread();
        long chunk = Math.max(minChunk(), (n + target - 1) / target);
        return Math.max(block, (chunk + block - 1) / block * block);
    }

    /** What pcompute's strategies need of kernels and buffers beyond the public contract. */
    private static final class Bridge extends KernelAccess {
        @Override
        protected long chunk(Kernel<?, ?> kernel, long n, long block, int threads) {
            return kernel.chunkSize(n, block, threads);
        }

        @Override
        protected Object rawInput(Buffers buffers, int slot) {
            return buffers.rawInput(slot);
        }

        @Override
        protected Object rawOutput(Buffers buffers, int slot) {
            return buffers.rawOutput(slot);
        }

        @Override
        protected void copyInputs(Buffers buffers) {
            buffers.copySegmentInputs();
        }

        @Override
        protected MemorySegment acquireDescriptor(NativeKernel kernel) {
            return kernel.acquire();
        }

        @Override
        protected void releaseDescriptor(NativeKernel kernel) {
            kernel.release();
        }
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
        return requireElements(segment, name, ValueLayout.JAVA_LONG);
    }

    /**
     * Checks a caller's segment of {@code layout}'s elements (see {@link Buffers#in(int, MemorySegment,
     * ValueLayout)}) that native code will read in place — alive, native, aligned to and a whole number of
     * elements, accessible from the calling thread, at most {@link #MAX_SEGMENT_VALUES} of them — and returns
     * how many it holds.
     *
     * @throws IllegalArgumentException naming {@code name} and what is wrong
     */
    protected static long requireElements(MemorySegment segment, String name, ValueLayout layout) {
        long size = Buffers.ElementType.of(layout).size();
        Segments.check(segment, name, Thread.currentThread(), size);
        long n = segment.byteSize() / size;
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
