package com.example.checksums;

import io.pcompute.kernel.NativeKernel;

import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli) of every chunk: the Java side of {@code crc32c_chunks} in {@code native/checksums.c}
 * (slicing-by-8). The reference is the JDK's {@link CRC32C}, chunk by chunk.
 */
public final class Crc32cChunks extends ChunkChecksum {
    /** The kernel's name, as its C descriptor declares it. */
    public static final String NAME = "crc32c_chunks";
    /** The symbol libchecksums.so exports for it. */
    public static final String SYMBOL = "crc32c_chunks_kernel";

    /** The kernel with its C code {@code code} (normally {@code library.kernel(SYMBOL)}). */
    public Crc32cChunks(NativeKernel code) {
        super(NAME, code);
    }

    @Override
    protected int checksum(byte[] data, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(data, from, to - from);
        return (int) crc.getValue();
    }
}
