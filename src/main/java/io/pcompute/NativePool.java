package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 *     long[] g = pool.run(Kernel.GCD_BRUTE, a, b);            // synchronous
 *     Job<long[]> job = pool.submit(Kernel.GCD_BRUTE, a, b);  // asynchronous
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
    private final ExecutorService waiters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean closed;
    private boolean destroyed;

    private NativePool(int threads) {
        this.handle = Native.createPool(threads);
        this.threads = Native.poolThreads(handle);
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "pcompute-waiter-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // One blocked waiter per asynchronous job: unbounded, so nested and concurrent use never deadlocks.
        this.waiters = Executors.newCachedThreadPool(factory);
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
        return new NativePool(threads);
    }

    /** The number of native worker threads. */
    public int threads() {
        return threads;
    }

    /** Computes {@code kernel} over the pairs on the pool and waits for the result. */
    public long[] run(Kernel kernel, long[] a, long[] b) {
        Job<long[]> job = startArrays(kernel, a, b, Arena.ofConfined());
        job.runToEnd();
        return job.join();
    }

    /**
     * Submits {@code kernel} over the pairs; the arrays are copied into native memory the job owns, so
     * the caller may reuse them at once.
     */
    public Job<long[]> submit(Kernel kernel, long[] a, long[] b) {
        Job<long[]> job = startArrays(kernel, a, b, Arena.ofShared());
        waiters.execute(job::runToEnd);
        return job;
    }

    /**
     * Computes {@code kernel} zero-copy over native segments of int64 values: {@code out[k] = f(a[k], b[k])}
     * for every k below {@code a.byteSize() / 8}, and waits. Confined segments are fine from their
     * owner thread.
     */
    public void run(Kernel kernel, MemorySegment a, MemorySegment b, MemorySegment out) {
        Job<MemorySegment> job = startSegments(kernel, a, b, out, Thread.currentThread());
        job.runToEnd();
        job.join();
    }

    /**
     * Submits {@code kernel} zero-copy over native segments (see {@link #run(Kernel, MemorySegment,
     * MemorySegment, MemorySegment)}). The segments are pinned until the job ends: their arenas cannot be
     * closed meanwhile. They must be accessible from any thread (shared, global or automatic arenas).
     */
    public Job<MemorySegment> submit(Kernel kernel, MemorySegment a, MemorySegment b, MemorySegment out) {
        Job<MemorySegment> job = startSegments(kernel, a, b, out, OTHER_THREAD);
        waiters.execute(job::runToEnd);
        return job;
    }

    private Job<long[]> startArrays(Kernel kernel, long[] a, long[] b, Arena arena) {
        Kernel.requireNonNull(kernel, "kernel");
        try {
            kernel.validate(a, b);
            MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_LONG, a);
            MemorySegment sb = arena.allocateFrom(ValueLayout.JAVA_LONG, b);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, a.length);
            return start(kernel, arena, sa, sb, out, a.length, () -> out.toArray(ValueLayout.JAVA_LONG));
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    private Job<MemorySegment> startSegments(Kernel kernel, MemorySegment a, MemorySegment b,
                                             MemorySegment out, Thread accessor) {
        Kernel.requireNonNull(kernel, "kernel");
        long n = Segments.checkPairs(a, b, out, accessor);
        return start(kernel, null, a, b, out, n, () -> out);
    }

    private <T> Job<T> start(Kernel kernel, Arena ownedArena, MemorySegment a, MemorySegment b,
                             MemorySegment out, long n, Supplier<T> result) {
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
            MemorySegment args = Native.pairArgs(argsArena, a, b, out);
            job = Native.createJob(handle, kernel.nativeId(), args, n, kernel.chunkSize(n, threads), badIndex);
        } catch (Throwable t) {
            jobEnded();
            throw t;
        }
        if (job.equals(MemorySegment.NULL)) {
            jobEnded();
            throw Segments.badInput(kernel, a, b, badIndex[0]);
        }
        return new Job<>(this, job, ownedArena, a, b, out, n, result);
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
        waiters.shutdown();
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
