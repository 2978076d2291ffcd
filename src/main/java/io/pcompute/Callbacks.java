package io.pcompute;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Where asynchronous jobs are concluded (results copied out, the kernel's finish()) and their futures
 * completed, so that user code never runs on pcompute's completion thread and user callbacks never on its
 * pinning threads.
 *
 * <p>One virtual thread per completion. A callback may block — on another job of the same pool
 * ({@code pool.submit(...).join()}), a latch, a lock — without holding up the completion of any other job:
 * a parked virtual thread gives its carrier back. (A synchronous {@code pool.run} inside a callback keeps
 * its carrier while in the downcall, but that job ends without any Java thread's help, so this can only
 * delay other completions, never deadlock them.) A bounded pool of platform threads (a small dedicated
 * one, or {@code ForkJoinPool.commonPool()}, which has a single thread on a 2-core machine) deadlocks as
 * soon as its threads all wait for jobs whose futures wait for one of those threads; an unbounded one
 * costs a platform thread per blocked callback. Virtual threads need no shutdown, and a parked one is
 * not an operating-system thread. {@link Job#cancel()}, {@link Job#join()} and {@link Job#await}
 * complete the future themselves once the job has ended, so they never wait for its callbacks (they do
 * wait for the job's conclusion, which the completion thread hands to this executor).
 */
final class Callbacks {
    static final Callbacks CALLBACKS = new Callbacks(
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pcompute-callback-", 0).factory()));

    private final Executor executor;

    private Callbacks(Executor executor) {
        this.executor = executor;
    }

    /** Runs {@code task} (a job's conclusion and its future's completion) on a callback thread. */
    void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (Throwable t) {
            // Not even a virtual thread could be created: a job that never ends is worse than its
            // conclusion on this thread.
            task.run();
        }
    }

    /** Completes the ended job's future on a callback thread. */
    void complete(Job<?> job) {
        run(job::completeFuture);
    }
}
