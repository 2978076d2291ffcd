package io.pcompute.kernel;

/**
 * A kernel over pairs of int64 values, {@code out[k] = apply(a[k], b[k])} — the shape of the origin
 * workload. Besides the general contract, pair kernels accept native segments zero-copy
 * ({@link io.pcompute.NativePool#run(PairKernel, java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment,
 * java.lang.foreign.MemorySegment)}).
 */
public abstract class PairKernel extends Kernel<Pairs, long[]> {
    private final long minInput;
    private final String inputRule;

    /**
     * @param minInput  the smallest valid input value
     * @param inputRule how users read that rule in messages, e.g. "positive"
     */
    protected PairKernel(String name, long minInput, String inputRule) {
        super(name);
        this.minInput = minInput;
        this.inputRule = inputRule;
    }

    /** The Java reference for one pair. */
    public abstract long apply(long a, long b);

    /** True when one call over {@code n} pairs is short enough to run without a safepoint (critical). */
    public boolean isShortCall(long n) {
        return false;
    }

    @Override
    public void validate(Pairs problem) {
        requireNonNull(problem, "pairs");
        long[] a = requireNonNull(problem.a(), "a");
        long[] b = requireNonNull(problem.b(), "b");
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "b.length = " + b.length + ": must equal a.length = " + a.length + " (one b per a)");
        }
        for (int k = 0; k < a.length; k++) {
            checkInput("a", k, a[k]);
            checkInput("b", k, b[k]);
        }
    }

    /** Throws the message users see for an invalid element, e.g. {@code b[3] = -5: ... must be positive}. */
    public final void checkInput(String name, long index, long value) {
        if (value < minInput) {
            throw new IllegalArgumentException(
                    name + "[" + index + "] = " + value + ": " + name() + " inputs must be " + inputRule);
        }
    }

    @Override
    public long items(Pairs problem) {
        return problem.a().length;
    }

    @Override
    public Buffers buffers(Pairs problem) {
        return new Buffers().in(0, problem.a()).in(1, problem.b()).out(0, new long[problem.a().length]);
    }

    @Override
    public void reference(Buffers buffers, long begin, long end) {
        long[] a = buffers.longIn(0);
        long[] b = buffers.longIn(1);
        long[] out = buffers.longOut(0);
        for (int k = (int) begin; k < end; k++) {
            out[k] = apply(a[k], b[k]);
        }
    }

    @Override
    public long[] finish(Pairs problem, Buffers buffers) {
        return buffers.longOut(0);
    }

    @Override
    public String difference(long[] expected, long[] actual) {
        return Compare.exact(expected, actual);
    }

    @Override
    public String describe(Pairs problem) {
        return problem.a().length + " pairs " + Shrink.preview(problem.a(), problem.b());
    }

    @Override
    public String describeResult(long[] result) {
        return Shrink.preview(result);
    }
}
