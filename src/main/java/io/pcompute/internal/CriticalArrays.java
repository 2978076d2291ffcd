package io.pcompute.internal;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Buffers.ElementType;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.PairKernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Java arrays without a copy, within what FFM allows (issue 11, item 4). A critical downcall
 * ({@code Linker.Option.critical(true)}) may take heap arrays as arguments and read them in place, but no
 * safepoint can happen while it runs: every other Java thread that reaches one, and the garbage collector,
 * waits for it to return (issue 11 measured an 80 ms critical call holding GCs up by 75-143 ms).
 * So the native strategies pass a call's arrays zero-copy only when the whole call is short, and copy them
 * into native memory otherwise, as before (in 1 MiB pieces: each piece, too, holds safepoints off while it
 * is copied; see NativeBuffers). Data that must run at memory speed at any size belongs in native
 * segments ({@code Reduce.Data.of(MemorySegment)}), which every call reads in place.
 *
 * <p><b>The bound.</b> A call qualifies when its kernel is built into libpcompute (an application's C code
 * could do anything, calling into Java included, which would kill the VM) and
 * <ul>
 * <li>for the reductions ({@code reduce_sum}, {@code reduce_sum_neumaier}, {@code reduce_dot},
 *     {@code reduce_minmax}), which stream their input once: its input arrays hold at most
 *     {@link #REDUCTION_MAX_BYTES} (4 MiB) together. Measured on the 2-core EPYC (Zen 5) dev VM through
 *     {@code pc_run} on one thread, 200 runs each at load 5: 2 MiB took 27 us (sum), 65 us (Neumaier),
 *     68 us (dot), 48 us (min/max) at best, 84-197 us at worst; 8 MiB 109-268 us at best, 366-497 us at worst
 *     but one 5 ms run, the thread preempted by the OS. 4 MiB thus costs about 0.05-0.15 ms on a core of
 *     its own, and stays under 1 ms down to 4.2 GB/s, an eighth of the slowest kernel's in-cache speed
 *     (dot, 31 GB/s); a preempted thread is the one stall no bound can exclude. What the calls cost other
 *     threads is measured by bench/ (SafepointStall), never asserted;</li>
 * <li>for pair kernels, {@link PairKernel#isShortCall} (gcd_fast: at most 16,384 pairs, 1.1 ms at best for
 *     random 63-bit pairs on the same VM on the scalar path, a seventh of that on AVX-512, far less for small
 *     values).</li>
 * </ul>
 * Every input must be a Java array (a call with native segments among its inputs takes the copy path, which
 * reads the segments in place anyway), and outputs are written in place too.
 *
 * <p><b>On the pool.</b> {@code pc_pool_run_def_buffers} creates, runs and frees one job inside the
 * critical call. Its workers read and write the heap arrays while the calling thread holds off every
 * safepoint; that is safe because the arrays cannot move before the call returns, and the call does not
 * return before the last worker has left the job (it finishes under the pool's mutex, which pc_job_free
 * takes). It is bounded because the calling thread runs every task no worker has claimed: a pool busy with
 * other jobs (or asleep) only means the caller does the work alone, no slower than the serial bound above,
 * and otherwise it waits for the tasks workers are inside, parts of the same bounded work. Nothing in it
 * calls into Java: the workers are pthreads that run only C, the pool's locks are held by C code for a few
 * list operations, never across a kernel or an upcall, and the Java side keeps the pool open for the whole
 * call (it counts as a job in flight, which close() waits for before it destroys the pool).
 */
public final class CriticalArrays {
    private CriticalArrays() {}

    /** Most bytes of input arrays a reduction passes zero-copy (see the class comment). */
    public static final long REDUCTION_MAX_BYTES = 4L << 20;

    /* The built-in kernels with a byte bound, by name. */
    private static final Map<String, Long> MAX_INPUT_BYTES = Map.of(
            "reduce_sum", REDUCTION_MAX_BYTES,
            "reduce_sum_neumaier", REDUCTION_MAX_BYTES,
            "reduce_dot", REDUCTION_MAX_BYTES,
            "reduce_minmax", REDUCTION_MAX_BYTES);

    /* Calls that took the zero-copy path: a test seam (proof that the path is taken), never timing. */
    private static final LongAdder CALLS = new LongAdder();

    /** How many calls have passed their arrays zero-copy through a critical downcall in this JVM. */
    public static long calls() {
        return CALLS.sum();
    }

    /**
     * Whether a call of {@code kernel} over {@code n} items of {@code buffers} is short enough to pass its
     * arrays zero-copy (see the class comment).
     */
    public static boolean fits(Kernel<?, ?> kernel, Buffers buffers, long n) {
        if (kernel.nativeKernel() != null) {
            return false;
        }
        if (kernel instanceof PairKernel pairs) {
            return pairs.isShortCall(n) && onlyArrays(buffers) >= 0;
        }
        Long max = MAX_INPUT_BYTES.get(kernel.name());
        if (max == null) {
            return false;
        }
        long bytes = onlyArrays(buffers);
        return bytes >= 0 && bytes <= max;
    }

    /** The bytes of the input arrays, or -1 when an input is a native segment. */
    private static long onlyArrays(Buffers buffers) {
        long bytes = 0;
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            Object input = KernelAccess.input(buffers, i);
            if (input instanceof Buffers.SegmentInput) {
                return -1;
            }
            if (input != null) {
                ElementType type = ElementType.ofArray(input);
                bytes += type.length(input) * type.size();
            }
        }
        return bytes;
    }

    /**
     * Runs a call that {@link #fits} on the calling thread, zero-copy. Returns PC_OK or
     * PC_ERR_INVALID_ARGUMENT with the bad index in {@code badIndex[0]}; other failures throw.
     */
    public static int runSerial(MemorySegment kernelDef, Buffers buffers, long n, long[] badIndex) {
        MemorySegment[] in = inputs(buffers);
        MemorySegment[] out = outputs(buffers);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = Native.argsWithoutBuffers(arena, in, out, NativeBuffers.iparams(buffers),
                    NativeBuffers.dparams(buffers));
            CALLS.increment();
            return Native.runBuffersCritical(kernelDef, args, n, badIndex, in, out);
        }
    }

    /**
     * Runs a call that {@link #fits} as one job on {@code pool} (which must stay open throughout), zero-copy,
     * the calling thread helping. Returns as {@link #runSerial}.
     */
    public static int runOnPool(MemorySegment pool, MemorySegment kernelDef, Buffers buffers, long n, long chunk,
                                long[] badIndex) {
        MemorySegment[] in = inputs(buffers);
        MemorySegment[] out = outputs(buffers);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = Native.argsWithoutBuffers(arena, in, out, NativeBuffers.iparams(buffers),
                    NativeBuffers.dparams(buffers));
            CALLS.increment();
            return Native.poolRunBuffersCritical(pool, kernelDef, args, n, chunk, badIndex, in, out);
        }
    }

    private static MemorySegment[] inputs(Buffers buffers) {
        MemorySegment[] in = new MemorySegment[Buffers.MAX_INPUTS];
        for (int i = 0; i < in.length; i++) {
            in[i] = heapSegment(KernelAccess.input(buffers, i));
        }
        return in;
    }

    private static MemorySegment[] outputs(Buffers buffers) {
        MemorySegment[] out = new MemorySegment[Buffers.MAX_OUTPUTS];
        for (int i = 0; i < out.length; i++) {
            out[i] = heapSegment(KernelAccess.output(buffers, i));
        }
        return out;
    }

    private static MemorySegment heapSegment(Object array) {
        return switch (array) {
            case null -> null;
            case long[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case float[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalStateException("buffer of " + array.getClass() + " is not an array of long, "
                    + "double, int, float or byte");
        };
    }
}
