package io.pcompute.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The C code of an application's kernel: a {@code pc_kernel_def} exported by {@link #library()} through the
 * function {@link #symbol()}. The pair (library path, symbol) identifies it in any process, so a worker
 * process can load the same kernel. Made by {@link NativeLibrary#kernel(String)}, which checked the
 * descriptor's ABI version.
 */
public final class NativeKernel {
    private final NativeLibrary library;
    private final String symbol;
    private final MemorySegment descriptor;
    private final String descriptorName;

    NativeKernel(NativeLibrary library, String symbol, MemorySegment descriptor, String descriptorName) {
        this.library = library;
        this.symbol = symbol;
        this.descriptor = descriptor;
        this.descriptorName = descriptorName;
    }

    /** The library that holds the kernel. */
    public NativeLibrary library() {
        return library;
    }

    /** The name of its exported descriptor function. */
    public String symbol() {
        return symbol;
    }

    /** The name the descriptor declares ({@code pc_kernel_def.name}), or null if it declares none. */
    public String descriptorName() {
        return descriptorName;
    }

    /** The descriptor, its library held loaded until {@link #release()}. */
    MemorySegment acquire() {
        library.acquire(this);
        return descriptor;
    }

    void release() {
        library.release();
    }

    @Override
    public String toString() {
        return symbol + " in " + library;
    }
}
