package io.pcompute.internal;

import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeKernel;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Every kernel's C code as the one thing native strategies run: a {@code pc_kernel_def*}. A built-in kernel's
 * comes from libpcompute by name (once); an application's from its own library, held loaded while a job
 * uses it. Native strategies call {@link #acquire} before they hand the descriptor to C and {@link #release}
 * once no worker can run it any more.
 */
public final class NativeKernels {
    private NativeKernels() {}

    /** libpcompute's kernels by name (loading it on first use). */
    private static final class BuiltIn {
        static final Map<String, MemorySegment> BY_NAME = new HashMap<>();

        static {
            for (int id = 1; id <= Native.kernelCount(); id++) {
                BY_NAME.put(Native.kernelName(id), Native.kernelDef(id));
            }
        }
    }

    /**
     * The descriptor to run {@code kernel} with.
     *
     * @throws IllegalArgumentException if the kernel has no C code
     * @throws IllegalStateException if its library was closed
     */
    public static MemorySegment acquire(Kernel<?, ?> kernel) {
        NativeKernel code = kernel.nativeKernel();
        if (code != null) {
            return KernelAccess.acquire(code);
        }
        MemorySegment def = BuiltIn.BY_NAME.get(kernel.name());
        if (def == null) {
            throw new IllegalArgumentException("kernel '" + kernel.name() + "' has no native implementation: it is not "
                    + "a libpcompute kernel, and its declaration names no NativeKernel (see NativeLibrary)");
        }
        return def;
    }

    /** Ends one {@link #acquire} of {@code kernel}. */
    public static void release(Kernel<?, ?> kernel) {
        NativeKernel code = kernel.nativeKernel();
        if (code != null) {
            KernelAccess.release(code);
        }
    }

    /** Whether native strategies can run {@code kernel} (without loading anything but libpcompute). */
    public static boolean hasNativeCode(Kernel<?, ?> kernel) {
        return kernel.nativeKernel() != null || BuiltIn.BY_NAME.containsKey(kernel.name());
    }
}
