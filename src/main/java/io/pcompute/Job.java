package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
 * closing. The pinning thread passes the segments to the downcall that starts the job and waits for it
 * ({@code pc_job_start_and_wait}), so the job starts only once FFM holds their arenas; {@code submit}
 * waits in {@code pc_job_wait_started} until it has. Once {@code submit} has returned, closing their
 * arena fails with IllegalStateException in the closer until the workers are done with them (the job
 * ends, and its future completes, a moment later).
 *
 * <p>Cancelling: {@link #cancel()} stops the job and returns once its workers are done with it;
 * {@code future().cancel(mayInterruptIfRunning)} only asks it to stop and returns at once (see
 * {@link #future()}). Either way the job's memory stays valid until the workers are done: pcompute's own
 * memory is released only once the job has finished, and caller segments stay pinned until then.
 *
 * <p>Callbacks of {@link #future()} never run on pcompute's completion or pinning threads: the future is
 * completed on a virtual thread (so a callback may block, even on another job of the same pool), or on
 * the thread that calls {@link #cancel()}, {@link #join()} or {@link #await} once the job has ended.
 *
 * @param <T> the kernel's result type, or the output segment for zero-copy segment jobs
 */
public final class Job<T> extends JobOutcome<T> {
    private final NativePool pool;
    private final MemorySegment handle;
    private final Runnable release;
    private final MemorySegment[] pinned;
    private final String[] pinnedNames;
    /* Zero-copy jobs: opens once submit no longer waits on `handle`, so the pinning thread may free it. */
    private final CountDownLatch submitted = new CountDownLatch(1);
    /* Zero-copy jobs: set by the pinning thread when an arena was closed before it could pin a segment. */
    private volatile IllegalStateException pinFailure;
    private final Supplier<T> result;
    /* Guards `freed` and every use of `handle` after submission: the handle dies in pc_job_free. */
    private final Object handleLock = new Object();
    private boolean freed;
    private long finalDone;
    /* The job's completion tag, 0 for none; set before the job starts. */
    private long tag;

    /**
     * @param release frees (or recycles) the native memory pcompute copied the job's inputs into; runs
     *                once the workers are done with it
     * @param pinned  the caller's segments the job reads or writes in place: kept alive by the downcall
     *                that starts the job and waits for it ({@link #runPinned}); empty when there are none
     * @param pinnedNames what the caller calls them ("a", "input 0", ...), for messages
     */
    Job(NativePool pool, MemorySegment handle, Runnable release, MemorySegment[] pinned, String[] pinnedNames,
        long total, Supplier<T> result) {
        super(total);
        this.pool = pool;
        this.handle = handle;
        this.release = release;
        this.pinned = pinned;
        this.pinnedNames = pinnedNames;
        this.result = result;
    }

    /**
     * The result. Its {@code cancel(mayInterruptIfRunning)} follows {@link java.util.concurrent.Future}: it
     * asks the native job to stop (as {@link #cancel()} does, without waiting), then completes the future
     * with a CancellationException at once, so callbacks run after the native job was told to stop, on the
     * cancelling thread; it returns without waiting for the workers. The job itself ends a moment later
     * (its running tasks stop at their next cancel check, about a millisecond): until then {@link #isDone()}
     * is false, {@link #done()} may still grow, and {@link NativePool#close()} waits for it. Once its future
     * is cancelled the job counts as cancelled (even if the workers computed the last item before they saw
     * the cancel): {@link #join()} and {@link #await} throw CancellationException and {@link #cancel()}
     * returns true. Argument {@code mayInterruptIfRunning} makes no difference. Completing the future any
     * other way ({@code complete(x)}, {@code orTimeout}, ...) changes only the future: the job runs on, and
     * {@link #join()}, {@link #await} and {@link #cancel()} report the job's own outcome.
     */
    @Override
    public CompletableFuture<T> future() {
        return super.future();
    }

    /** Items computed so far; read live from the native job while it runs. */
    @Override
    public long done() {
        synchronized (handleLock) {
            return freed ? finalDone : Native.progress(handle);
        }
    }

    /**
     * Stops the job: no new task starts and running tasks stop at their next check, even inside one
     * long item. Returns once the native workers no longer touch the job's memory and {@link #future()}
     * is complete.
     *
     * @return true if the job ended cancelled (by this call, an earlier one or {@code future().cancel}),
     *         false if it had completed (or failed)
     */
    public boolean cancel() {
        requestStop();
        if (pool.claim(this)) {
            // finish it here rather than wait for the completion thread to hand it over: cancelling 10,000
            // queued jobs one by one took 3.4 s with the hand-over (two thread wake-ups per job)
            finish(Native.waitFor(handle), null);
        }
        awaitEnd();
        completeFuture();
        return endedCancelled();
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
     * thread: nobody else can close the caller's arenas in between. The caller's thread runs tasks of the
     * job beside the workers meanwhile ({@code pc_job_run_and_wait}).
     */
    void runPinned() {
        int status;
        try {
            status = Native.runAndWait(handle, pinned);
        } catch (Throwable t) {
            abandon(closedArena().<Throwable>map(e -> e).orElse(t));
            return;
        }
        finish(status, null);
    }

    /**
     * As {@link #runPinned}, on a pinning thread for {@code submit}, which waits in {@link #awaitStarted}
     * meanwhile: the job starts inside the downcall that has the segments as arguments, so once it has
     * started, FFM holds their arenas open until the workers are done (issue 8 item 11: submit used to
     * return before the pin, and an arena closed right after could win). If an arena was closed first,
     * the downcall never runs: the never-started job is cancelled, which finishes it and releases submit,
     * and submit throws. The job is freed only once submit no longer waits on it.
     */
    void runPinning() {
        int status = Native.PC_ERR_CANCELLED;
        Throwable thrown = null;
        try {
            status = Native.startAndWait(handle, pinned);
        } catch (Throwable t) {
            Optional<IllegalStateException> closed = closedArena();
            closed.ifPresent(e -> pinFailure = e);
            thrown = closed.<Throwable>map(e -> e).orElse(t);
            try {
                Native.cancel(handle); // no effect if the job had started; else finishes it, releasing submit
            } catch (Throwable c) {
                thrown.addSuppressed(c);
            }
        }
        boolean interrupted = false;
        while (true) {
            try {
                submitted.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (thrown != null) {
            abandon(thrown);
        } else {
            finish(status, null);
        }
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
     * For {@code submit} of a job {@link #runPinning} runs: waits until the job has started with its
     * segments pinned, or finished without starting; throws the clear exception if an arena was closed
     * before the pinning thread could pin it.
     */
    void awaitStarted() {
        try {
            Native.waitStarted(handle);
        } finally {
            submitted.countDown();
        }
        IllegalStateException closed = pinFailure;
        if (closed != null) {
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
        conclude(status, thrown, freeNative());
    }

    /**
     * First half of {@link #finish}, all the completion thread does: frees the finished native job. Returns
     * what went wrong, or null. The caller reads the job's status first.
     */
    Throwable freeNative() {
        synchronized (handleLock) {
            try {
                finalDone = Native.progress(handle);
                Native.freeJob(handle);
                return null;
            } catch (Throwable t) {
                return t;
            } finally {
                freed = true;
            }
        }
    }

    /**
     * Second half of {@link #finish}, once the native job is freed: copies out the results and runs the
     * kernel's finish() (user code: a kernel may be a user's subclass), releases the scratch memory (the
     * workers are done with it) and records the outcome. For asynchronous jobs on a callback thread, so a
     * slow finish() delays only its own job (issue 8 review: on the completion thread it held up every job
     * of the pool). A close() of the pool inside finish() throws rather than wait for its own job.
     */
    void conclude(int status, Throwable thrown, Throwable freeFailure) {
        boolean wasCancelled = thrown == null && status == Native.PC_ERR_CANCELLED;
        T v = null;
        Throwable f = thrown;
        if (f == null && !wasCancelled) {
            try {
                Native.check(status, "pc_job_wait");
                v = pool.whileFinishing(result);
            } catch (Throwable t) {
                f = t;
            }
        }
        if (f == null) {
            f = freeFailure;
        }
        try {
            release.run();
        } catch (Throwable t) {
            f = f == null ? t : f;
        }
        // ended first: a close() that jobEnded() releases returns with every job's isDone() true
        end(v, f, wasCancelled && f == null);
        pool.jobEnded();
    }

    @Override
    void requestStop() {
        synchronized (handleLock) {
            if (!freed) {
                Native.cancel(handle);
            }
        }
    }

    @Override
    String what() {
        return "job";
    }

    @Override
    long doneAtEnd() {
        return finalDone;
    }

    @Override
    String stopNote() {
        return "its native workers stop at their next cancel check";
    }
}
