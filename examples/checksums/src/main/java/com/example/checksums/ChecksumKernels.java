package com.example.checksums;

import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.KernelProvider;
import io.pcompute.kernel.NativeLibrary;

import java.util.List;

/**
 * The application's kernels, with their C code in libchecksums.so, found by
 * {@code NativeLibrary.load("checksums")}: first in the directories of the system property
 * {@code pcompute.kernel.path} (the Maven build sets it to {@code target/native}), then in those of
 * {@code java.library.path} (the JVM's default: {@code /usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib}
 * on Linux, where an installed application would put it). Loaded when this class is first used; the library
 * stays loaded for the life of the JVM.
 *
 * <p>Also the application's {@link KernelProvider}: pcompute's registry ({@code io.pcompute.Kernels.all()}),
 * command line and validator find the kernels through it.
 */
public final class ChecksumKernels implements KernelProvider {
    /** libchecksums.so. */
    public static final NativeLibrary LIBRARY = NativeLibrary.load("checksums");

    /** CRC-32C per chunk. */
    public static final Crc32cChunks CRC32C = new Crc32cChunks(LIBRARY.kernel(Crc32cChunks.SYMBOL));

    /** Adler-32 per chunk. */
    public static final Adler32Chunks ADLER32 = new Adler32Chunks(LIBRARY.kernel(Adler32Chunks.SYMBOL));

    /** For {@link java.util.ServiceLoader}; applications use the constants. */
    public ChecksumKernels() {}

    @Override
    public List<Kernel<?, ?>> kernels() {
        return List.of(CRC32C, ADLER32);
    }
}
