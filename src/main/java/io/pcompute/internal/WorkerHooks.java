package io.pcompute.internal;

/**
 * TEST ONLY: plants a fault (WorkerProcess.HOOK_SEGV, HOOK_ABORT, HOOK_HANG) at one item of every job the
 * process pools run, for the crash and hang tests. Only a worker built with PC_TEST_HOOKS obeys it; the
 * release worker refuses such a request, so a planted hook can never crash a production worker.
 */
public final class WorkerHooks {
    private WorkerHooks() {}

    private record Planted(int hook, long index) {}

    private static volatile Planted planted;

    public static void plant(int hook, long index) {
        planted = new Planted(hook, index);
    }

    public static void clear() {
        planted = null;
    }

    /** Sets the RUN's hook when the planted item lies in its range. */
    public static void apply(WorkerProcess.Run run) {
        Planted p = planted;
        if (p != null && p.index >= run.begin && p.index < run.end) {
            run.hook = p.hook;
            run.hookIndex = p.index;
        } else {
            run.hook = WorkerProcess.HOOK_NONE;
            run.hookIndex = 0;
        }
    }
}
