package com.example.checksums;

import java.util.Objects;

/**
 * A checksum problem: {@code data} cut into chunks of {@code chunkLength} bytes, the last one possibly
 * shorter. The array is the caller's, not copied: do not change it while a kernel runs on it.
 *
 * @param data        the bytes
 * @param chunkLength bytes per chunk, at least 1
 */
public record Chunks(byte[] data, int chunkLength) {
    public Chunks {
        Objects.requireNonNull(data, "data must not be null");
        if (chunkLength < 1) {
            throw new IllegalArgumentException("chunkLength = " + chunkLength + ": must be >= 1");
        }
    }

    /** The number of chunks: {@code ceil(data.length / chunkLength)}, 0 for no data. */
    public int count() {
        return data.length / chunkLength + (data.length % chunkLength == 0 ? 0 : 1);
    }

    @Override
    public String toString() {
        return data.length + " bytes in chunks of " + chunkLength;
    }
}
