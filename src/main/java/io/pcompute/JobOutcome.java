package io.pcompute;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a {@link Job} (native pool) and a {@link ProcessJob} (process pool) share: the outcome of a job once
 * it has ended, its future and the rules that tie the two together. A job ends once (completed, failed or
 * cancelled: {@link #end}); its future completes with that outcome, or earlier through
 * {@code future().cancel(...)}, which asks the work to stop ({@link #requestStop()}) and then makes the job
 * count as cancelled whatever its workers did after. Completing the future any other way
 * ({@code complete(x)}, {@code orTimeout}) changes only the future: {@link #join()} and {@link #await} report
 * the job's own outcome.
 *
 * @param <T> the kernel's result type
 */
abstract sealed class JobOutcome<T> permits Job, ProcessJob {
    private final long total;
    private final JobFuture future = new JobFuture();
    private final CountDownLatch ended = new CountDownLatch(1);
    /* How the job ended; written before `ended` opens, so readable by whoever passed it. */
    private T value;
    private Throwable failure;
    private boolean cancelled;
    /*
     * Whether future().cancel(...) completed the future: the job then counts as cancelled. Guarded by itself
     * (the lock), so that it is set in the same step as the future completes.
     */
    private final Object futureCancelLock = new Object();
    private boolean futureCancelled;

    JobOutcome(long total) {
        this.total = total;
    }

    // ---- what each kind of job provides ----------------------------------------------------------------

    /** Asks the job's work to stop, without waiting (the future is being cancelled). */
    abstract void requestStop();

    /** Called once {@code future().cancel} has completed the future: a queued job may end here at once. */
    void futureCancelled() {
    }

    /** "job" or "job of kernel x on the process pool": the start of the cancellation messages. */
    abstract String what();

    /** Items computed when the job ended, for the cancellation message. */
    abstract long doneAtEnd();

    /** What happens to work in progress when the future is cancelled, for its message. */
    abstract String stopNote();

    /** Items computed so far. */
    public abstract long done();

    // ---- the shared surface ----------------------------------------------------------------------------

    /** The result, completed when the job ends; see the job class for what {@code cancel} on it does. */
    public CompletableFuture<T> future() {
        return future;
    }

    /** Number of items in the job. */
    public long total() {
        return total;
    }

    /**
     * Whether the job has ended (completed, cancelled or failed) and its workers let go of its memory.
     * After {@code future().cancel(...)} the future is done at once, the job only once its workers stopped.
     */
    public boolean isDone() {
        return ended.getCount() == 0;
    }

    /**
     * Waits for the job to end and returns its result. Throws CancellationException if the job was
     * cancelled (by {@code cancel()} or {@code future().cancel(...)}), as its future does, and the job's
     * failure if it failed.
     */
    public T join() {
        awaitEnd();
        return outcome();
    }

    /**
     * Waits at most {@code timeout} for the result; the job keeps running after a timeout. Timeouts too
     * long for a {@code long} of nanoseconds (about 292 years) mean no limit.
     *
     * @throws TimeoutException if the job has not ended in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public T await(Duration timeout) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout must not be null");
        long nanos = saturatedNanos(timeout);
        if (nanos == Long.MAX_VALUE) {
            ended.await();
        } else if (!ended.await(nanos, TimeUnit.NANOSECONDS)) {
            throw new TimeoutException(what() + " not finished after " + timeout + ": " + done() + " of " + total
                    + " items computed; it keeps running");
        }
        return outcome();
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ---- for the subclasses ----------------------------------------------------------------------------

    /**
     * Records how the job ended and opens {@link #isDone()}; once only. Does not complete the future
     * ({@link #completeFuture}): the calling thread may be one that user code must never run on.
     */
    final void end(T v, Throwable f, boolean wasCancelled) {
        value = v;
        failure = f;
        cancelled = wasCancelled;
        ended.countDown();
    }

    /** Whether the ended job counts as cancelled: its work was stopped, or its future was cancelled. */
    final boolean endedCancelled() {
        synchronized (futureCancelLock) {
            return futureCancelled || cancelled;
        }
    }

    /**
     * The ended job's result, completing the future first (callbacks run here if nobody ran them yet). A
     * job whose future was cancelled counts as cancelled, even if its workers computed every item before
     * they saw the cancel: join() and cancel() then agree with the future.
     */
    final T outcome() {
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
        return new CancellationException(what() + " cancelled after " + doneAtEnd() + " of " + total + " items");
    }

    /** Waits, uninterruptibly but keeping the interrupt status, for the job to end. */
    final void awaitEnd() {
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
    final void completeFuture() {
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

    /**
     * A future whose cancel asks the job to stop, then completes at once (the work first: issue 8 item 10,
     * a callback that closed the pool deadlocked). Not waiting for the workers keeps cancelling many jobs
     * fast: in submission order each wait would be for a job the workers have just started.
     */
    private final class JobFuture extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                return isCancelled();
            }
            if (JobOutcome.this.isDone()) { // ended before the cancel: the outcome it had
                completeFuture();
                return isCancelled();
            }
            requestStop();
            CancellationException e = new CancellationException(what() + " cancelled after " + done() + " of "
                    + total + " items; " + stopNote());
            synchronized (futureCancelLock) {
                if (completeExceptionally(e)) {
                    futureCancelled = true;
                }
            }
            futureCancelled();
            return isCancelled();
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
