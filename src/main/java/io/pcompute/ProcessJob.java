package io.pcompute;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A job submitted to a {@link ProcessPool}: the same surface as a {@link NativePool}'s {@link Job} — its
 * result as a {@link CompletableFuture}, live progress, and cancellation that really stops the work, here
 * by the workers' shared cancel words and, for a kernel that does not stop within
 * {@link ProcessPool#GRACE_MILLIS}, by killing the worker processes that run it.
 *
 * <p>Life: a job waits in its pool's queue (jobs run one at a time, each on every worker, in the order they
 * were submitted, beside synchronous {@code run} calls, which take their turn), runs, then ends completed,
 * failed ({@link WorkerCrashedException}, {@link JobTimeoutException}, a kernel's error) or cancelled. A
 * timeout counts from the moment the job starts running, not from its submission.
 *
 * <p>Callbacks of {@link #future()} never run on the pool's threads: the future is completed on a virtual
 * thread, or on the thread that calls {@link #cancel()}, {@link #join()} or {@link #await} once the job has
 * ended.
 *
 * @param <T> the kernel's result type
 */
public final class ProcessJob<T> {
    /** What runs the job: the pool's engine, given a progress listener and a stop request to poll. */
    @FunctionalInterface
    interface Body<T> {
        T run(ProgressListener progress, BooleanSupplier stopRequested);
    }

    private static final int QUEUED = 0, RUNNING = 1, ENDED = 2;

    private final String kernel;
    private final long total;
    private final Body<T> body;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final AtomicLong done = new AtomicLong();
    private volatile boolean stopRequested;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final JobFuture future = new JobFuture();
    /* How the job ended; written before `ended` opens, so readable by whoever passed it. */
    private T value;
    private Throwable failure;
    private boolean cancelled;
    /* Whether future().cancel(...) completed the future: the job then counts as cancelled (as Job's does). */
    private final Object futureCancelLock = new Object();
    private boolean futureCancelled;

    ProcessJob(String kernel, long total, Body<T> body) {
        this.kernel = kernel;
        this.total = total;
        this.body = body;
    }

    /**
     * The result. Its {@code cancel(mayInterruptIfRunning)} follows {@link java.util.concurrent.Future}: it
     * asks the job to stop (as {@link #cancel()} does, without waiting) and completes the future with a
     * CancellationException at once; the job itself ends a moment later (the workers stop at their next
     * cancel check, or are killed after the grace period). Once its future is cancelled the job counts as
     * cancelled. Completing the future any other way changes only the future.
     */
    public CompletableFuture<T> future() {
        return future;
    }

    /** Number of items in the job. */
    public long total() {
        return total;
    }

    /** Items computed so far, read from the workers' progress words while the job runs (every few ms). */
    public long done() {
        return done.get();
    }

    /** Whether the job has ended (completed, cancelled or failed). */
    public boolean isDone() {
        return ended.getCount() == 0;
    }

    /**
     * Stops the job: a queued job never starts; a running one is cancelled through the workers' cancel words,
     * and its workers are killed (and replaced) if they have not stopped after {@link ProcessPool#GRACE_MILLIS}.
     * Returns once the job has ended and {@link #future()} is complete.
     *
     * @return true if the job ended cancelled (by this call, an earlier one or {@code future().cancel}),
     *         false if it had completed (or failed)
     */
    public boolean cancel() {
        stopRequested = true;
        if (state.compareAndSet(QUEUED, ENDED)) {
            conclude(null, null, true);
        }
        awaitEnd();
        completeFuture();
        return endedCancelled();
    }

    /**
     * Waits for the job to end and returns its result. Throws CancellationException if the job was
     * cancelled, and the job's failure (WorkerCrashedException, JobTimeoutException, ...) if it failed.
     */
    public T join() {
        awaitEnd();
        return outcome();
    }

    /**
     * Waits at most {@code timeout} for the result; the job keeps running after a timeout (see
     * {@link ProcessPool#submit(io.pcompute.kernel.Kernel, Object, Duration)} for a job's own time limit).
     *
     * @throws TimeoutException if the job has not ended in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public T await(Duration timeout) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout must not be null");
        long nanos = Job.saturatedNanos(timeout);
        if (nanos == Long.MAX_VALUE) {
            ended.await();
        } else if (!ended.await(nanos, TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("job of kernel " + kernel + " not finished after " + timeout + ": " + done()
                    + " of " + total + " items computed; it keeps running");
        }
        return outcome();
    }

    @Override
    public String toString() {
        return "ProcessJob[" + kernel + ", " + done() + "/" + total + (isDone() ? ", ended" : "") + "]";
    }

    // ---- the pool's side ------------------------------------------------------------------------------

    /** Whether the pool's job thread has taken the job and it has not ended (tests). */
    boolean isRunning() {
        return state.get() == RUNNING;
    }

    /** On the pool's job thread: runs the job unless it was cancelled while queued. */
    void execute() {
        if (!state.compareAndSet(QUEUED, RUNNING)) {
            return; // cancelled while queued: already concluded
        }
        if (stopRequested) {
            conclude(null, null, true);
            return;
        }
        T v = null;
        Throwable f = null;
        boolean c = false;
        try {
            v = body.run(done::addAndGet, () -> stopRequested);
        } catch (CancellationException e) {
            if (stopRequested) {
                c = true;
            } else {
                f = e;
            }
        } catch (Throwable t) {
            f = t;
        }
        conclude(v, f, c);
    }

    /** Ends a job that the pool will never run (it was closed with the job queued and cannot run it). */
    void abandon(Throwable why) {
        if (state.compareAndSet(QUEUED, ENDED)) {
            conclude(null, why, false);
        }
    }

    private void conclude(T v, Throwable f, boolean wasCancelled) {
        state.set(ENDED);
        value = v;
        failure = f;
        cancelled = wasCancelled;
        ended.countDown();
        // callbacks never run on the pool's job thread: a slow or blocking one would hold up the queue
        Thread.startVirtualThread(this::completeFuture);
    }

    private boolean endedCancelled() {
        synchronized (futureCancelLock) {
            return futureCancelled || cancelled;
        }
    }

    private T outcome() {
        completeFuture();
        if (endedCancelled()) {
            throw cancellation();
        }
        if (failure != null) {
            throw failure instanceof RuntimeException runtime ? runtime : new CompletionException(failure);
        }
        return value;
    }

    private CancellationException cancellation() {
        return new CancellationException("job of kernel " + kernel + " on the process pool cancelled after "
                + done() + " of " + total + " items");
    }

    private void awaitEnd() {
        boolean interrupted = false;
        while (true) {
            try {
                ended.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Completes the future with the recorded outcome, once the job has ended; later calls do nothing. */
    private void completeFuture() {
        if (future.isDone() || !isDone()) {
            return;
        }
        if (failure != null) {
            future.completeExceptionally(failure);
        } else if (cancelled) {
            future.completeExceptionally(cancellation());
        } else {
            future.complete(value);
        }
    }

    /** A future whose cancel asks the job to stop, then completes at once (see {@link #future()}). */
    private final class JobFuture extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                return isCancelled();
            }
            if (ProcessJob.this.isDone()) {
                completeFuture();
                return isCancelled();
            }
            stopRequested = true;
            CancellationException e = new CancellationException("job of kernel " + kernel + " cancelled after "
                    + done() + " of " + total + " items; its workers stop at their next cancel check or are killed");
            synchronized (futureCancelLock) {
                if (completeExceptionally(e)) {
                    futureCancelled = true;
                }
            }
            if (state.compareAndSet(QUEUED, ENDED)) {
                conclude(null, null, true);
            }
            return isCancelled();
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
