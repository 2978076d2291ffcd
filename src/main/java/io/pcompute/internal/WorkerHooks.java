package io.pcompute.internal;

/**
 * TEST ONLY: plants a fault (WorkerProcess.HOOK_SEGV, HOOK_ABORT, HOOK_HANG) at one item of every job the
 * process pools run (or of every job of one kernel), for the crash and hang tests. Only a worker built with PC_TEST_HOOKS obeys it; the
 * release worker refuses such a request, so a planted hook can never crash a production worker.
 */
public final class WorkerHooks {
    private WorkerHooks() {}

    private record Planted(int hook, long index, String kernel) {}

    private static volatile Planted planted;

    /** Plants {@code hook} at item {@code index} of every job. */
    public static void plant(int hook, long index) {
        plant(hook, index, null);
    }

    /** Plants {@code hook} at item {@code index} of every job of the kernel named {@code kernel} (null = any). */
    public static void plant(int hook, long index, String kernel) {
        planted = new Planted(hook, index, kernel);
    }

    public static void clear() {
        planted = null;
    }

    /** Sets the RUN's hook when the planted item lies in its range (and the job is of the planted kernel). */
    public static void apply(WorkerProcess.Run run, String kernel) {
        Planted p = planted;
        if (p != null && p.index >= run.begin && p.index < run.end && (p.kernel == null || p.kernel.equals(kernel))) {
            run.hook = p.hook;
            run.hookIndex = p.index;
        } else {
            run.hook = WorkerProcess.HOOK_NONE;
            run.hookIndex = 0;
        }
    }
}
