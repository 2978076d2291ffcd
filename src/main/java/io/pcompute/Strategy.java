package io.pcompute;

import io.pcompute.internal.Runners;
import io.pcompute.internal.AutoRunner;

/**
 * The ways pcompute computes a kernel: the four the seed experiment compares, the native kernels isolated
 * in worker processes, and {@link #AUTO}.
 */
public enum Strategy {
    /** The Java reference, one item after another on the calling thread. */
    JAVA_SERIAL("java-serial", false),
    /** The Java reference on a pool of Java threads pulling tasks (unlike CPython's, Java threads scale). */
    JAVA_POOL("java-pool", true),
    /** The C kernel in one downcall on the calling thread. */
    NATIVE_SERIAL("native-serial", false),
    /** The C kernel on a {@link NativePool} of native worker threads pulling tasks. */
    NATIVE_POOL("native-pool", true),
    /**
     * The C kernel in {@link ProcessPool} worker processes (threads = processes): a kernel that crashes
     * or hangs fails the call with {@link WorkerCrashedException} or is killed, and the JVM goes on.
     */
    NATIVE_PROCESS("native-process", true),
    /**
     * Picks one of the four per call: for each kernel and size group (powers of two of the item count),
     * the one it measured fastest on its first calls there (see {@link Runner#warmUp}). Large problems
     * are never run serially just to time them.
     */
    AUTO("auto", true);

    private final String label;
    private final boolean parallel;

    Strategy(String label, boolean parallel) {
        this.label = label;
        this.parallel = parallel;
    }

    /** The short name used on the command line and in reports, e.g. {@code native-pool}. */
    public String label() {
        return label;
    }

    /** Whether {@link #open(int)}'s thread count matters. */
    public boolean isParallel() {
        return parallel;
    }

    /**
     * Opens a runner of this strategy.
     *
     * @param threads worker threads for the parallel strategies, 0 = all cores; ignored by serial ones
     * @throws IllegalArgumentException if threads is negative (or above {@link NativePool#MAX_THREADS})
     */
    public Runner open(int threads) {
        if (threads < 0 || threads > NativePool.MAX_THREADS) {
            throw new IllegalArgumentException(
                    "threads = " + threads + ": must be between 0 (all cores) and " + NativePool.MAX_THREADS);
        }
        return switch (this) {
            case JAVA_SERIAL -> new Runners.JavaSerial();
            case JAVA_POOL -> new Runners.JavaPool(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
            case NATIVE_SERIAL -> new Runners.NativeSerial();
            case NATIVE_POOL -> new Runners.NativePoolRunner(NativePool.create(threads));
            case NATIVE_PROCESS -> new Runners.ProcessPoolRunner(ProcessPool.create(threads));
            case AUTO -> new AutoRunner(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        };
    }

    /** The strategy with this {@link #label()} (or enum name), for command lines. */
    public static Strategy fromLabel(String label) {
        for (Strategy s : values()) {
            if (s.label.equalsIgnoreCase(label) || s.name().equalsIgnoreCase(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy = '" + label + "': must be one of java-serial, java-pool, "
                + "native-serial, native-pool, native-process, auto");
    }
}
