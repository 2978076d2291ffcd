package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A job running on a {@link NativePool}: its result as a {@link CompletableFuture}, live progress, and
 * cancellation that really stops the native workers.
 *
 * <p>Memory: the job's buffers stay alive until the native workers are done with them. Native memory
 * pcompute copied Java arrays into is the job's until it ends, then goes back to the pool for reuse; a
 * caller's own segments are pinned for the job's lifetime (closing their arena meanwhile fails with
 * IllegalStateException).
 *
 * @param <T> the kernel's result type, or the output segment for zero-copy segment jobs
 */
public final class Job<T> {
    private final NativePool pool;
    private final MemorySegment handle;
    private final Runnable release;
    private final MemorySegment[] pinned;
    private final long total;
    private final Supplier<T> result;
    private final JobFuture future = new JobFuture();
    private final CountDownLatch ended = new CountDownLatch(1);
    /* Guards `freed` and every use of `handle` after submission: the handle dies in pc_job_free. */
    private final Object handleLock = new Object();
    private boolean freed;
    private long finalDone;
    /* How the job ended; written before `ended` opens, so readable by whoever passed it. */
    private volatile boolean endedCancelled;

    /**
     * @param release frees (or recycles) the native memory pcompute copied the job's inputs into; runs
     *                once the workers are done with it
     */
    Job(NativePool pool, MemorySegment handle, Runnable release, MemorySegment[] pinned, long total,
        Supplier<T> result) {
        this.pool = pool;
        this.handle = handle;
        this.release = release;
        this.pinned = pinned;
        this.total = total;
        this.result = result;
    }

    /** The result; {@code cancel} on it cancels the native job (and waits until the workers stopped). */
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
     * long item. Returns once the native workers no longer touch the job's memory.
     *
     * @return true if the job ended cancelled (by this call or an earlier one), false if it had completed
     */
    public boolean cancel() {
        synchronized (handleLock) {
            if (!freed) {
                Native.cancel(handle);
            }
        }
        awaitEnd();
        return endedCancelled;
    }

    /** Waits for the result. Throws CancellationException if the job was cancelled. */
    public T join() {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw original(e);
        }
    }

    /**
     * Waits at most {@code timeout} for the result; the job keeps running after a timeout.
     *
     * @throws TimeoutException if the job has not finished in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public T await(Duration timeout) throws TimeoutException, InterruptedException {
        Kernel.requireNonNull(timeout, "timeout");
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw original(e);
        }
    }

    /** Recent JDKs rethrow a cancellation as a new CancellationException("join"/"get") caused by ours. */
    private static CancellationException original(CancellationException e) {
        return e.getCause() instanceof CancellationException ours ? ours : e;
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new CompletionException(cause);
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

    /**
     * Starts the native job and waits in that same downcall until the workers are done (pinning the
     * job's segments throughout), collects the result, releases native memory, then completes the future. Runs exactly once, on a pool waiter
     * thread for asynchronous jobs or on the caller's thread for synchronous ones.
     */
    void runToEnd() {
        T value = null;
        Throwable failure = null;
        boolean cancelled = false;
        try {
            int status = Native.startAndWait(handle, pinned);
            cancelled = status == Native.PC_ERR_CANCELLED;
            if (!cancelled) {
                value = result.get();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            synchronized (handleLock) {
                try {
                    if (failure != null) {
                        // e.g. a pinned segment's arena was closed before the job could start: a job
                        // that never started finishes on cancel, and only a finished job can be freed
                        Native.cancel(handle);
                        Native.startAndWait(handle, new MemorySegment[0]);
                    }
                    finalDone = Native.progress(handle);
                    Native.freeJob(handle);
                } catch (Throwable t) {
                    failure = failure == null ? t : failure;
                } finally {
                    freed = true;
                }
            }
            release.run();
            endedCancelled = cancelled || future.isCancelled();
            pool.jobEnded();
            // before completing the future: its callbacks may call cancel(), which waits for `ended`
            ended.countDown();
        }
        if (failure != null) {
            future.completeExceptionally(failure);
        } else if (cancelled) {
            future.completeExceptionally(new CancellationException(
                    "job cancelled after " + finalDone + " of " + total + " items"));
        } else {
            future.complete(value);
        }
    }

    /** A future whose cancel stops the native job. */
    private final class JobFuture extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelledHere = super.cancel(mayInterruptIfRunning);
            Job.this.cancel();
            return cancelledHere;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
