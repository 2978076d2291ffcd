package io.pcompute.internal;

import io.pcompute.NativePool;
import io.pcompute.ProcessPool;
import io.pcompute.ProgressListener;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.Job;
import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The four {@link Strategy} implementations. */
public final class Runners {
    private Runners() {}

    /**
     * The runners that fill a problem's {@link Buffers} themselves: validation, buffers and the final
     * combination are shared; {@link #compute} writes the raw outputs of items [0, n).
     */
    abstract static class BufferRunner implements Runner {
        private volatile boolean closed;

        @Override
        public final <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
            requireOpen(closed, this);
            Objects.requireNonNull(kernel, "kernel must not be null");
            kernel.validate(problem);
            Objects.requireNonNull(progress, "progress must not be null");
            return runValidated(kernel, problem, progress);
        }

        /** As {@link #run}, for a caller (AUTO) that has validated the problem and checked its arguments. */
        final <P, R> R runValidated(Kernel<P, R> kernel, P problem, ProgressListener progress) {
            requireOpen(closed, this);
            Buffers buffers = kernel.buffers(problem);
            compute(kernel, problem, buffers, kernel.items(problem), progress);
            return kernel.finish(problem, buffers);
        }

        abstract <P, R> void compute(Kernel<P, R> kernel, P problem, Buffers buffers, long n, ProgressListener progress);

        @Override
        public final void close() {
            closed = true;
            release();
        }

        /** Releases the runner's threads or memory; idempotent. */
        abstract void release();
    }

    /** Every runner throws the same exception when used after {@link Runner#close()}. */
    public static void requireOpen(boolean closed, Runner runner) {
        if (closed) {
            throw closedException(runner);
        }
    }

    public static IllegalStateException closedException(Runner runner) {
        return new IllegalStateException("this " + runner.strategy().label() + " runner is closed");
    }

    public static final class JavaSerial extends BufferRunner {
        @Override
        public Strategy strategy() {
            return Strategy.JAVA_SERIAL;
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        <P, R> void compute(Kernel<P, R> kernel, P problem, Buffers buffers, long n, ProgressListener progress) {
            KernelAccess.copySegmentInputs(buffers);
            long chunk = KernelAccess.chunkSize(kernel, problem, 1);
            for (long begin = 0; begin < n; begin += chunk) {
                long end = Math.min(n, begin + chunk);
                kernel.reference(buffers, begin, end);
                progress.advance(end - begin);
            }
        }

        @Override
        void release() {
        }
    }

    /** Java threads pulling chunks from a shared counter, as the native pool's workers do. */
    public static final class JavaPool extends BufferRunner {
        private final int threads;
        private final ExecutorService executor;

        public JavaPool(int threads) {
            this.threads = threads;
            AtomicInteger ids = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "pcompute-java-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.executor = Executors.newFixedThreadPool(threads, factory);
        }

        @Override
        public Strategy strategy() {
            return Strategy.JAVA_POOL;
        }

        @Override
        public int threads() {
            return threads;
        }

        @Override
        <P, R> void compute(Kernel<P, R> kernel, P problem, Buffers buffers, long n, ProgressListener progress) {
            KernelAccess.copySegmentInputs(buffers); // here, on the thread the caller's segments belong to
            long chunk = KernelAccess.chunkSize(kernel, problem, threads);
            AtomicLong next = new AtomicLong();
            List<Future<?>> workers = new ArrayList<>(threads);
            for (int t = 0; t < Math.min(threads, (n + chunk - 1) / chunk); t++) {
                workers.add(submit(() -> {
                    long begin;
                    while ((begin = next.getAndAdd(chunk)) < n) {
                        long end = Math.min(n, begin + chunk);
                        kernel.reference(buffers, begin, end);
                        progress.advance(end - begin);
                    }
                }));
            }
            try {
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } catch (InterruptedException e) {
                workers.forEach(w -> w.cancel(true));
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for the Java pool");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }

        /** Submits one worker; a close() since the caller's check turns into the runner's closed exception. */
        private Future<?> submit(Runnable worker) {
            try {
                return executor.submit(worker);
            } catch (RejectedExecutionException e) {
                throw closedException(this);
            }
        }

        /**
         * Lets the workers of calls in progress finish: shutdownNow() drained the queued ones without running
         * or cancelling them, so a call whose worker was queued waited in worker.get() forever.
         */
        @Override
        void release() {
            executor.shutdown();
        }
    }

    /**
     * One downcall on the calling thread. Short calls pass the Java arrays zero-copy through a critical
     * handle ({@link CriticalArrays}); longer ones copy into native memory so that the garbage collector is
     * never held up for long.
     */
    /**
     * Runs a validated call's C code on the calling thread, as native-serial does: zero-copy through one
     * critical downcall when {@link CriticalArrays#fits}, else over copies in {@code scratch} memory (the
     * caller's segments read in place, kept alive as downcall arguments). Also the native pool's path for a
     * call that would be a single task.
     *
     * @throws IllegalStateException if the C kernel rejects an item Java accepted
     */
    public static void runOnCallingThread(Kernel<?, ?> kernel, Buffers buffers, long n, ScratchPool scratch) {
        long[] badIndex = new long[1];
        int status;
        MemorySegment def = NativeKernels.acquire(kernel);
        try {
            if (CriticalArrays.fits(kernel, buffers, n)) {
                status = CriticalArrays.runSerial(def, buffers, n, badIndex);
            } else {
                ScratchPool.Scratch memory = scratch.take(NativeBuffers.bytesNeeded(buffers));
                try (Arena argsArena = Arena.ofConfined()) {
                    NativeBuffers nb = NativeBuffers.copyIn(buffers, SegmentAllocator.slicingAllocator(memory.memory));
                    status = Native.run(def, nb.args(argsArena), n, badIndex, nb.callerSegments());
                    nb.copyOut();
                } finally {
                    scratch.give(memory);
                }
            }
        } finally {
            NativeKernels.release(kernel);
        }
        checkAccepted(kernel, status, badIndex);
    }

    /** A status other than PC_OK after Java validated the input: only a Java/C disagreement gets here. */
    public static void checkAccepted(Kernel<?, ?> kernel, int status, long[] badIndex) {
        if (status != Native.PC_OK) {
            throw new IllegalStateException(
                    kernel + " accepted the input in Java but the C kernel rejected item " + badIndex[0]);
        }
    }

    public static final class NativeSerial extends BufferRunner {
        private final ScratchPool scratch = new ScratchPool();

        @Override
        public Strategy strategy() {
            return Strategy.NATIVE_SERIAL;
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        <P, R> void compute(Kernel<P, R> kernel, P problem, Buffers buffers, long n, ProgressListener progress) {
            runOnCallingThread(kernel, buffers, n, scratch);
            progress.advance(n);
        }

        @Override
        void release() {
            scratch.close();
        }
    }

    /** The C kernels in worker processes: a crash or hang fails the call, not the JVM. */
    public static final class ProcessPoolRunner implements Runner {
        private final ProcessPool pool;
        private final Duration timeout; // of each run, null for none

        public ProcessPoolRunner(ProcessPool pool) {
            this(pool, null);
        }

        /** A runner whose every run is limited to {@code timeout} (the isolated validator's). */
        public ProcessPoolRunner(ProcessPool pool, Duration timeout) {
            this.pool = pool;
            this.timeout = timeout;
        }

        @Override
        public Strategy strategy() {
            return Strategy.NATIVE_PROCESS;
        }

        @Override
        public int threads() {
            return pool.workers();
        }

        @Override
        public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
            requireOpen(pool.isClosed(), this);
            Objects.requireNonNull(kernel, "kernel must not be null");
            Objects.requireNonNull(progress, "progress must not be null");
            try {
                return pool.run(kernel, problem, progress, timeout);
            } catch (IllegalStateException e) {
                if (pool.isClosed()) { // closed since the check: say so as every runner does
                    IllegalStateException closed = closedException(this);
                    closed.initCause(e);
                    throw closed;
                }
                throw e;
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    public static final class NativePoolRunner implements Runner {
        private static final Duration POLL = Duration.ofMillis(100);
        private final NativePool pool;

        public NativePoolRunner(NativePool pool) {
            this.pool = pool;
        }

        @Override
        public Strategy strategy() {
            return Strategy.NATIVE_POOL;
        }

        @Override
        public int threads() {
            return pool.threads();
        }

        @Override
        public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
            requireOpen(pool.isClosed(), this);
            Objects.requireNonNull(progress, "progress must not be null");
            try {
                return runOnPool(kernel, problem, progress);
            } catch (NativePool.ClosedException e) { // closed since the check: say so as every runner does
                IllegalStateException closed = closedException(this);
                closed.initCause(e);
                throw closed;
            }
        }

        private <P, R> R runOnPool(Kernel<P, R> kernel, P problem, ProgressListener progress) {
            if (progress == ProgressListener.NONE) {
                return pool.run(kernel, problem);
            }
            Job<R> job = pool.submit(kernel, problem);
            long reported = 0;
            try {
                while (true) {
                    try {
                        R out = job.await(POLL);
                        progress.advance(job.total() - reported);
                        return out;
                    } catch (TimeoutException e) {
                        long done = job.done();
                        progress.advance(done - reported);
                        reported = done;
                    }
                }
            } catch (InterruptedException e) {
                job.cancel();
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for the native pool");
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
