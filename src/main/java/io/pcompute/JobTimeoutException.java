package io.pcompute;

import java.time.Duration;
import java.util.List;

/**
 * A {@link ProcessPool} job did not finish within its timeout: the pool set the job's cancel words and
 * killed the worker processes that had not stopped within the grace period (a kernel that never looks at
 * its cancel flag can be stopped this way, unlike a thread). The pool replaces them and goes on serving.
 */
public final class JobTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Duration timeout;
    private final List<Long> killed;

    public JobTimeoutException(String kernel, Duration timeout, List<Long> killed) {
        super("kernel " + kernel + " did not finish within its timeout of " + timeout.toMillis() + " ms; "
                + (killed.isEmpty() ? "its workers stopped when cancelled"
                        : "killed worker process(es) " + killed + " that did not stop when cancelled"));
        this.timeout = timeout;
        this.killed = List.copyOf(killed);
    }

    /** The timeout that expired. */
    public Duration timeout() {
        return timeout;
    }

    /** The process ids of the workers killed because they did not stop. */
    public List<Long> killedWorkers() {
        return killed;
    }
}
