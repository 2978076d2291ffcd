package io.pcompute;

import io.pcompute.kernel.Pairs;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.PairKernel;
import io.pcompute.kernel.Buffers;
import io.pcompute.internal.CriticalArrays;
import io.pcompute.internal.NativeBuffers;
import io.pcompute.internal.Segments;
import io.pcompute.internal.KernelAccess;
import io.pcompute.internal.NativeKernels;
import io.pcompute.internal.ScratchPool;
import io.pcompute.internal.Limits;
import io.pcompute.internal.Native;
import io.pcompute.internal.Runners;

import java.util.Objects;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import static io.pcompute.Callbacks.CALLBACKS;

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
 * <p>Threads: besides its native workers, a pool has one Java thread, its completion thread, which
 * waits in the C library for any of its jobs to finish, then frees the native job and hands the rest
 * (copying out its results, the kernel's finish(), completing its future) to a callback thread (see
 * {@link Job}), so that no job's conclusion holds up another's: 10,000 outstanding jobs over Java arrays
 * cost no more threads than one. Each outstanding zero-copy job over caller segments holds one pinning
 * thread, blocked in the downcall that keeps the segments' arena open while the workers use them.
 *
 * <p>{@link #close()} waits for the jobs in flight, then stops the completion thread and joins the
 * native threads.
 */
public final class NativePool implements AutoCloseable {
    /** The most worker threads a pool may have (the C library's limit, PC_MAX_THREADS: 1024). */
    public static final int MAX_THREADS = Limits.MAX_THREADS;

    /* A thread that is never started: a segment it may access is not confined to some other thread. */
    private static final Thread OTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private final MemorySegment handle;
    private final int threads;
    private final Executor pinners;
    /* Jobs started with a completion tag, by tag: the completion thread takes them out. */
    private final Map<Long, Job<?>> tagged = new ConcurrentHashMap<>();
    private final AtomicLong lastTag = new AtomicLong();
    private final Thread completions;
    private volatile boolean stopping;
    private final ScratchPool scratch = new ScratchPool();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final Condition terminatedSignal = lock.newCondition();
    private int inFlight;
    private boolean closed;
    /* Set by the one close() that stops the completion thread and destroys the pool ... */
    private boolean destroyed;
    /* ... once it has: later closers wait for this, so that no close() returns before the pool is gone. */
    private boolean terminated;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private NativePool(int threads, Executor pinners) {
        this.handle = Native.createPool(threads);
        try {
            this.threads = Native.poolThreads(handle);
            this.pinners = pinners;
            // a platform thread: it spends its life in a downcall, which would pin a virtual thread's carrier
            this.completions = Thread.ofPlatform().daemon().name("pcompute-completions-" + POOL_IDS.incrementAndGet())
                    .start(this::completeJobs);
        } catch (Throwable t) {
            Native.destroyPool(handle);
            throw t;
        }
    }

    /** Tags of finished jobs delivered per downcall at most. */
    private static final int TAG_BATCH = 256;

    /**
     * The completion thread: takes the tags of finished jobs from the C library, frees their native jobs
     * and has the rest (copy-out, the kernel's finish(), releasing scratch memory, the future) done on a
     * callback thread, never here. Stops when {@link #close()} has seen every job end and wakes it.
     */
    private void completeJobs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tags = arena.allocate(ValueLayout.JAVA_LONG, TAG_BATCH);
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            while (true) {
                int n = Native.nextCompletions(handle, -1, tags, count);
                for (int i = 0; i < n; i++) {
                    Job<?> job = tagged.remove(tags.getAtIndex(ValueLayout.JAVA_LONG, i));
                    if (job != null) { // null: a job abandoned before it started, already finished
                        int status = Native.outcome(job.handle());
                        Throwable freeFailure = job.freeNative();
                        // copy-out and the kernel's finish() (user code) run on a callback thread
                        CALLBACKS.run(() -> {
                            job.conclude(status, null, freeFailure);
                            job.completeFuture();
                        });
                    }
                }
                if (stopping && tagged.isEmpty()) {
                    return;
                }
            }
        }
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
     * @throws IllegalArgumentException if threads is negative or above {@link #MAX_THREADS}
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

    /** The longest lazy wake window {@link #lazyWake(Duration)} accepts (PC_POOL_MAX_LAZY_WAKE_NS). */
    public static final Duration MAX_LAZY_WAKE = Duration.ofNanos(Limits.MAX_LAZY_WAKE_NS);

    /**
     * The lazy wake window: a synchronous {@link #run} whose kernel's recent items say it will take no
     * longer than this on the calling thread alone wakes no sleeping worker at first. The calling thread
     * runs the job's tasks (workers that are busy or spinning still join), and wakes the workers only if
     * the job is still running once the window has passed. Waking a sleeping thread costs about as much as
     * such a job (~26 us on the reference VM), so without it a 2 to 40 us job on the pool took up to 3.5x
     * its time on one thread. A kernel's first call on a pool, and any call its recent costs call larger,
     * wake the workers at once. Results never depend on it, only which threads run which tasks. Default
     * 30 us; see {@link #lazyWake(Duration)}.
     */
    public Duration lazyWake() {
        enterCall(); // the native pool must not be destroyed meanwhile
        try {
            return Duration.ofNanos(Native.lazyWakeNanos(handle));
        } finally {
            jobEnded();
        }
    }

    /**
     * Sets the lazy wake window (see {@link #lazyWake()}); {@link Duration#ZERO} wakes the workers a job needs
     * at once, every time. Takes effect at the next call.
     *
     * @throws IllegalArgumentException if {@code window} is negative or longer than {@link #MAX_LAZY_WAKE}
     * @throws ClosedException if the pool is closed
     */
    public void lazyWake(Duration window) {
        Objects.requireNonNull(window, "window must not be null");
        if (window.isNegative() || window.compareTo(MAX_LAZY_WAKE) > 0) {
            throw new IllegalArgumentException("window = " + window + ": must be between 0 and " + MAX_LAZY_WAKE);
        }
        enterCall(); // the native pool must not be destroyed meanwhile
        try {
            Native.setLazyWakeNanos(handle, window.toNanos());
        } finally {
            jobEnded();
        }
    }

    /**
     * Computes {@code kernel} over {@code problem} on the pool and waits for the result. A short call over
     * Java arrays of a built-in kernel reads and writes them in place (zero-copy, through a critical downcall
     * that holds off safepoints for its duration: see {@code CriticalArrays} for the bound); longer ones copy
     * them into native memory. Native segments are read in place at any size.
     */
    public <P, R> R run(Kernel<P, R> kernel, P problem) {
        Objects.requireNonNull(kernel, "kernel must not be null");
        kernel.validate(problem);
        Buffers buffers = kernel.buffers(problem);
        long n = kernel.items(problem);
        if (n > 0 && KernelAccess.chunkSize(kernel, problem, threads) >= n) {
            return runOneTask(kernel, problem, buffers, n);
        }
        if (CriticalArrays.fits(kernel, buffers, n)) {
            return runInPlace(kernel, problem, buffers, n);
        }
        return runCopied(kernel, problem, buffers, n);
    }

    /**
     * A synchronous call over copies of its arrays (native segments read in place): one ordinary downcall
     * creates, runs (the calling thread helping) and frees the job, with no {@link Job}, future or tag. A
     * {@code Job} per call cost a 16x16 matmul about 0.6 us, a third of its time. It counts as a job in
     * flight, so close() waits for it; the segments' arenas are held open by the downcall.
     */
    private <P, R> R runCopied(Kernel<P, R> kernel, P problem, Buffers buffers, long n) {
        checkSegmentInputs(buffers, Thread.currentThread());
        enterCall();
        try {
            ScratchPool.Scratch memory = scratch.take(NativeBuffers.bytesNeeded(buffers));
            try {
                MemorySegment def = NativeKernels.acquire(kernel);
                try (Arena arena = Arena.ofConfined()) {
                    NativeBuffers nb = NativeBuffers.copyIn(buffers, SegmentAllocator.slicingAllocator(memory.memory));
                    MemorySegment args = Native.argsWithoutBuffers(arena, nb.in, nb.out,
                            NativeBuffers.iparams(buffers), NativeBuffers.dparams(buffers));
                    long[] badIndex = new long[1];
                    int status = Native.poolRunBuffers(arena, handle, def, args, n,
                            KernelAccess.chunkSize(kernel, problem, threads), badIndex, nb.in, nb.out);
                    Runners.checkAccepted(kernel, status, badIndex);
                    nb.copyOut();
                } finally {
                    NativeKernels.release(kernel);
                }
            } finally {
                scratch.give(memory);
            }
        } finally {
            jobEnded();
        }
        return whileFinishing(() -> kernel.finish(problem, buffers));
    }

    /**
     * A synchronous call whose job would be a single task runs on the calling thread as native-serial does:
     * no job, no hand-off. A job's create, start, wait and free cost more than the work of a small call (in
     * bench/results/20261207-191116, reduce_sum over 512 values took 1.77x native-serial's time through the
     * pool). It counts as a job in flight, so close() waits for it.
     */
    private <P, R> R runOneTask(Kernel<P, R> kernel, P problem, Buffers buffers, long n) {
        enterCall();
        try {
            Runners.runOnCallingThread(kernel, buffers, n, scratch);
        } finally {
            jobEnded();
        }
        return whileFinishing(() -> kernel.finish(problem, buffers));
    }

    /** Counts a synchronous call as a job in flight (close() waits for it), or throws if the pool is closed. */
    private void enterCall() {
        lock.lock();
        try {
            if (closed) {
                throw new ClosedException();
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A synchronous call that {@link CriticalArrays#fits}: one critical downcall creates, runs (the calling
     * thread helping) and frees the job over the caller's arrays. It counts as a job in flight, so close()
     * cannot destroy the pool under it.
     */
    private <P, R> R runInPlace(Kernel<P, R> kernel, P problem, Buffers buffers, long n) {
        enterCall();
        try {
            MemorySegment def = NativeKernels.acquire(kernel);
            try {
                long[] badIndex = new long[1];
                int status = CriticalArrays.runOnPool(handle, def, buffers, n,
                        KernelAccess.chunkSize(kernel, problem, threads), badIndex);
                Runners.checkAccepted(kernel, status, badIndex);
            } finally {
                NativeKernels.release(kernel);
            }
        } finally {
            jobEnded();
        }
        return whileFinishing(() -> kernel.finish(problem, buffers));
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
     * MemorySegment, MemorySegment)}). The segments are pinned from before submit returns until the workers
     * are done with them: their arenas cannot be closed meanwhile. They must be accessible from any thread (shared, global or automatic arenas).
     */
    public Job<MemorySegment> submit(PairKernel kernel, MemorySegment a, MemorySegment b, MemorySegment out) {
        return launch(startSegments(kernel, a, b, out, OTHER_THREAD));
    }

    /**
     * Starts an asynchronous job: one over caller segments on a pinning thread, any other with a completion
     * tag, which the completion thread receives when the job has finished. If starting fails (no thread can
     * be created, ...) the job is ended here — cancelled before it started, freed, its memory released, no
     * longer in flight — and the failure is thrown: nothing is left for {@link #close()} to wait for.
     */
    private <T> Job<T> launch(Job<T> job) {
        if (!job.needsPinning()) {
            long tag = lastTag.incrementAndGet();
            job.tag(tag);
            tagged.put(tag, job);
            try {
                Native.setCompletionTag(job.handle(), tag);
                Native.start(job.handle());
            } catch (Throwable t) {
                tagged.remove(tag);
                job.abandon(t);
                throw t;
            }
            return job;
        }
        try {
            pinners.execute(() -> {
                job.runPinning();
                CALLBACKS.complete(job);
            });
        } catch (Throwable t) {
            job.abandon(t);
            throw t;
        }
        job.awaitStarted();
        return job;
    }

    private <P, R> Job<R> startCopied(Kernel<P, R> kernel, P problem, Thread accessor) {
        Objects.requireNonNull(kernel, "kernel must not be null");
        kernel.validate(problem);
        return startCopied(kernel, problem, kernel.buffers(problem), accessor);
    }

    private <P, R> Job<R> startCopied(Kernel<P, R> kernel, P problem, Buffers buffers, Thread accessor) {
        List<String> names = checkSegmentInputs(buffers, accessor);
        ScratchPool.Scratch memory = scratch.take(NativeBuffers.bytesNeeded(buffers));
        try {
            NativeBuffers nb = NativeBuffers.copyIn(buffers, SegmentAllocator.slicingAllocator(memory.memory));
            return start(kernel, () -> scratch.give(memory), nb.in, nb.out, buffers, kernel.items(problem),
                    KernelAccess.chunkSize(kernel, problem, threads), nb.callerSegments(), names.toArray(String[]::new), () -> {
                        nb.copyOut();
                        return kernel.finish(problem, buffers);
                    }, index -> new IllegalStateException(
                            kernel + " accepted the input in Java but the C kernel rejected item " + index));
        } catch (Throwable t) {
            scratch.give(memory);
            throw t;
        }
    }

    /**
     * Checks the problem's native-segment inputs for {@code accessor} (alive, accessible, aligned) and
     * returns their names ("input i") in the order NativeBuffers.callerSegments() lists them.
     */
    private static List<String> checkSegmentInputs(Buffers buffers, Thread accessor) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            if (KernelAccess.input(buffers, i) instanceof Buffers.SegmentInput s) {
                Segments.check(s.segment(), "input " + i, accessor, s.type().size());
                names.add("input " + i);
            }
        }
        return names;
    }

    private Job<MemorySegment> startSegments(PairKernel kernel, MemorySegment a, MemorySegment b,
                                             MemorySegment out, Thread accessor) {
        Objects.requireNonNull(kernel, "kernel must not be null");
        long n = Segments.checkPairs(a, b, out, accessor);
        return start(kernel, () -> { }, new MemorySegment[] {a, b}, new MemorySegment[] {out}, new Buffers(), n,
                KernelAccess.chunkSize(kernel, n, 1, threads),
                new MemorySegment[] {a, b, out}, new String[] {"a", "b", "out"}, () -> out,
                index -> Segments.badInput(kernel, a, b, index));
    }

    private <T> Job<T> start(Kernel<?, ?> kernel, Runnable release, MemorySegment[] in, MemorySegment[] out,
                             Buffers params, long n, long chunk, MemorySegment[] pinned, String[] pinnedNames,
                             Supplier<T> result,
                             LongFunction<RuntimeException> badInput) {
        enterCall();
        MemorySegment job;
        long[] badIndex = new long[1];
        MemorySegment def;
        try {
            def = NativeKernels.acquire(kernel); // an application's library stays loaded until the job is freed
        } catch (Throwable t) {
            jobEnded();
            throw t;
        }
        try (Arena argsArena = Arena.ofConfined()) { // pc_job_create copies the args struct
            MemorySegment args = Native.args(argsArena, in, out, NativeBuffers.iparams(params), NativeBuffers.dparams(params));
            job = Native.createJob(handle, def, args, n, chunk, badIndex);
        } catch (Throwable t) {
            NativeKernels.release(kernel);
            jobEnded();
            throw t;
        }
        if (job.equals(MemorySegment.NULL)) {
            NativeKernels.release(kernel);
            jobEnded();
            throw badInput.apply(badIndex[0]);
        }
        Runnable releaseAll = () -> {
            try {
                release.run();
            } finally {
                NativeKernels.release(kernel);
            }
        };
        return new Job<>(this, job, releaseAll, pinned, pinnedNames, n, result);
    }

    /** A job submitted after close(): its own type, so that the native-pool runner can say it is closed. */
    public static final class ClosedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ClosedException() {
            super("this NativePool is closed");
        }
    }

    /**
     * Takes a tagged job away from the completion thread, for a thread that will finish it itself (see
     * {@link Job#cancel()}); false if the job has no tag or the completion thread already took it.
     */
    boolean claim(Job<?> job) {
        return job.tag() != 0 && tagged.remove(job.tag(), job);
    }

    /* The pool whose job's result this thread is computing (kernel.finish()), if any: see close(). */
    private static final ThreadLocal<NativePool> FINISHING = new ThreadLocal<>();

    /** Computes a job's result (copy-out, the kernel's finish()), marking this thread as doing so. */
    <T> T whileFinishing(Supplier<T> result) {
        NativePool outer = FINISHING.get();
        FINISHING.set(this);
        try {
            return result.get();
        } finally {
            FINISHING.set(outer);
        }
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
     * then stops and joins the native threads. Idempotent; a close() that runs while another is closing
     * the pool returns once the pool is closed, as the first does.
     *
     * <p>A synchronous {@code run} in progress is a job in flight too: close() waits for it, and it cannot
     * be cancelled from another thread, so close() never returns while an endless run() runs. Work that
     * may need stopping belongs in {@code submit}, whose {@link Job#cancel()} stops it.
     */
    @Override
    public void close() {
        if (FINISHING.get() == this) {
            throw new IllegalStateException("close() inside a kernel's finish() would wait for that job to end; "
                    + "close the pool from another thread");
        }
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
                // another close() is destroying the pool: returning now would let the caller see a pool
                // whose completion thread still runs (issue 8 review)
                while (!terminated) {
                    terminatedSignal.awaitUninterruptibly(); // keeps the interrupt status
                }
                return;
            }
            destroyed = true;
        } finally {
            lock.unlock();
        }
        try {
            // every job has ended, so every tag was delivered: the completion thread only waits for a wake
            stopping = true;
            Native.wakeCompletions(handle);
            joinCompletions();
            Native.destroyPool(handle);
            if (pinners instanceof ExecutorService service) {
                service.shutdown();
            }
            scratch.close();
        } finally {
            lock.lock();
            try {
                terminated = true;
                terminatedSignal.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void joinCompletions() {
        boolean interrupted = false;
        while (true) {
            try {
                if (completions.join(Duration.ofSeconds(1))) {
                    break;
                }
                Native.wakeCompletions(handle); // cannot be needed (a wake is never lost), but costs nothing
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
