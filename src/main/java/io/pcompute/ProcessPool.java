package io.pcompute;

import io.pcompute.internal.ProcessPoolEngine;
import io.pcompute.internal.WorkerExecutable;
import io.pcompute.kernel.Kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Native kernels in worker processes, the native counterpart of Python's {@code ProcessPoolExecutor}: a
 * kernel that crashes or hangs takes down a worker process, never the JVM. N worker processes
 * ({@code pcompute-worker}, shipped in the jar beside libpcompute) are started once and reused, each
 * single-threaded unless {@link Builder#threadsPerWorker} says otherwise; a job's items are split into
 * chunks the workers take, its input arrays copied once into memory all workers share (segments from
 * {@link #allocate} are read there in place), and its outputs copied back.
 *
 * <ul>
 *   <li>A worker that dies computing a chunk fails the job with a {@link WorkerCrashedException} (signal,
 *       kernel, item range, the end of the worker's stderr); its slot starts a new worker in its place.</li>
 *   <li>A job that exceeds its timeout, is cancelled, or whose waiting thread is interrupted, is stopped
 *       through the workers' shared cancel words; workers that have not stopped after a grace period
 *       ({@value #GRACE_MILLIS} ms) are killed and replaced ({@link JobTimeoutException},
 *       {@link java.util.concurrent.CancellationException}).</li>
 *   <li>Workers die with the JVM (PR_SET_PDEATHSIG, and end of file on their stdin); {@link #close()}
 *       leaves no process behind.</li>
 * </ul>
 * Jobs run side by side: each is split into chunks that free workers take, oldest job first, so a small
 * job leaves the other workers to the next jobs ({@link #submit} queues a {@link ProcessJob} and returns
 * at once; a synchronous {@link #run} is queued the same way and waited for on the calling thread).
 * Thread-safe. Workers can be recycled after a number of jobs ({@link #create(int, int)}), like Python's
 * {@code max_tasks_per_child}, for kernels that leak or whose state should not build up.
 */
public final class ProcessPool implements AutoCloseable {
    /** How long cancelled workers get to stop before they are killed. */
    public static final long GRACE_MILLIS = ProcessPoolEngine.GRACE_MILLIS;

    /* The pool whose submitted job the current thread waits for (and runs the kernel's finish() for). */
    private static final ThreadLocal<ProcessPool> FOLLOWING = new ThreadLocal<>();

    private final ProcessPoolEngine engine;
    private final Object closeLock = new Object();
    private boolean closing;      // closeLock
    private int submittedJobs;    // closeLock: submitted and not yet ended

    private ProcessPool(ProcessPoolEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts {@code workers} worker processes (0 = one per core).
     *
     * @throws IllegalArgumentException if workers is negative or above {@link NativePool#MAX_THREADS}
     * @throws IllegalStateException if the worker executable cannot be found, extracted or started (the
     *         message names the path and the fix)
     */
    public static ProcessPool create(int workers) {
        return builder().workers(workers).build();
    }

    /**
     * As {@link #create(int)}, replacing each worker process by a fresh one once it has computed part of
     * {@code maxJobsPerWorker} jobs (checked before each job; the old worker is asked to exit, then killed
     * if it does not within a second).
     *
     * @throws IllegalArgumentException if maxJobsPerWorker is not positive, or as {@link #create(int)}
     */
    public static ProcessPool create(int workers, int maxJobsPerWorker) {
        return builder().workers(workers).maxJobsPerWorker(maxJobsPerWorker).build();
    }

    /**
     * As {@link #create(int)}, with the worker executable given (tests and the validator's test switches use
     * one built with test hooks).
     */
    public static ProcessPool create(int workers, Path executable) {
        return builder().workers(workers).executable(executable).build();
    }

    /** A builder for the settings {@code create} does not take (several threads per worker, ...). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings of a process pool. Defaults: one worker per core, one thread per worker (as Python's
     * ProcessPoolExecutor), no recycling, the worker executable shipped in the jar.
     */
    public static final class Builder {
        private int workers;
        private int threadsPerWorker = 1;
        private int maxJobsPerWorker;
        private Path executable;

        private Builder() {}

        /**
         * The number of worker processes, 0 = one per core.
         *
         * @throws IllegalArgumentException if workers is negative or above {@link NativePool#MAX_THREADS}
         */
        public Builder workers(int workers) {
            if (workers < 0 || workers > NativePool.MAX_THREADS) {
                throw new IllegalArgumentException("workers = " + workers + ": must be between 0 (one per core) and "
                        + NativePool.MAX_THREADS);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Threads per worker process: each worker runs the items it is given on this many threads (a crash in
         * any of them still costs only that worker). Fewer, larger processes for kernels that are cheap to
         * isolate per process but want shared caches; one (the default) for the most isolation.
         *
         * @throws IllegalArgumentException if threads is not between 1 and {@link NativePool#MAX_THREADS}
         */
        public Builder threadsPerWorker(int threads) {
            if (threads < 1 || threads > NativePool.MAX_THREADS) {
                throw new IllegalArgumentException("threadsPerWorker = " + threads + ": must be between 1 and "
                        + NativePool.MAX_THREADS);
            }
            this.threadsPerWorker = threads;
            return this;
        }

        /**
         * Replaces each worker by a fresh process once it has computed part of this many jobs (see
         * {@link ProcessPool#create(int, int)}).
         *
         * @throws IllegalArgumentException if maxJobsPerWorker is not positive
         */
        public Builder maxJobsPerWorker(int maxJobsPerWorker) {
            if (maxJobsPerWorker < 1) {
                throw new IllegalArgumentException("maxJobsPerWorker = " + maxJobsPerWorker + ": must be >= 1");
            }
            this.maxJobsPerWorker = maxJobsPerWorker;
            return this;
        }

        /** The worker executable (tests and the validator's test switches use one built with test hooks). */
        public Builder executable(Path executable) {
            this.executable = Objects.requireNonNull(executable, "executable must not be null");
            return this;
        }

        /**
         * Starts the workers.
         *
         * @throws IllegalStateException if the worker executable cannot be found, extracted or started, or
         *         the shared memory cannot be set up (the message names the path or setting and the fix)
         */
        public ProcessPool build() {
            int n = workers == 0 ? Runtime.getRuntime().availableProcessors() : workers;
            Path exe = executable != null ? executable : WorkerExecutable.locate();
            return new ProcessPool(new ProcessPoolEngine(n, threadsPerWorker, exe, maxJobsPerWorker));
        }
    }

    /** The number of worker processes. */
    public int workers() {
        return engine.workers();
    }

    /** Threads each worker process runs its items on. */
    public int threadsPerWorker() {
        return engine.threadsPerWorker();
    }

    /** How many jobs a worker computes part of before it is replaced, 0 for no limit. */
    public int maxJobsPerWorker() {
        return engine.maxJobsPerWorker();
    }

    /** Input bytes this pool has copied into its shared memory so far; inputs read in place add nothing. */
    public long bytesCopiedIn() {
        return engine.bytesCopiedIn();
    }

    /** The process ids of the live workers (for monitoring). */
    public List<Long> workerPids() {
        return engine.workerPids();
    }

    /** Computes {@code kernel} over {@code problem} on the workers, without a timeout. */
    public <P, R> R run(Kernel<P, R> kernel, P problem) {
        return run(kernel, problem, ProgressListener.NONE, null);
    }

    /**
     * Computes {@code kernel} over {@code problem} on the workers, reporting progress in items as the
     * workers advance.
     *
     * @param timeout the most the job may take, or null for none
     * @throws NullPointerException if kernel, problem or progress is null
     * @throws IllegalArgumentException naming what is invalid in the problem (checked before anything is sent)
     * @throws WorkerCrashedException if a worker died computing it
     * @throws JobTimeoutException if it did not finish within {@code timeout}
     * @throws java.util.concurrent.CancellationException if the calling thread was interrupted
     * @throws IllegalStateException if the pool is closed
     */
    public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress, Duration timeout) {
        Objects.requireNonNull(kernel, "kernel must not be null");
        Objects.requireNonNull(progress, "progress must not be null");
        checkTimeout(timeout);
        if (isClosed()) {
            throw new IllegalStateException("this process pool is closed");
        }
        return engine.run(kernel, problem, progress, timeout);
    }

    /**
     * {@code byteSize} bytes (zeroed, 64-byte aligned) of the memory this pool shares with its workers, as a
     * segment of {@code owner}'s lifetime: closing {@code owner} frees them. A job input that is such a
     * segment, or an 8-byte aligned slice of one ({@code Buffers.in(slot, segment, layout)}, a kernel's
     * segment-backed problem), is read by the workers in place, with no copy; a job in progress keeps its
     * memory alive even if {@code owner} closes meanwhile. The memory stays valid after the pool closes,
     * until {@code owner} does. Allocation backs the pages at once, so a lack of memory is this method's
     * IllegalStateException, never a fault later.
     *
     * @throws NullPointerException if owner is null
     * @throws IllegalArgumentException if byteSize is negative
     * @throws IllegalStateException if the pool is closed, or the system has no memory for it
     */
    public MemorySegment allocate(Arena owner, long byteSize) {
        Objects.requireNonNull(owner, "owner must not be null");
        if (byteSize < 0) {
            throw new IllegalArgumentException("byteSize = " + byteSize + ": must be >= 0");
        }
        if (isClosed()) {
            throw new IllegalStateException("this process pool is closed");
        }
        return engine.allocate(owner, byteSize);
    }

    /** {@link #submit(Kernel, Object, Duration)} without a timeout. */
    public <P, R> ProcessJob<R> submit(Kernel<P, R> kernel, P problem) {
        return submit(kernel, problem, null);
    }

    /**
     * Queues {@code kernel} over {@code problem} and returns at once. The problem is validated here, in the
     * calling thread, before anything is queued or sent to a worker; its arrays are read when the job starts
     * (do not change them until it has ended) and its result arrays are new.
     *
     * @param timeout the most the job may run once it has started, or null for none; a job over it fails
     *                with {@link JobTimeoutException} (its workers are killed if they do not stop)
     * @throws NullPointerException if kernel or problem is null
     * @throws IllegalArgumentException naming what is invalid in the problem, or a non-positive timeout
     * @throws IllegalStateException if the pool is closed
     */
    public <P, R> ProcessJob<R> submit(Kernel<P, R> kernel, P problem, Duration timeout) {
        Objects.requireNonNull(kernel, "kernel must not be null");
        checkTimeout(timeout);
        kernel.validate(problem);
        synchronized (closeLock) {
            if (closing) {
                throw new IllegalStateException("this process pool is closed");
            }
            submittedJobs++;
        }
        ProcessJob<R> job;
        try {
            ProcessPoolEngine.Prepared<P, R> prepared = engine.prepare(kernel, problem, timeout);
            job = new ProcessJob<>(kernel.name(), kernel.items(problem), prepared::await, prepared::stop, this::jobEnded);
        } catch (RuntimeException | Error e) {
            jobEnded();
            throw e;
        }
        // one virtual thread per job waits for it (polling its progress and deadline) and runs finish()
        Thread.ofVirtual().name("pcompute-process-job").start(() -> {
            FOLLOWING.set(this);
            try {
                job.execute();
            } finally {
                FOLLOWING.remove();
            }
            job.completeOutcome(); // callbacks run here, on the job's own virtual thread, after it ended
        });
        return job;
    }

    private void jobEnded() {
        synchronized (closeLock) {
            if (--submittedJobs == 0) {
                closeLock.notifyAll();
            }
        }
    }

    private static void checkTimeout(Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout = " + timeout + ": must be positive (or null for none)");
        }
    }

    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Stops accepting jobs, waits for the submitted jobs to end (cancel them first to end them sooner) and
     * for synchronous {@code run} calls in progress, then stops every worker process; idempotent.
     *
     * @throws IllegalStateException if called inside a submitted job's kernel {@code finish()}, where it
     *         would wait for that job
     */
    @Override
    public void close() {
        if (FOLLOWING.get() == this) {
            throw new IllegalStateException("close() inside a kernel's finish() would wait for that job to end; "
                    + "close the process pool from another thread");
        }
        boolean interrupted = false;
        synchronized (closeLock) {
            closing = true;
            while (submittedJobs > 0) {
                try {
                    closeLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        engine.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
