package io.pcompute;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test kernel: libpcompute's gcd_brute (found by name) over two native segments of int64 values, the
 * way an application passes its own memory: the process pool reads segments it allocated in place.
 */
final class SegmentGcd extends Kernel<SegmentGcd.Problem, long[]> {
    record Problem(MemorySegment a, MemorySegment b) {}

    private final Runnable onFinish;

    SegmentGcd() {
        this(() -> { });
    }

    /** With {@code onFinish} run inside {@link #finish} (tests of what a kernel's finish() may do). */
    SegmentGcd(Runnable onFinish) {
        super("gcd_brute");
        this.onFinish = onFinish;
    }

    @Override
    public void validate(Problem p) {
        requireNonNull(p, "problem");
        long n = requireElements(p.a(), "a", ValueLayout.JAVA_LONG);
        if (requireElements(p.b(), "b", ValueLayout.JAVA_LONG) != n) {
            throw new IllegalArgumentException("a and b differ in length");
        }
    }

    @Override
    public long items(Problem p) {
        return p.a().byteSize() / 8;
    }

    @Override
    public Buffers buffers(Problem p) {
        return new Buffers().in(0, p.a(), ValueLayout.JAVA_LONG).in(1, p.b(), ValueLayout.JAVA_LONG)
                .out(0, new long[(int) items(p)]);
    }

    @Override
    public void reference(Buffers b, long begin, long end) {
        throw new UnsupportedOperationException("tests compare with Gcd.BRUTE.apply");
    }

    @Override
    public long[] finish(Problem p, Buffers b) {
        onFinish.run();
        return b.longOut(0);
    }

    @Override
    public String difference(long[] expected, long[] actual) {
        return Arrays.equals(expected, actual) ? null : "results differ";
    }

    @Override
    public Problem random(SplittableRandom random, int size) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Problem> edgeCases() {
        return List.of();
    }

    @Override
    public List<Problem> shrink(Problem p) {
        return List.of();
    }

    @Override
    public String describe(Problem p) {
        return items(p) + " pairs in segments";
    }

    @Override
    public String describeResult(long[] r) {
        return Arrays.toString(r);
    }
}
