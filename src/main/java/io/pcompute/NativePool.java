package io.pcompute;

import io.pcompute.internal.Native;

import static io.pcompute.Callbacks.CALLBACKS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A pool of native worker threads (pthreads) that runs kernels over Java arrays or native memory,
 * splitting each job into tasks the workers pull dynamically. One pool serves any number of Java threads
 * at once; jobs queue in submission order. Workers never call back into Java.
 *
 * <pre>{@code
 * try (NativePool pool = NativePool.create(0)) {             // one worker per available core
 *     long[] g = pool.run(Gcd.BRUTE, a, b);                   // synchronous
 *     Job<long[]> job = pool.submit(Gcd.BRUTE, a, b);         // asynchronous
 *     job.done();                                            // live progress
 *     job.future().thenAccept(System.out::println);
 * }
 * }</pre>
 *
 * <p>{@link #close()} waits for the jobs in flight, then joins the native threads.
 */
public final class NativePool implements AutoCloseable {
    /** The most worker threads a pool may have (the C library's limit). */
    public static final int MAX_THREADS = 1024;

    /* A thread that is never started: a segment it may access is not confined to some other thread. */
    private static final Thread OTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private final MemorySegment handle;
    private final int threads;
    private final Executor pinners;
    private final ScratchPool scratch = new ScratchPool();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean closed;
    private boolean destroyed;

    private NativePool(int threads, Executor pinners) {
        this.handle = Native.createPool(threads);
        this.threads = Native.poolThreads(handle);
        this.pinners = pinners;
    }

    /** Pinning threads: one per outstanding zero-copy job, blocked in the downcall that pins its segments. */
    private static ExecutorService newPinners() {
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "pcompute-pin-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // Unbounded: a bounded one would let outstanding zero-copy jobs wait for each other's threads.
        return Executors.newCachedThreadPool(factory);
    }

    /**
     * Starts a pool of {@code threads} native workers; 0 means one per core available to this process.
     *
     * @throws IllegalArgumentException if threads is negative or above {@value #MAX_THREADS}
     */
    public static NativePool create(int threads) {
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(
                    "threads = " + threads + ": must be between 0 (all cores) and " + MAX_THREADS);
        }
        return new NativePool(threads, newPinners());
    }

    /** TEST SEAM: a pool whose pinning threads come from {@code pinners} (e.g. one that cannot create any). */
    static NativePool create(int threads, Executor pinners) {
        return new NativePool(threads, pinners);
    }

    /** The number of native worker threads. */
    public int threads() {
        return threads;
    }

    /** Computes {@code kernel} over {@code problem} on the pool and waits for the result. */
    public <P, R> R run(Kernel<P, R> kernel, P problem) {
        Job<R> job = startCopied(kernel, problem, Thread.currentThread());
        job.runPinned();
        return job.join();
    }

    /**
     * Submits {@code kernel} over {@code problem}; its arrays are copied into native memory the job owns,
     * so the caller may reuse them at once. Native segments in the problem (e.g. {@code Reduce.Data.of(
     * MemorySegment)}) are read in place and pinned until the job ends; they must be accessible from any
     * thread (a shared, global or automatic arena).
     */
    public <P, R> Job<R> submit(Kernel<P, R> kernel, P problem) {
        return launch(startCopied(kernel, problem, OTHER_THREAD));
    }

    /** {@link #run(Kernel, Object)} for a pair kernel: {@code out[k] = kernel(a[k], b[k])}. */
    public long[] run(PairKernel kernel, long[] a, long[] b) {
        return run(kernel, new Pairs(a, b));
    }

    /** {@link #submit(Kernel, Object)} for a pair kernel. */
    public Job<long[]> submit(PairKernel kernel, long[] a, long[] b) {
        return submit(kernel, new Pairs(a, b));
    }

    /**
     * Computes a pair kernel zero-copy over native segments of int64 values: {@code out[k] = f(a[k], b[k])}
     * for every k below {@code a.byteSize() / 8}, and waits. Confined segments are fine from their
     * owner thread.
     */
    public void run(PairKernel kernel, MemorySegment a, MemorySegment b, MemorySegment out) {
        Job<MemorySegment> job = startSegments(kernel, a, b, out, Thread.currentThread());
        job.runPinned();
        job.join();
    }

    /**
     * Submits a pair kernel zero-copy over native segments (see {@link #run(PairKernel, MemorySegment,
     * MemorySegment, MemorySegment)}). The segments are pinned until the job ends: their arenas cannot be
     * closed meanwhile. They must be accessible from any thread (shared, global or automatic arenas).
     */
    public Job<MemorySegment> submit(PairKernel kernel, MemorySegment a, MemorySegment b, MemorySegment out) {
        return launch(startSegments(kernel, a, b, out, OTHER_THREAD));
    }

    /**
     * Starts an asynchronous job. If that fails (no thread can be created, ...) the job is ended here —
     * cancelled before it started, freed, its memory released, no longer in flight — and the failure is
     * thrown: nothing is left for {@link #close()} to wait for.
     */
    private <T> Job<T> launch(Job<T> job) {
        try {
            pinners.execute(() -> {
                job.runPinned();
                CALLBACKS.complete(job);
            });
        } catch (Throwable t) {
            job.abandon(t);
            throw t;
        }
        return job;
    }

    private <P, R> Job<R> startCopied(Kernel<P, R> kernel, P problem, Thread accessor) {
        Kernel.requireNonNull(kernel, "kernel");
        kernel.validate(problem);
        Buffers buffers = kernel.buffers(problem);
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            if (buffers.input(i) instanceof Buffers.SegmentInput s) {
                Segments.check(s.segment, "input " + i, accessor);
            }
        }
        ScratchPool.Scratch memory = scratch.take(NativeBuffers.bytesNeeded(buffers));
        try {
            NativeBuffers nb = NativeBuffers.copyIn(buffers, SegmentAllocator.slicingAllocator(memory.memory));
            return start(kernel, () -> scratch.give(memory), nb.in, nb.out, buffers, kernel.items(problem),
                    kernel.chunkSize(problem, threads), nb.segments(), () -> {
                        nb.copyOut();
                        return kernel.finish(problem, buffers);
                    }, index -> new IllegalStateException(
                            kernel + " accepted the input in Java but the C kernel rejected item " + index));
        } catch (Throwable t) {
            scratch.give(memory);
            throw t;
        }
    }

    private Job<MemorySegment> startSegments(PairKernel kernel, MemorySegment a, MemorySegment b,
                                             MemorySegment out, Thread accessor) {
        Kernel.requireNonNull(kernel, "kernel");
        long n = Segments.checkPairs(a, b, out, accessor);
        return start(kernel, () -> { }, new MemorySegment[] {a, b}, new MemorySegment[] {out}, new Buffers(), n,
                kernel.chunkSize(n, 1, threads),
                new MemorySegment[] {a, b, out}, () -> out, index -> Segments.badInput(kernel, a, b, index));
    }

    private <T> Job<T> start(Kernel<?, ?> kernel, Runnable release, MemorySegment[] in, MemorySegment[] out,
                             Buffers params, long n, long chunk, MemorySegment[] pinned, Supplier<T> result,
                             java.util.function.LongFunction<RuntimeException> badInput) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this NativePool is closed");
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
        MemorySegment job;
        long[] badIndex = new long[1];
        try (Arena argsArena = Arena.ofConfined()) { // pc_job_create copies the args struct
            long[] iparam = new long[Buffers.MAX_PARAMS];
            double[] dparam = new double[Buffers.MAX_PARAMS];
            for (int i = 0; i < Buffers.MAX_PARAMS; i++) {
                iparam[i] = params.iparam(i);
                dparam[i] = params.dparam(i);
            }
            MemorySegment args = Native.args(argsArena, in, out, iparam, dparam);
            job = Native.createJob(handle, Kernels.nativeId(kernel), args, n, chunk, badIndex);
        } catch (Throwable t) {
            jobEnded();
            throw t;
        }
        if (job.equals(MemorySegment.NULL)) {
            jobEnded();
            throw badInput.apply(badIndex[0]);
        }
        return new Job<>(this, job, release, pinned, n, result);
    }

    void jobEnded() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting jobs, waits for the jobs in flight to end (cancel them first to end them sooner),
     * then stops and joins the native threads. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            boolean interrupted = false;
            while (inFlight > 0) {
                try {
                    idle.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (destroyed) {
                return;
            }
            destroyed = true;
        } finally {
            lock.unlock();
        }
        Native.destroyPool(handle);
        if (pinners instanceof ExecutorService service) {
            service.shutdown();
        }
        scratch.close();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
