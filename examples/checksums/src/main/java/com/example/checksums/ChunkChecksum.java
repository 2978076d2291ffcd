package com.example.checksums;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeKernel;
import io.pcompute.kernel.Shrink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A 32-bit checksum of every chunk of a byte array, with its C code in libchecksums.so: what the two
 * kernels share — buffers, the reference loop over chunks, comparison, generation, shrinking, descriptions.
 * A subclass gives the JDK's checksum of one chunk ({@link #checksum}), the reference.
 *
 * <p>Buffers, as {@code native/checksums.h} documents them: input 0 the bytes, iparam 0 the chunk length,
 * iparam 1 the data length, one item per chunk, output 0 one int32 per chunk, the unsigned 32-bit checksum
 * ({@code Integer.toUnsignedLong(out[k])} is the JDK checksum's {@code getValue()}).
 */
public abstract sealed class ChunkChecksum extends Kernel<Chunks, int[]> permits Crc32cChunks, Adler32Chunks {
    ChunkChecksum(String name, NativeKernel code) {
        super(name, code);
    }

    /** The reference: the JDK's checksum of {@code data[from, to)} as an int. */
    protected abstract int checksum(byte[] data, int from, int to);

    @Override
    public final void validate(Chunks problem) {
        requireNonNull(problem, "problem");
    }

    @Override
    public final long items(Chunks problem) {
        return problem.count();
    }

    @Override
    public final Buffers buffers(Chunks problem) {
        return new Buffers().in(0, problem.data()).iparam(0, problem.chunkLength()).iparam(1, problem.data().length)
                .out(0, new int[problem.count()]);
    }

    @Override
    public final void reference(Buffers buffers, long begin, long end) {
        byte[] data = buffers.byteIn(0);
        int chunk = (int) buffers.iparam(0);
        int[] out = buffers.intOut(0);
        for (int k = (int) begin; k < end; k++) {
            int from = k * chunk; // < data.length <= Integer.MAX_VALUE: k < count()
            out[k] = checksum(data, from, from + Math.min(chunk, data.length - from));
        }
    }

    @Override
    public final int[] finish(Chunks problem, Buffers buffers) {
        return buffers.intOut(0);
    }

    @Override
    public final String difference(int[] expected, int[] actual) {
        if (expected.length != actual.length) {
            return "expected " + expected.length + " checksums, got " + actual.length;
        }
        for (int k = 0; k < expected.length; k++) {
            if (expected[k] != actual[k]) {
                return String.format("chunk %d: expected 0x%08x, got 0x%08x", k, expected[k], actual[k]);
            }
        }
        return null;
    }

    /** Up to ~{@code 2,000 * size} random bytes in chunks of 1 byte to more than the whole array. */
    @Override
    public final Chunks random(SplittableRandom random, int size) {
        byte[] data = new byte[random.nextInt(0, 2_000 * size + 1)];
        random.nextBytes(data);
        int chunk = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(1, 17);                          // tiny: every tail length
            case 1 -> random.nextInt(1, Math.max(2, data.length + 2)); // anything up to one chunk
            case 2 -> 8 * random.nextInt(1, 64) + random.nextInt(8);  // around multiples of 8
            default -> 1 << random.nextInt(0, 17);                     // powers of two
        };
        return new Chunks(data, chunk);
    }

    @Override
    public final List<Chunks> edgeCases() {
        List<Chunks> cases = new ArrayList<>();
        cases.add(new Chunks(new byte[0], 1));
        cases.add(new Chunks(new byte[0], 4096));
        cases.add(new Chunks(new byte[] {0}, 1));
        cases.add(new Chunks(new byte[] {(byte) 0xff}, 7));
        for (int length : new int[] {7, 8, 9, 15, 16, 17, 63, 64, 65}) {
            byte[] ascending = new byte[length];
            for (int i = 0; i < length; i++) {
                ascending[i] = (byte) i;
            }
            for (int chunk = 1; chunk <= 9; chunk++) {
                cases.add(new Chunks(ascending, chunk));
            }
            cases.add(new Chunks(ascending, length));
            cases.add(new Chunks(ascending, Integer.MAX_VALUE));
        }
        byte[] ones = new byte[70_001]; // chunks longer than the C side's 64 KiB cancellation piece
        Arrays.fill(ones, (byte) 0xff);
        cases.add(new Chunks(ones, 65_536));
        cases.add(new Chunks(ones, 65_537));
        cases.add(new Chunks(ones, 70_001));
        return cases;
    }

    /** Shorter data first (halves, then single bytes), then simpler chunk lengths, then zeroed bytes. */
    @Override
    public final List<Chunks> shrink(Chunks problem) {
        byte[] data = problem.data();
        List<Chunks> out = new ArrayList<>();
        for (int[] cut : Shrink.cuts(data.length)) {
            byte[] shorter = new byte[data.length - (cut[1] - cut[0])];
            System.arraycopy(data, 0, shorter, 0, cut[0]);
            System.arraycopy(data, cut[1], shorter, cut[0], data.length - cut[1]);
            out.add(new Chunks(shorter, problem.chunkLength()));
        }
        if (problem.chunkLength() > data.length && data.length > 0) {
            out.add(new Chunks(data, data.length)); // one chunk either way
        }
        for (long c : Shrink.simpler(problem.chunkLength(), 1)) {
            out.add(new Chunks(data, (int) c));
        }
        if (data.length <= 32) {
            for (int i = 0; i < data.length; i++) {
                if (data[i] != 0) {
                    byte[] zeroed = data.clone();
                    zeroed[i] = 0;
                    out.add(new Chunks(zeroed, problem.chunkLength()));
                }
            }
        }
        return out;
    }

    @Override
    public final String describe(Chunks problem) {
        byte[] data = problem.data();
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(data.length, 32); i++) {
            hex.append(String.format("%02x", data[i]));
        }
        return "chunkLength = " + problem.chunkLength() + ", data (" + data.length + " bytes) = "
                + hex + (data.length > 32 ? "..." : "");
    }

    @Override
    public final String describeResult(int[] sums) {
        StringBuilder out = new StringBuilder("[");
        for (int k = 0; k < Math.min(sums.length, 8); k++) {
            out.append(k == 0 ? "" : ", ").append(String.format("0x%08x", sums[k]));
        }
        return out.append(sums.length > 8 ? ", ... (" + sums.length + " checksums)]" : "]").toString();
    }
}
