package com.example.checksums;

import io.pcompute.kernel.NativeKernel;

import java.util.zip.Adler32;

/**
 * Adler-32 of every chunk: the Java side of {@code adler32_chunks} in {@code native/checksums.c}. The
 * reference is the JDK's {@link Adler32}, chunk by chunk.
 */
public final class Adler32Chunks extends ChunkChecksum {
    /** The kernel's name, as its C descriptor declares it. */
    public static final String NAME = "adler32_chunks";
    /** The symbol libchecksums.so exports for it. */
    public static final String SYMBOL = "adler32_chunks_kernel";

    /** The kernel with its C code {@code code} (normally {@code library.kernel(SYMBOL)}). */
    public Adler32Chunks(NativeKernel code) {
        super(NAME, code);
    }

    @Override
    protected int checksum(byte[] data, int from, int to) {
        Adler32 adler = new Adler32();
        adler.update(data, from, to - from);
        return (int) adler.getValue();
    }
}
