package io.pcompute;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A kernel's finish() may wait for another job of the same pool (a review found that, when one job thread
 * ran every submitted job, join() of a later job inside finish() wedged the pool for good; each job now has
 * its own thread).
 */
class ProcessJobFinishTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    /** gcd_fast over Pairs whose finish() first runs a hook. */
    static final class HookedFinish extends Kernel<Pairs, long[]> {
        volatile Supplier<Object> hook = () -> null;

        HookedFinish() {
            super("gcd_fast");
        }

        @Override
        public void validate(Pairs p) {
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
            hook.get();
            return Gcd.FAST.finish(p, b);
        }

        @Override
        public String difference(long[] expected, long[] actual) {
            return Arrays.equals(expected, actual) ? null : "differ";
        }

        @Override
        public Pairs random(SplittableRandom random, int size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Pairs> edgeCases() {
            return List.of();
        }

        @Override
        public List<Pairs> shrink(Pairs p) {
            return List.of();
        }

        @Override
        public String describe(Pairs p) {
            return "pairs";
        }

        @Override
        public String describeResult(long[] r) {
            return Arrays.toString(r);
        }
    }

    @Test
    @Timeout(60)
    void joiningALaterJobInsideFinishWaitsForItInsteadOfWedgingThePool() throws Exception {
        Pairs p = new Pairs(new long[] {12, 35}, new long[] {18, 14});
        try (ProcessPool pool = ProcessPool.create(1)) {
            HookedFinish kernel = new HookedFinish();
            java.util.concurrent.atomic.AtomicReference<Object> followUp = new java.util.concurrent.atomic.AtomicReference<>();
            kernel.hook = () -> { // e.g. a follow-up job whose result finish() needs
                followUp.set(pool.submit(Gcd.FAST, p).join());
                return null;
            };
            ProcessJob<long[]> first = pool.submit(kernel, p);
            try {
                assertArrayEquals(new long[] {6, 7}, first.future().get(30, TimeUnit.SECONDS));
            } catch (TimeoutException wedged) {
                pool.workerPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                fail("finish() joining a job queued behind it wedged the pool");
            }
            assertArrayEquals(new long[] {6, 7}, (long[]) followUp.get());
        }
    }
}
