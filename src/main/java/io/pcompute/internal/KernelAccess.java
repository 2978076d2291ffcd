package io.pcompute.internal;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeKernel;

import java.lang.foreign.MemorySegment;

/**
 * The bridge through which pcompute's strategies reach what the kernel contract keeps from applications
 * (how a kernel splits, what a buffer slot holds, a native kernel's descriptor), without making it public
 * API. {@link Kernel}'s class initialiser installs the one implementation; the static methods here make
 * sure it ran. (The JDK's "shared secrets" pattern.)
 */
public abstract class KernelAccess {
    private static volatile KernelAccess instance;

    protected KernelAccess() {}

    /** Called once, by {@link Kernel}'s class initialiser. */
    public static void install(KernelAccess access) {
        synchronized (KernelAccess.class) {
            if (instance != null) {
                throw new IllegalStateException("kernel access is installed already");
            }
            instance = access;
        }
    }

    private static KernelAccess get() {
        KernelAccess access = instance;
        if (access == null) {
            try { // initialises Kernel, which installs the bridge
                Class.forName(Kernel.class.getName(), true, Kernel.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = instance;
        }
        return access;
    }

    protected abstract long chunk(Kernel<?, ?> kernel, long n, long block, int threads);

    protected abstract Object rawInput(Buffers buffers, int slot);

    protected abstract Object rawOutput(Buffers buffers, int slot);

    protected abstract void copyInputs(Buffers buffers);

    protected abstract MemorySegment acquireDescriptor(NativeKernel kernel);

    protected abstract void releaseDescriptor(NativeKernel kernel);

    /** Items per task for {@code threads} workers over {@code problem}: a whole number of blocks. */
    public static <P> long chunkSize(Kernel<P, ?> kernel, P problem, int threads) {
        return get().chunk(kernel, kernel.items(problem), kernel.block(problem), threads);
    }

    /** Items per task for {@code n} items in blocks of {@code block}, for {@code threads} workers. */
    public static long chunkSize(Kernel<?, ?> kernel, long n, long block, int threads) {
        return get().chunk(kernel, n, block, threads);
    }

    /** What input slot {@code slot} holds: a primitive array, a {@link Buffers.SegmentInput} or null. */
    public static Object input(Buffers buffers, int slot) {
        return get().rawInput(buffers, slot);
    }

    /** The array in output slot {@code slot}, or null. */
    public static Object output(Buffers buffers, int slot) {
        return get().rawOutput(buffers, slot);
    }

    /** Makes the heap copies of segment inputs now (on the calling thread, which may own them). */
    public static void copySegmentInputs(Buffers buffers) {
        get().copyInputs(buffers);
    }

    /**
     * The {@code pc_kernel_def*} of an application's kernel, its library held loaded until
     * {@link #release}; throws {@link IllegalStateException} if the library was closed.
     */
    public static MemorySegment acquire(NativeKernel kernel) {
        return get().acquireDescriptor(kernel);
    }

    /** Ends one {@link #acquire}. */
    public static void release(NativeKernel kernel) {
        get().releaseDescriptor(kernel);
    }
}
