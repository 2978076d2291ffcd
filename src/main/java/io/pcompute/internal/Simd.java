package io.pcompute.internal;

import io.pcompute.internal.ffi.pcompute_h;

/**
 * The C library's SIMD path switch ("SIMD paths" in pcompute.h): which vector code the kernels that have
 * it (gcd_brute, and gcd_fast on AVX-512 only) run, process-wide. Every path computes the same bits, so
 * this only changes speed; tests and benchmarks use it to run each path on any machine that has it. The environment variable
 * {@code PCOMPUTE_SIMD=scalar|avx2|avx512|auto}, read by the library at its first use, chooses too.
 */
public final class Simd {
    static {
        Native.libraryFile(); // load (or fail with the loader's message) before the first downcall
    }

    private Simd() {}

    /** A path, with its PC_SIMD_* value from the bindings. */
    public enum Path {
        /** The widest path the CPU supports (only as an argument of {@link #force}). */
        AUTO(pcompute_h.PC_SIMD_AUTO()),
        /** Plain C, one candidate at a time. */
        SCALAR(pcompute_h.PC_SIMD_SCALAR()),
        /** x86-64 AVX2 + FMA, 4 doubles per step (8 floats for values up to 2^24). */
        AVX2(pcompute_h.PC_SIMD_AVX2()),
        /** x86-64 AVX-512F and CD: 8 doubles per step (16 floats up to 2^24); gcd_fast 64 pairs at a time. */
        AVX512(pcompute_h.PC_SIMD_AVX512());

        private final int level;

        Path(int level) {
            this.level = level;
        }

        static Path of(int level) {
            for (Path p : values()) {
                if (p.level == level) {
                    return p;
                }
            }
            throw new IllegalStateException("pc_simd_level() returned " + level + ", not a PC_SIMD_* value");
        }
    }

    /** Whether this process can run {@code path} ({@link Path#AUTO} and {@link Path#SCALAR} always). */
    public static boolean supported(Path path) {
        return pcompute_h.pc_simd_supported(path.level) != 0;
    }

    /**
     * Makes every kernel call that starts from now on, in the whole process, use {@code path}.
     *
     * @throws IllegalArgumentException if this CPU cannot run {@code path}
     */
    public static void force(Path path) {
        int status = pcompute_h.pc_simd_force(path.level);
        if (status == Native.PC_ERR_INVALID_ARGUMENT) {
            throw new IllegalArgumentException("path = " + path + ": this CPU (or OS) cannot run it; supported: "
                    + java.util.Arrays.stream(Path.values()).filter(Simd::supported).toList());
        }
        Native.check(status, "pc_simd_force(" + path + ")");
    }

    /** The path in effect: {@link Path#SCALAR}, {@link Path#AVX2} or {@link Path#AVX512}, never AUTO. */
    public static Path inEffect() {
        return Path.of(pcompute_h.pc_simd_level());
    }
}
