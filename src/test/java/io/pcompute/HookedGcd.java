package io.pcompute;

import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernel.Buffers;
import io.pcompute.kernels.Gcd;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A user's kernel (Kernel has a protected constructor): gcd_fast whose validate() and finish() first run a
 * hook, so that a test can hold a call at that point or see which thread runs it.
 */
final class HookedGcd extends Kernel<Pairs, long[]> {
    private final Runnable onValidate;
    private final Runnable onFinish;

    HookedGcd(Runnable onValidate, Runnable onFinish) {
        super("gcd_fast");
        this.onValidate = onValidate;
        this.onFinish = onFinish;
    }

    @Override
    public void validate(Pairs p) {
        onValidate.run();
        Gcd.FAST.validate(p);
    }

    @Override
    public long items(Pairs p) {
        return Gcd.FAST.items(p);
    }

    @Override
    public Buffers buffers(Pairs p) {
        return Gcd.FAST.buffers(p);
    }

    @Override
    public void reference(Buffers b, long begin, long end) {
        Gcd.FAST.reference(b, begin, end);
    }

    @Override
    public long[] finish(Pairs p, Buffers b) {
        onFinish.run();
        return Gcd.FAST.finish(p, b);
    }

    @Override
    public String difference(long[] e, long[] a) {
        return Gcd.FAST.difference(e, a);
    }

    @Override
    public Pairs random(SplittableRandom r, int size) {
        return Gcd.FAST.random(r, size);
    }

    @Override
    public List<Pairs> edgeCases() {
        return Gcd.FAST.edgeCases();
    }

    @Override
    public List<Pairs> shrink(Pairs p) {
        return Gcd.FAST.shrink(p);
    }

    @Override
    public String describe(Pairs p) {
        return Gcd.FAST.describe(p);
    }

    @Override
    public String describeResult(long[] r) {
        return Gcd.FAST.describeResult(r);
    }

    /** Waits for {@code latch}, ignoring interrupts (a hook must hold its thread until the test says so). */
    static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // keep waiting
            }
        }
    }
}
