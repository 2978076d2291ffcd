package io.pcompute;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
public final class ProcessJob<T> extends JobOutcome<T> {
    /** What runs the job: the pool's engine, given a progress listener and a stop request to poll. */
    @FunctionalInterface
    interface Body<T> {
        T run(ProgressListener progress, BooleanSupplier stopRequested);
    }

    private static final int QUEUED = 0, RUNNING = 1, ENDED = 2;

    private final String kernel;
    private final Body<T> body;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final AtomicLong done = new AtomicLong();
    private volatile boolean stopRequested;

    ProcessJob(String kernel, long total, Body<T> body) {
        super(total);
        this.kernel = kernel;
        this.body = body;
    }

    /**
     * The result. Its {@code cancel(mayInterruptIfRunning)} follows {@link java.util.concurrent.Future}: it
     * asks the job to stop (as {@link #cancel()} does, without waiting) and completes the future with a
     * CancellationException at once; a queued job ends then too, a running one a moment later (the workers
     * stop at their next cancel check, or are killed after the grace period). Once its future is cancelled
     * the job counts as cancelled. Completing the future any other way changes only the future.
     */
    @Override
    public CompletableFuture<T> future() {
        return super.future();
    }

    /** Items computed so far, read from the workers' progress words while the job runs (every few ms). */
    @Override
    public long done() {
        return done.get();
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
        requestStop();
        futureCancelled(); // a queued job ends here
        awaitEnd();
        completeFuture();
        return endedCancelled();
    }

    @Override
    public String toString() {
        return "ProcessJob[" + kernel + ", " + done() + "/" + total() + (isDone() ? ", ended" : "") + "]";
    }

    // ---- the pool's side ------------------------------------------------------------------------------

    /** Whether the pool's job thread has taken the job and it has not ended (tests). */
    boolean isRunning() {
        return state.get() == RUNNING;
    }

    /** On the pool's job thread: runs the job unless it was cancelled while queued. */
    void execute() {
        if (!state.compareAndSet(QUEUED, RUNNING)) {
            return; // cancelled while queued: already ended
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

    private void conclude(T v, Throwable f, boolean wasCancelled) {
        state.set(ENDED);
        end(v, f, wasCancelled);
        // callbacks never run on the pool's job thread: a slow or blocking one would hold up the queue
        Thread.startVirtualThread(this::completeFuture);
    }

    @Override
    void requestStop() {
        stopRequested = true;
    }

    /** A queued job whose future was cancelled (or that cancel() stops) ends at once. */
    @Override
    void futureCancelled() {
        if (state.compareAndSet(QUEUED, ENDED)) {
            conclude(null, null, true);
        }
    }

    @Override
    String what() {
        return "job of kernel " + kernel + " on the process pool";
    }

    @Override
    long doneAtEnd() {
        return done.get();
    }

    @Override
    String stopNote() {
        return "its workers stop at their next cancel check or are killed";
    }
}
