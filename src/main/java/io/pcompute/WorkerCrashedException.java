package io.pcompute;

/**
 * A worker process of a {@link ProcessPool} died while it computed part of a job — the native code crashed
 * (a signal such as SIGSEGV or SIGABRT) or exited. The job fails with this exception; the pool starts a
 * new worker in its place and goes on serving. It names the signal, the kernel, the item range the worker
 * was computing and the end of the worker's standard error.
 */
public final class WorkerCrashedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long pid;
    private final int signal;
    private final String kernel;
    private final long begin;
    private final long end;
    private final String stderrTail;

    public WorkerCrashedException(long pid, int signal, String fate, String kernel, long begin, long end, String stderrTail) {
        super("pcompute worker process " + pid + " died of " + fate + " while running kernel " + kernel + " on items ["
                + begin + ", " + end + ")" + (stderrTail.isBlank() ? "; it wrote nothing to stderr"
                        : "; the end of its stderr:\n" + stderrTail.strip()));
        this.pid = pid;
        this.signal = signal;
        this.kernel = kernel;
        this.begin = begin;
        this.end = end;
        this.stderrTail = stderrTail;
    }

    /** The worker's process id. */
    public long pid() {
        return pid;
    }

    /** The signal that killed the worker (11 for SIGSEGV, 6 for SIGABRT), or 0 if it exited instead. */
    public int signal() {
        return signal;
    }

    /** The kernel's name. */
    public String kernel() {
        return kernel;
    }

    /** The first item of the task the worker was computing. */
    public long begin() {
        return begin;
    }

    /** The end (exclusive) of the task the worker was computing. */
    public long end() {
        return end;
    }

    /** The last (up to 4 KiB) of what the worker wrote to its standard error. */
    public String stderrTail() {
        return stderrTail;
    }
}
