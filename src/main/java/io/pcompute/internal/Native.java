package io.pcompute.internal;

import io.pcompute.NativeException;
import io.pcompute.internal.ffi.pc_args;
import io.pcompute.internal.ffi.pcompute_h;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The only door to the C library: loads it, wraps the generated bindings, and turns status codes into
 * {@link NativeException}s. Everything else in pcompute talks to this class, never to the generated code.
 */
public final class Native {
    /** The C library version this jar was built against. */
    public static final String EXPECTED_VERSION = "0.1.0";

    private static final Path LIBRARY_FILE;

    static {
        LIBRARY_FILE = NativeLoader.fromSystemProperties().load();
        String version = pcompute_h.pc_version().reinterpret(64).getString(0);
        if (!EXPECTED_VERSION.equals(version)) {
            throw new UnsatisfiedLinkError("pcompute: " + LIBRARY_FILE + " (platform " + NativeLoader.currentPlatform()
                    + ") is libpcompute " + version + " but this jar needs " + EXPECTED_VERSION
                    + "; rebuild it or unset -D" + NativeLoader.LIBRARY_PATH_PROPERTY);
        }
    }

    // Initialised after the library is loaded (static initialisers run in textual order).
    public static final int PC_OK = pcompute_h.PC_OK();
    public static final int PC_ERR_INVALID_ARGUMENT = pcompute_h.PC_ERR_INVALID_ARGUMENT();
    public static final int PC_ERR_CANCELLED = pcompute_h.PC_ERR_CANCELLED();
    public static final int PC_ERR_TIMEOUT = pcompute_h.PC_ERR_TIMEOUT();
    public static final int PC_ERR_BUFFER_SIZE = pcompute_h.PC_ERR_BUFFER_SIZE();

    /*
     * Kernels over buffers passed as call arguments, critical so that the buffers may be Java heap arrays
     * (no copy): the serial one runs the kernel on the calling thread and returns; the pool one is bounded
     * by the job's own work (see pc_pool_run_def_buffers and CriticalArrays for why that is safe). Neither
     * calls back into Java. Only CriticalArrays calls them, and only for calls it bounds to about 1 ms.
     */
    private static final MethodHandle RUN_DEF_BUFFERS_CRITICAL = critical(
            pcompute_h.pc_run_def_buffers$address(), pcompute_h.pc_run_def_buffers$descriptor());
    private static final MethodHandle POOL_RUN_DEF_BUFFERS_CRITICAL = critical(
            pcompute_h.pc_pool_run_def_buffers$address(), pcompute_h.pc_pool_run_def_buffers$descriptor());
    /* Two loads, lock-free: critical, with the out parameter in a Java array rather than an arena per call. */
    private static final MethodHandle JOB_PROGRESS_CRITICAL = critical(
            pcompute_h.pc_job_progress$address(), pcompute_h.pc_job_progress$descriptor());

    /*
     * libc's aligned_alloc and free, for pcompute's own scratch memory: freeing it must be cheap, and
     * closing a shared arena is not (a handshake with every thread: 0.12 ms each, measured on JDK 25 with
     * a handful of threads, so 1.2 s to release the buffers of 10,000 cancelled jobs).
     */
    private static final MethodHandle ALIGNED_ALLOC = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("aligned_alloc").orElseThrow(),
            java.lang.foreign.FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("free").orElseThrow(),
            java.lang.foreign.FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    private static MethodHandle critical(MemorySegment address, java.lang.foreign.FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(address, descriptor, Linker.Option.critical(true));
    }

    private Native() {}

    /** Forces the library to load now (and fail now, with the loader's message, if it cannot). */
    public static Path libraryFile() {
        return LIBRARY_FILE;
    }

    /** The loaded library's build id (pc_build_id()). */
    public static String buildId() {
        return pcompute_h.pc_build_id().reinterpret(256).getString(0);
    }

    public static String version() {
        return pcompute_h.pc_version().reinterpret(64).getString(0);
    }

    public static int cpuCount() {
        return pcompute_h.pc_cpu_count();
    }

    public static String describe(int status) {
        return pcompute_h.pc_strerror(status).reinterpret(256).getString(0);
    }

    /** Throws {@link NativeException} for any status but PC_OK. */
    public static void check(int status, String call) {
        if (status != PC_OK) {
            throw new NativeException(status, call + " failed: " + describe(status) + " (status " + status + ")");
        }
    }

    // ---- scratch memory --------------------------------------------------------------------------

    /**
     * {@code bytes} (rounded up to a multiple of 64) of uninitialised native memory, 64-byte aligned, that
     * only {@link #free} releases. The segment has the global scope: its owner must not free it while
     * anything still uses it.
     *
     * @throws OutOfMemoryError if the C heap has no room
     */
    public static MemorySegment allocate(long bytes) {
        long size = (Math.max(bytes, 1) + 63) / 64 * 64;
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(64L, size);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc downcall failed", t);
        }
        if (p.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("native scratch memory: aligned_alloc(64, " + size + ") failed");
        }
        return p.reinterpret(size);
    }

    /** Frees memory from {@link #allocate}. */
    public static void free(MemorySegment memory) {
        try {
            FREE.invokeExact(memory);
        } catch (Throwable t) {
            throw new IllegalStateException("free downcall failed", t);
        }
    }

    // ---- one-call kernels ------------------------------------------------------------------------

    /**
     * Runs a kernel over items [0, n) of {@code args} on the calling thread (one downcall,
     * {@code pc_run_keep}), keeping up to four caller-owned segments alive for the whole call: FFM pins a
     * segment while it is an argument of a running call, so their arenas cannot be closed under the kernel.
     * Returns PC_OK or PC_ERR_INVALID_ARGUMENT with the first bad index in {@code badIndex[0]};
     * other failures throw.
     */
    public static int run(MemorySegment kernelDef, MemorySegment args, long n, long[] badIndex, MemorySegment[] keep) {
        if (keep.length > 4) {
            throw new IllegalArgumentException("keep.length = " + keep.length + ": at most 4 segments");
        }
        MemorySegment[] k = new MemorySegment[4];
        for (int i = 0; i < k.length; i++) {
            k[i] = i < keep.length && keep[i] != null ? keep[i] : MemorySegment.NULL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bad = arena.allocate(ValueLayout.JAVA_LONG);
            return invalidOrCheck(pcompute_h.pc_run_def_keep(kernelDef, args, n, bad, k[0], k[1], k[2], k[3]), bad,
                    badIndex, "pc_run_def");
        }
    }

    /** The descriptor of built-in kernel {@code id} (static storage in libpcompute). */
    public static MemorySegment kernelDef(int id) {
        MemorySegment def = pcompute_h.pc_kernel_def_of(id);
        if (def.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("kernel id " + id + ": libpcompute has no such kernel");
        }
        return def;
    }

    /** The kernel ABI version libpcompute speaks. */
    public static int kernelAbiVersion() {
        return pcompute_h.pc_kernel_abi_version();
    }

    /**
     * Runs a built-in kernel over items [0, n) on the calling thread through a critical handle, with the
     * buffers as arguments ({@code pc_run_def_buffers}): {@code in}/{@code out} may be heap segments
     * ({@link MemorySegment#ofArray}), read and written in place; null = no buffer. {@code args} holds the
     * lengths and parameters (see {@link #argsWithoutBuffers}). No safepoint can happen during the call, so
     * the caller must bound its length. Same returns as {@link #run}.
     */
    public static int runBuffersCritical(MemorySegment kernelDef, MemorySegment args, long n, long[] badIndex,
                                         MemorySegment[] in, MemorySegment[] out) {
        MemorySegment[] b = bufferArguments(in, out);
        int status;
        try {
            status = (int) RUN_DEF_BUFFERS_CRITICAL.invokeExact(kernelDef, args, n, MemorySegment.ofArray(badIndex),
                    b[0], b[1], b[2], b[3], b[4], b[5]);
        } catch (Throwable t) {
            throw new IllegalStateException("critical downcall failed", t);
        }
        return invalidOrCheck(status, badIndex, "pc_run_def_buffers (critical)");
    }

    /**
     * {@link #runBuffersCritical} as one synchronous job on {@code pool} ({@code pc_pool_run_def_buffers}):
     * the calling thread helps, so the call lasts about the job's cost on one thread at most, whatever the
     * pool is doing. The pool must stay open for the whole call. Same returns as {@link #run}.
     */
    public static int poolRunBuffersCritical(MemorySegment pool, MemorySegment kernelDef, MemorySegment args, long n,
                                             long chunk, long[] badIndex, MemorySegment[] in, MemorySegment[] out) {
        MemorySegment[] b = bufferArguments(in, out);
        int status;
        try {
            status = (int) POOL_RUN_DEF_BUFFERS_CRITICAL.invokeExact(pool, kernelDef, args, n, chunk,
                    MemorySegment.ofArray(badIndex), b[0], b[1], b[2], b[3], b[4], b[5]);
        } catch (Throwable t) {
            throw new IllegalStateException("critical downcall failed", t);
        }
        return invalidOrCheck(status, badIndex, "pc_pool_run_def_buffers (critical)");
    }

    /**
     * One synchronous job on {@code pool} over native buffers passed as arguments, as an ordinary downcall
     * ({@code pc_pool_run_def_buffers}: create, run with the calling thread helping, free): the buffers'
     * arenas are held open for the call. For a call of any length (safepoints are not held off). The pool
     * must stay open for the whole call. Same returns as {@link #run}.
     */
    public static int poolRunBuffers(Arena arena, MemorySegment pool, MemorySegment kernelDef, MemorySegment args,
                                     long n, long chunk, long[] badIndex, MemorySegment[] in, MemorySegment[] out) {
        MemorySegment[] b = bufferArguments(in, out);
        MemorySegment bad = arena.allocate(ValueLayout.JAVA_LONG);
        return invalidOrCheck(pcompute_h.pc_pool_run_def_buffers(pool, kernelDef, args, n, chunk, bad,
                b[0], b[1], b[2], b[3], b[4], b[5]), bad, badIndex, "pc_pool_run_def_buffers");
    }

    private static MemorySegment[] bufferArguments(MemorySegment[] in, MemorySegment[] out) {
        int inputs = pcompute_h.PC_MAX_INPUTS();
        MemorySegment[] b = new MemorySegment[inputs + pcompute_h.PC_MAX_OUTPUTS()];
        for (int i = 0; i < b.length; i++) {
            MemorySegment s = i < inputs ? (i < in.length ? in[i] : null) : (i - inputs < out.length ? out[i - inputs] : null);
            b[i] = s == null ? MemorySegment.NULL : s;
        }
        return b;
    }

    /** {@link #invalidOrCheck} for a bad index already in a Java array. */
    private static int invalidOrCheck(int status, long[] badIndex, String call) {
        if (status == PC_ERR_BUFFER_SIZE) {
            throw new NativeException(status, call + " failed: " + describe(status) + ": " + slotName(badIndex[0])
                    + " (status " + status + ")");
        }
        if (status != PC_ERR_INVALID_ARGUMENT) {
            check(status, call);
        }
        return status;
    }

    private static int invalidOrCheck(int status, MemorySegment bad, long[] badIndex, String call) {
        if (status == PC_ERR_INVALID_ARGUMENT) {
            badIndex[0] = bad.get(ValueLayout.JAVA_LONG, 0);
            return status;
        }
        if (status == PC_ERR_BUFFER_SIZE) {
            throw new NativeException(status, call + " failed: " + describe(status) + ": "
                    + slotName(bad.get(ValueLayout.JAVA_LONG, 0)) + " (status " + status + ")");
        }
        check(status, call);
        return status;
    }

    /** The buffer a PC_ERR_BUFFER_SIZE bad_index names: "in[i]" or "out[i]". */
    static String slotName(long slot) {
        int inputs = pcompute_h.PC_MAX_INPUTS();
        if (slot >= 0 && slot < inputs) return "in[" + slot + "]";
        if (slot >= inputs && slot < inputs + pcompute_h.PC_MAX_OUTPUTS()) return "out[" + (slot - inputs) + "]";
        return "buffer slot " + slot;
    }

    // ---- pool and jobs -------------------------------------------------------------------------------

    /*
     * The job calls a cancel, wait or free makes, linked and run once per JVM with NULL (which they refuse
     * with PC_ERR_NULL_ARGUMENT) when the first pool is created: otherwise the first cancel() of a JVM loads
     * and links them on the spot. The first cancel of an endless gcd_brute job went from 4.4-5.9 ms to
     * 3.2-3.7 ms on the 2-core dev VM (later cancels: well under 1 ms); the rest is the Java side's first run.
     */
    private static final class JobCallsLinked {
        static {
            MemorySegment none = MemorySegment.NULL;
            pcompute_h.pc_job_cancel(none);
            pcompute_h.pc_job_wait(none, 0);
            pcompute_h.pc_job_wait_started(none, 0);
            pcompute_h.pc_job_free(none);
        }

        static void ensure() { }
    }

    /** Creates a native pool; the returned address is owned by the caller (see {@link #destroyPool}). */
    public static MemorySegment createPool(int threads) {
        JobCallsLinked.ensure();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            check(pcompute_h.pc_pool_create(threads, out), "pc_pool_create(" + threads + ")");
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    public static int poolThreads(MemorySegment pool) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            check(pcompute_h.pc_pool_thread_count(pool, out), "pc_pool_thread_count");
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** The pool's lazy wake window in nanoseconds (pc_pool_lazy_wake_ns). */
    public static long lazyWakeNanos(MemorySegment pool) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            check(pcompute_h.pc_pool_lazy_wake_ns(pool, out), "pc_pool_lazy_wake_ns");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Sets the pool's lazy wake window (pc_pool_set_lazy_wake_ns); the caller has checked the range. */
    public static void setLazyWakeNanos(MemorySegment pool, long nanos) {
        check(pcompute_h.pc_pool_set_lazy_wake_ns(pool, nanos), "pc_pool_set_lazy_wake_ns");
    }

    public static void destroyPool(MemorySegment pool) {
        check(pcompute_h.pc_pool_destroy(pool), "pc_pool_destroy");
    }

    /**
     * A {@code pc_args} struct in {@code arena}: up to four input and two output segments (null = unused),
     * each with its byte size as the buffer length the kernel checks (kernel ABI 2), and four integer and
     * four floating-point parameters.
     */
    public static MemorySegment args(SegmentAllocator arena, MemorySegment[] in, MemorySegment[] out,
                                     long[] iparam, double[] dparam) {
        MemorySegment args = pc_args.allocate(arena);
        args.fill((byte) 0);
        // Through the field slices: the generated indexed setters (jextract 0b89a46) apply the element
        // offset from the start of the struct, not of the field, so pc_args.out(args, 0, x) writes in[0].
        MemorySegment inField = pc_args.in(args);
        MemorySegment outField = pc_args.out(args);
        MemorySegment inBytes = pc_args.in_bytes(args);
        MemorySegment outBytes = pc_args.out_bytes(args);
        for (int i = 0; i < in.length; i++) {
            inField.setAtIndex(ValueLayout.ADDRESS, i, in[i] == null ? MemorySegment.NULL : in[i]);
            inBytes.setAtIndex(ValueLayout.JAVA_LONG, i, in[i] == null ? 0 : in[i].byteSize());
        }
        for (int i = 0; i < out.length; i++) {
            outField.setAtIndex(ValueLayout.ADDRESS, i, out[i] == null ? MemorySegment.NULL : out[i]);
            outBytes.setAtIndex(ValueLayout.JAVA_LONG, i, out[i] == null ? 0 : out[i].byteSize());
        }
        MemorySegment.copy(iparam, 0, pc_args.iparam(args), ValueLayout.JAVA_LONG, 0, iparam.length);
        MemorySegment.copy(dparam, 0, pc_args.dparam(args), ValueLayout.JAVA_DOUBLE, 0, dparam.length);
        return args;
    }

    /**
     * A {@code pc_args} struct for the {@code *_buffers} calls: the byte length of each buffer (null = none)
     * and the parameters, with every buffer pointer NULL. The buffers themselves (heap segments among them,
     * which cannot be stored in native memory) are passed as call arguments.
     */
    public static MemorySegment argsWithoutBuffers(SegmentAllocator arena, MemorySegment[] in, MemorySegment[] out,
                                                   long[] iparam, double[] dparam) {
        MemorySegment args = pc_args.allocate(arena);
        args.fill((byte) 0);
        MemorySegment inBytes = pc_args.in_bytes(args);
        MemorySegment outBytes = pc_args.out_bytes(args);
        for (int i = 0; i < in.length; i++) {
            inBytes.setAtIndex(ValueLayout.JAVA_LONG, i, in[i] == null ? 0 : in[i].byteSize());
        }
        for (int i = 0; i < out.length; i++) {
            outBytes.setAtIndex(ValueLayout.JAVA_LONG, i, out[i] == null ? 0 : out[i].byteSize());
        }
        MemorySegment.copy(iparam, 0, pc_args.iparam(args), ValueLayout.JAVA_LONG, 0, iparam.length);
        MemorySegment.copy(dparam, 0, pc_args.dparam(args), ValueLayout.JAVA_DOUBLE, 0, dparam.length);
        return args;
    }

    /** The number of kernels the C library implements; their ids are 1 .. kernelCount(). */
    public static int kernelCount() {
        return pcompute_h.pc_kernel_count();
    }

    /** The C library's name of kernel {@code id}. */
    public static String kernelName(int id) {
        MemorySegment name = pcompute_h.pc_kernel_name(id);
        if (name.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("kernel id " + id + " is unknown to libpcompute");
        }
        return name.reinterpret(256).getString(0);
    }

    /** The C library's id of built-in kernel {@code name}; throws IllegalArgumentException if it has none. */
    public static int kernelId(String name) {
        Integer id = KernelIds.BY_NAME.get(name);
        if (id == null) {
            throw new IllegalArgumentException("kernel = '" + name + "': libpcompute has no such kernel");
        }
        return id;
    }

    /** The built-in kernels' ids by name, read from the library once (the process pool asks per job). */
    private static final class KernelIds {
        static final java.util.Map<String, Integer> BY_NAME = new java.util.HashMap<>();

        static {
            for (int id = 1; id <= kernelCount(); id++) {
                BY_NAME.put(kernelName(id), id);
            }
        }
    }

    /**
     * TEST ONLY: makes kernel {@code id} compute deliberately wrong results while enabled. Only the test
     * build of the library has this hook; with the release build (the jar's) it throws
     * {@link UnsupportedOperationException} saying so.
     */
    public static void plantBug(int id, boolean enabled) {
        if (java.lang.foreign.SymbolLookup.loaderLookup().find("pc_test_plant_bug").isEmpty()) {
            throw new UnsupportedOperationException("pc_test_plant_bug: " + LIBRARY_FILE + " is a release build of"
                    + " libpcompute, without test hooks; build the test build (CMake target pcompute_testhooks,"
                    + " target/native-test/ in the Maven build) and point -D" + NativeLoader.LIBRARY_PATH_PROPERTY
                    + " and -D" + NativeLoader.BUILD_ID_PROPERTY + "=any at it");
        }
        check(pcompute_h.pc_test_plant_bug(id, enabled ? 1 : 0), "pc_test_plant_bug");
    }

    /**
     * Creates a job, not yet running (see {@link #startAndWait}); returns its address, or
     * {@link MemorySegment#NULL} with the first bad index in {@code badIndex[0]} when an input value is
     * invalid. Other failures throw.
     */
    public static MemorySegment createJob(MemorySegment pool, MemorySegment kernelDef, MemorySegment args, long n,
                                          long chunk, long[] badIndex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment jobOut = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment bad = arena.allocate(ValueLayout.JAVA_LONG);
            int status = pcompute_h.pc_job_create_def(pool, kernelDef, args, n, chunk, jobOut, bad);
            if (invalidOrCheck(status, bad, badIndex, "pc_job_create_def") != PC_OK) {
                return MemorySegment.NULL;
            }
            return jobOut.get(ValueLayout.ADDRESS, 0);
        }
    }

    /**
     * Starts a created job and blocks until it has finished. The given segments are arguments of this
     * one downcall, so FFM keeps them alive (their arenas cannot be closed) from before the first worker
     * touches them until the last one is done. Returns PC_OK or PC_ERR_CANCELLED.
     */
    public static int startAndWait(MemorySegment job, MemorySegment[] keep) {
        MemorySegment[] k = keeps(keep);
        int status = pcompute_h.pc_job_start_and_wait(job, k[0], k[1], k[2], k[3], k[4], k[5]);
        if (status != PC_OK && status != PC_ERR_CANCELLED) {
            check(status, "pc_job_start_and_wait");
        }
        return status;
    }

    /**
     * {@link #startAndWait} for a synchronous call: the calling thread also runs the job's tasks (of this
     * job only) instead of sleeping, so a small job does not wait for a worker to wake up. Not for a thread
     * that stands in for an asynchronous caller: it would run kernels beside the pool's workers.
     */
    public static int runAndWait(MemorySegment job, MemorySegment[] keep) {
        MemorySegment[] k = keeps(keep);
        int status = pcompute_h.pc_job_run_and_wait(job, k[0], k[1], k[2], k[3], k[4], k[5]);
        if (status != PC_OK && status != PC_ERR_CANCELLED) {
            check(status, "pc_job_run_and_wait");
        }
        return status;
    }

    private static MemorySegment[] keeps(MemorySegment[] keep) {
        MemorySegment[] k = new MemorySegment[6];
        for (int i = 0; i < k.length; i++) {
            k[i] = i < keep.length && keep[i] != null ? keep[i] : MemorySegment.NULL;
        }
        return k;
    }

    /**
     * Blocks until the job has left the created state: started (by {@link #startAndWait} on another thread,
     * say) or finished (cancelled before it started, ...). A plain downcall, not a critical one: the wait
     * may be long enough to hold up the garbage collector otherwise. The job must not be freed meanwhile.
     */
    public static void waitStarted(MemorySegment job) {
        check(pcompute_h.pc_job_wait_started(job, -1), "pc_job_wait_started");
    }

    /**
     * Asks the pool to post {@code tag} to its completion queue when the created, not yet started job
     * finishes, whatever the outcome (see {@link #nextCompletions}).
     */
    public static void setCompletionTag(MemorySegment job, long tag) {
        check(pcompute_h.pc_job_set_completion_tag(job, tag), "pc_job_set_completion_tag");
    }

    /** Queues a created job on its pool's workers and returns at once. */
    public static void start(MemorySegment job) {
        check(pcompute_h.pc_job_start(job), "pc_job_start");
    }

    /**
     * The outcome of a job that has finished (its tag was delivered): PC_OK, PC_ERR_CANCELLED, or a task's
     * failure such as PC_ERR_OUT_OF_MEMORY.
     */
    public static int outcome(MemorySegment job) {
        return pcompute_h.pc_job_wait(job, 0);
    }

    /** Blocks until the started job has finished and returns its outcome (as {@link #outcome}). */
    public static int waitFor(MemorySegment job) {
        return pcompute_h.pc_job_wait(job, -1);
    }

    /**
     * Blocks (not a critical call: a long wait must not hold up the garbage collector) until tags of
     * finished jobs are posted, {@code timeoutNs} passes (negative: no limit) or {@link #wakeCompletions}
     * is called; moves up to {@code tags.byteSize() / 8} of them into {@code tags} and returns how many.
     */
    public static int nextCompletions(MemorySegment pool, long timeoutNs, MemorySegment tags, MemorySegment count) {
        int status = pcompute_h.pc_pool_next_completions(pool, timeoutNs, tags, (int) (tags.byteSize() / 8), count);
        if (status == PC_ERR_TIMEOUT) {
            return 0;
        }
        check(status, "pc_pool_next_completions");
        return count.get(ValueLayout.JAVA_INT, 0);
    }

    /** Makes the threads in (or next entering) {@link #nextCompletions} return at once. */
    public static void wakeCompletions(MemorySegment pool) {
        check(pcompute_h.pc_pool_wake_completions(pool), "pc_pool_wake_completions");
    }

    public static void cancel(MemorySegment job) {
        check(pcompute_h.pc_job_cancel(job), "pc_job_cancel");
    }

    /** Items of the job computed so far. */
    public static long progress(MemorySegment job) {
        long[] done = new long[1];
        int status;
        try {
            status = (int) JOB_PROGRESS_CRITICAL.invokeExact(job, MemorySegment.ofArray(done), MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("critical downcall failed", t);
        }
        check(status, "pc_job_progress");
        return done[0];
    }

    public static void freeJob(MemorySegment job) {
        check(pcompute_h.pc_job_free(job), "pc_job_free");
    }
}
