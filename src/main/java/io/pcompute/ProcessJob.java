package io.pcompute;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A job submitted to a {@link ProcessPool}: the same surface as a {@link NativePool}'s {@link Job} — its
 * result as a {@link CompletableFuture}, live progress, and cancellation that really stops the work, here
 * by the workers' shared cancel words and, for a kernel that does not stop within
 * {@link ProcessPool#GRACE_MILLIS}, by killing the worker processes that run it.
 *
 * <p>Life: {@code submit} copies the job's inputs into the pool's shared memory and queues it; free
 * workers take its chunks (oldest job first, so jobs run side by side when workers are free); it ends
 * completed, failed ({@link WorkerCrashedException}, {@link JobTimeoutException}, a kernel's error) or
 * cancelled. A timeout counts from the moment its first chunk starts, not from its submission.
 *
 * <p>A virtual thread per job waits for it: it follows its progress and deadline, copies its outputs back,
 * runs the kernel's {@code finish()} and completes the future, so callbacks of {@link #future()} run on
 * that thread (or on the thread that calls {@link #cancel()}, {@link #join()} or {@link #await} once the
 * job has ended), never on the pool's slot threads.
 *
 * @param <T> the kernel's result type
 */
public final class ProcessJob<T> extends JobOutcome<T> {
    /** What runs the job: the pool's engine, given a progress listener and a stop request to poll. */
    @FunctionalInterface
    interface Body<T> {
        T run(ProgressListener progress, BooleanSupplier stopRequested);
    }

    private final String kernel;
    private final Body<T> body;
    private final Runnable stopNow;
    private final Runnable onEnd;
    private final AtomicLong done = new AtomicLong();
    private volatile boolean stopRequested;
    private volatile boolean running;

    /**
     * @param body    waits for the queued job (on the job's own thread, {@link #execute})
     * @param stopNow stops the queued or running job at once (its chunks not yet started never run)
     * @param onEnd   runs once the job has ended
     */
    ProcessJob(String kernel, long total, Body<T> body, Runnable stopNow, Runnable onEnd) {
        super(total);
        this.kernel = kernel;
        this.body = body;
        this.stopNow = stopNow;
        this.onEnd = onEnd;
    }

    /**
     * The result. Its {@code cancel(mayInterruptIfRunning)} follows {@link java.util.concurrent.Future}: it
     * asks the job to stop (as {@link #cancel()} does, without waiting) and completes the future with a
     * CancellationException at once; the job ends a moment later (chunks not started never run, running
     * ones stop at their next cancel check, or their workers are killed after the grace period). Once its future is cancelled
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
        awaitEnd();
        completeFuture();
        return endedCancelled();
    }

    @Override
    public String toString() {
        return "ProcessJob[" + kernel + ", " + done() + "/" + total() + (isDone() ? ", ended" : "") + "]";
    }

    // ---- the pool's side ------------------------------------------------------------------------------

    /** Whether the job's thread waits for it and it has not ended (tests). */
    boolean isRunning() {
        return running && !isDone();
    }

    /** On the job's own thread: waits for the queued job and records how it ended. */
    void execute() {
        running = true;
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
        end(v, f, c);
        onEnd.run();
    }

    /** Completes the future with the job's outcome (on the job's thread, after {@link #execute}). */
    void completeOutcome() {
        completeFuture();
    }

    @Override
    void requestStop() {
        stopRequested = true;
        stopNow.run();
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
