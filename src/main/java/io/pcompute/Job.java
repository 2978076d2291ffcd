package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A job running on a {@link NativePool}: its result as a {@link CompletableFuture}, live progress, and
 * cancellation that really stops the native workers.
 *
 * <p>Memory: the job's buffers stay alive until the native workers are done with them. Native memory
 * pcompute copied Java arrays into belongs to the pool: it is the job's until the job ends, then goes
 * back to the pool for reuse — no thread is needed to keep it alive. A caller's own segments (zero-copy
 * jobs: pair kernels over segments, {@code Reduce.Data.of(MemorySegment)}, ...) are pinned for the job's
 * lifetime by one pinning thread per such job: FFM keeps a segment's arena open while the segment is an
 * argument of a running downcall, and that is the only way a library can keep a shared arena from
 * closing; the pinning thread holds the segments in such downcalls (nested {@code qsort_r} calls whose
 * callback starts the job and waits for it, see {@code Native.whilePinned}) from before {@code submit}
 * returns until the job has ended. Once {@code submit} has returned, closing their arena
 * fails with IllegalStateException in the closer until the job has ended.
 *
 * <p>Callbacks of {@link #future()} never run on pcompute's completion or pinning threads: the future is
 * completed on a virtual thread (so a callback may block, even on another job of the same pool), or on
 * the thread that calls {@link #cancel()}, {@link #join()} or {@link #await} once the job has ended.
 *
 * @param <T> the kernel's result type, or the output segment for zero-copy segment jobs
 */
public final class Job<T> {
    private final NativePool pool;
    private final MemorySegment handle;
    private final Runnable release;
    private final MemorySegment[] pinned;
    private final String[] pinnedNames;
    /* Opens once a pinning thread holds `pinned` (submit may then return), or when the job has ended. */
    private final CountDownLatch pinnedOrEnded = new CountDownLatch(1);
    private final long total;
    private final Supplier<T> result;
    private final JobFuture future = new JobFuture();
    private final CountDownLatch ended = new CountDownLatch(1);
    /* Guards `freed` and every use of `handle` after submission: the handle dies in pc_job_free. */
    private final Object handleLock = new Object();
    private boolean freed;
    private long finalDone;
    /* The job's completion tag, 0 for none; set before the job starts. */
    private long tag;
    /* How the job ended; written before `ended` opens, so readable by whoever passed it. */
    private T value;
    private Throwable failure;
    private boolean cancelled;

    /**
     * @param release frees (or recycles) the native memory pcompute copied the job's inputs into; runs
     *                once the workers are done with it
     * @param pinned  the caller's segments the job reads or writes in place: kept alive by the downcall
     *                that starts the job and waits for it ({@link #runPinned}); empty when there are none
     * @param pinnedNames what the caller calls them ("a", "input 0", ...), for messages
     */
    Job(NativePool pool, MemorySegment handle, Runnable release, MemorySegment[] pinned, String[] pinnedNames,
        long total, Supplier<T> result) {
        this.pool = pool;
        this.handle = handle;
        this.release = release;
        this.pinned = pinned;
        this.pinnedNames = pinnedNames;
        this.total = total;
        this.result = result;
    }

    /**
     * The result; {@code cancel} on it cancels the native job, waits until the workers stopped, and only
     * then completes the future (so its callbacks run after the workers let go of the job).
     */
    public CompletableFuture<T> future() {
        return future;
    }

    /** Number of items in the job. */
    public long total() {
        return total;
    }

    /** Items computed so far; read live from the native job while it runs. */
    public long done() {
        synchronized (handleLock) {
            return freed ? finalDone : Native.progress(handle);
        }
    }

    /** Whether the job has ended (completed, cancelled or failed) and released its native resources. */
    public boolean isDone() {
        return ended.getCount() == 0;
    }

    /**
     * Stops the job: no new task starts and running tasks stop at their next check, even inside one
     * long item. Returns once the native workers no longer touch the job's memory and {@link #future()}
     * is complete.
     *
     * @return true if the job ended cancelled (by this call or an earlier one), false if it had completed
     *         (or failed)
     */
    public boolean cancel() {
        synchronized (handleLock) {
            if (!freed) {
                Native.cancel(handle);
            }
        }
        if (pool.claim(this)) {
            // finish it here rather than wait for the completion thread to hand it over: cancelling 10,000
            // queued jobs one by one took 3.4 s with the hand-over (two thread wake-ups per job)
            finish(Native.waitFor(handle), null);
        }
        awaitEnd();
        completeFuture();
        return cancelled;
    }

    /** Waits for the result. Throws CancellationException if the job was cancelled. */
    public T join() {
        awaitEnd();
        return outcome();
    }

    /**
     * Waits at most {@code timeout} for the result; the job keeps running after a timeout. Timeouts too
     * long for a {@code long} of nanoseconds (about 292 years) mean no limit.
     *
     * @throws TimeoutException if the job has not finished in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public T await(Duration timeout) throws TimeoutException, InterruptedException {
        Kernel.requireNonNull(timeout, "timeout");
        long nanos = saturatedNanos(timeout);
        if (nanos == Long.MAX_VALUE) {
            ended.await();
        } else if (!ended.await(nanos, TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("job not finished after " + timeout + ": " + done() + " of " + total
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

    /** The ended job's result, completing the future first (callbacks run here if nobody ran them yet). */
    private T outcome() {
        completeFuture();
        if (failure != null) {
            throw failure instanceof RuntimeException runtime ? runtime : new CompletionException(failure);
        }
        if (cancelled) {
            throw cancellation();
        }
        return value;
    }

    private CancellationException cancellation() {
        return new CancellationException("job cancelled after " + finalDone + " of " + total + " items");
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

    /** Whether the job reads or writes caller segments in place, so that a thread must pin them. */
    boolean needsPinning() {
        return pinned.length > 0;
    }

    /** The native job, for the pool (starting it, its completion tag). */
    MemorySegment handle() {
        return handle;
    }

    long tag() {
        return tag;
    }

    void tag(long value) {
        tag = value;
    }

    /**
     * Starts the native job and waits in that same downcall until the workers are done (pinning the
     * caller's segments throughout), then {@link #finish}es it. For synchronous jobs, on the caller's
     * thread: nobody else can close the caller's arenas in between.
     */
    void runPinned() {
        int status;
        try {
            status = Native.startAndWait(handle, pinned);
        } catch (Throwable t) {
            abandon(closedArena().<Throwable>map(e -> e).orElse(t));
            return;
        }
        finish(status, null);
    }

    /**
     * As {@link #runPinned}, on a pinning thread for {@code submit}: pins the segments first and lets the
     * submitting thread go ({@link #awaitPinning}) only once they are pinned, then starts the job and waits.
     * Passing the segments to the downcall that starts the job pins them too, but nobody can tell when:
     * an arena closed right after submit returned could close before the pin (issue 8 item 11).
     */
    void runPinning() {
        int[] status = new int[1];
        try {
            Native.whilePinned(pinned, () -> {
                pinnedOrEnded.countDown();
                status[0] = Native.startAndWait(handle, new MemorySegment[0]);
            });
        } catch (Throwable t) {
            abandon(closedArena().<Throwable>map(e -> e).orElse(t));
            return;
        }
        finish(status[0], null);
    }

    /** If a pinned segment's arena is closed: the clear exception for it (FFM's own is an internal error). */
    private Optional<IllegalStateException> closedArena() {
        for (int i = 0; i < pinned.length; i++) {
            if (!pinned[i].scope().isAlive()) {
                return Optional.of(new IllegalStateException(pinnedNames[i] + ": its arena was closed "
                        + "before the job could pin it; close it only once the job has ended"));
            }
        }
        return Optional.empty();
    }

    /**
     * For {@code submit}: waits until the pinning thread holds the job's segments, or the job has ended;
     * throws the clear exception if it could not pin them because an arena was closed first.
     */
    void awaitPinning() {
        boolean interrupted = false;
        while (true) {
            try {
                pinnedOrEnded.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (isDone() && failure instanceof IllegalStateException closed && closedArena().isPresent()) {
            throw new IllegalStateException(closed.getMessage(), closed);
        }
    }

    /**
     * Ends a job that never ran because {@code why} (a pinned segment's arena was closed before the
     * downcall could pin it, no thread could be created for it, ...): a job cancelled before it starts
     * finishes at once, and only a finished job can be freed.
     */
    void abandon(Throwable why) {
        synchronized (handleLock) {
            try {
                Native.cancel(handle);
                Native.startAndWait(handle, new MemorySegment[0]);
            } catch (Throwable t) {
                why.addSuppressed(t);
            }
        }
        finish(Native.PC_ERR_CANCELLED, why);
    }

    /**
     * Collects the result of the finished native job ({@code status} from its wait, or {@code thrown} if
     * it never ran), frees it, releases its scratch memory and records the outcome. Does not complete the
     * future (see {@link #completeFuture}): the thread calling this may be one user code must never run on.
     */
    void finish(int status, Throwable thrown) {
        boolean wasCancelled = thrown == null && status == Native.PC_ERR_CANCELLED;
        T v = null;
        Throwable f = thrown;
        if (f == null && !wasCancelled) {
            try {
                Native.check(status, "pc_job_wait");
                v = result.get();
            } catch (Throwable t) {
                f = t;
            }
        }
        synchronized (handleLock) {
            try {
                finalDone = Native.progress(handle);
                Native.freeJob(handle);
            } catch (Throwable t) {
                f = f == null ? t : f;
            } finally {
                freed = true;
            }
        }
        try {
            release.run();
        } catch (Throwable t) {
            f = f == null ? t : f;
        }
        value = v;
        failure = f;
        cancelled = wasCancelled && f == null;
        pool.jobEnded();
        ended.countDown();
        pinnedOrEnded.countDown();
    }

    /** Completes the future with the recorded outcome, once the job has ended; later calls do nothing. */
    void completeFuture() {
        if (future.isDone()) {
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

    /** A future whose cancel stops the native job, then completes (the native job first: item 10). */
    private final class JobFuture extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            Job.this.cancel();
            return isCancelled();
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
