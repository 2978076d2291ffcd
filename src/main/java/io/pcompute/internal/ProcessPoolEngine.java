package io.pcompute.internal;

import io.pcompute.JobTimeoutException;
import io.pcompute.ProgressListener;
import io.pcompute.WorkerCrashedException;
import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Buffers.ElementType;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeKernel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The process pool's machinery (the API is io.pcompute.ProcessPool): N worker processes, one slot each,
 * and one shared memory ({@link SharedMemory}) that every worker maps for the pool's whole life.
 *
 * <p>Threads and ownership: each slot has one long-lived thread that starts its worker process (so
 * PR_SET_PDEATHSIG, which follows the <em>thread</em> that spawned a worker, fires only when the pool is
 * gone) and is the only thread talking to it. Jobs run one at a time ({@code jobLock}); the thread calling
 * {@link #run} owns the arena while it holds the lock: it lays the buffers out, copies inputs in, hands
 * chunks to the slots, polls progress and the deadline, and copies outputs back.
 *
 * <p>Shared memory layout: the slots' control words in one allocation made when the pool starts (slot
 * i's progress word, uint64, at {@code control + i * CONTROL_STRIDE}, its cancel word, int32, at +8); per
 * job, one allocation holding every buffer the job copies in or out (64-byte aligned), freed when the job
 * ends; and the callers' own allocations ({@link #allocate}), which jobs read in place (zero-copy). The
 * memory is an anonymous file the JVM keeps open and a worker maps by /proc/&lt;pid&gt;/fd/&lt;fd&gt;,
 * so a replacement worker maps the same memory and nothing is ever re-laid out.
 */
public final class ProcessPoolEngine implements AutoCloseable {
    /** How long a cancelled or timed-out job's workers get to stop before they are killed. */
    public static final long GRACE_MILLIS = 500;
    private static final Duration GRACE = Duration.ofMillis(GRACE_MILLIS);
    private static final long CONTROL_STRIDE = 64;
    private static final long POLL_NANOS = 5_000_000;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Path executable;
    private final int threadsPerWorker;
    private final int maxJobsPerWorker; // 0 = no limit
    private final Slot[] slots;
    private final ReentrantLock jobLock = new ReentrantLock(true); // fair: jobs take their turns in order
    private volatile boolean closed;

    private final SharedMemory shm;
    private final MemorySegment arena; // shm's mapping, all of it
    private final long control;        // offset of the slots' control words
    private final AtomicLong bytesCopiedIn = new AtomicLong();

    private final class Slot {
        final int index;
        final ExecutorService thread;
        volatile WorkerProcess proc;         // written on thread only
        final Map<String, Integer> loaded = new HashMap<>(); // thread only; library + symbol -> LOAD handle
        volatile boolean killedByPool;       // the coordinator killed it (timeout, cancel)
        volatile boolean inFlight;
        volatile int jobs;                   // written on thread only; jobs the current worker computed part of

        Slot(int index) {
            this.index = index;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "pcompute-process-slot-" + index);
                t.setDaemon(true);
                return t;
            });
        }

        long progressOffset() {
            return control + index * CONTROL_STRIDE;
        }

        long cancelOffset() {
            return control + index * CONTROL_STRIDE + 8;
        }

        /** Whether the slot has a live worker below maxJobsPerWorker: then ensureWorker would do nothing. */
        boolean ready() {
            WorkerProcess p = proc;
            return p != null && p.isAlive() && !(maxJobsPerWorker > 0 && jobs >= maxJobsPerWorker);
        }

        /**
         * On thread: a live worker that has not reached maxJobsPerWorker; true if it had to start one. A
         * worker at its limit is asked to exit (BYE) and replaced, as Python's max_tasks_per_child does.
         */
        boolean ensureWorker() throws IOException {
            WorkerProcess p = proc;
            boolean retire = maxJobsPerWorker > 0 && jobs >= maxJobsPerWorker;
            if (p != null && p.isAlive() && !retire) {
                return false;
            }
            if (p != null) {
                if (p.isAlive()) {
                    p.close();
                }
                p.kill();
            }
            proc = null;
            loaded.clear();
            killedByPool = false;
            jobs = 0;
            WorkerProcess started = WorkerProcess.start(executable, threadsPerWorker);
            WorkerProcess.Result mapped;
            try {
                mapped = started.map(shm.workerPath(), shm.reserved());
            } catch (IOException e) {
                started.kill();
                throw e;
            }
            if (!mapped.ok()) {
                started.kill();
                throw new IllegalStateException("pcompute process pool: worker " + started.pid()
                        + " could not map the shared memory: " + mapped.message());
            }
            proc = started;
            return true;
        }
    }

    /** As {@link #ProcessPoolEngine(int, Path, int)} without recycling. */
    public ProcessPoolEngine(int workers, Path executable) {
        this(workers, 1, executable, 0);
    }

    /**
     * @param maxJobsPerWorker how many jobs a worker process computes part of before it is replaced by a
     *                         fresh one (0 = never); checked before each job
     */
    public ProcessPoolEngine(int workers, int threadsPerWorker, Path executable, int maxJobsPerWorker) {
        if (maxJobsPerWorker < 0) {
            throw new IllegalArgumentException("maxJobsPerWorker = " + maxJobsPerWorker + ": must be >= 0 (0 = no limit)");
        }
        if (threadsPerWorker < 1 || threadsPerWorker > Limits.MAX_THREADS) {
            throw new IllegalArgumentException("threadsPerWorker = " + threadsPerWorker + ": must be between 1 and "
                    + Limits.MAX_THREADS);
        }
        this.executable = executable;
        this.threadsPerWorker = threadsPerWorker;
        this.maxJobsPerWorker = maxJobsPerWorker;
        this.slots = new Slot[workers];
        this.shm = SharedMemory.create(SharedMemory.defaultReserve());
        this.arena = shm.mapping();
        this.control = shm.allocate(workers * CONTROL_STRIDE);
        arena.asSlice(control, workers * CONTROL_STRIDE).fill((byte) 0);
        for (int i = 0; i < workers; i++) {
            slots[i] = new Slot(i);
        }
        try {
            startAll();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public int workers() {
        return slots.length;
    }

    public int maxJobsPerWorker() {
        return maxJobsPerWorker;
    }

    public int threadsPerWorker() {
        return threadsPerWorker;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The process ids of the live workers. */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Slot s : slots) {
            WorkerProcess p = s.proc;
            if (p != null && p.isAlive()) {
                pids.add(p.pid());
            }
        }
        return pids;
    }

    private boolean startAll() {
        // the usual case, checked here: asking each slot's thread costs two thread wake-ups per slot and job
        boolean ready = true;
        for (Slot s : slots) {
            ready &= s.ready();
        }
        if (ready) {
            return false;
        }
        List<Future<Boolean>> started = new ArrayList<>();
        for (Slot s : slots) {
            started.add(s.thread.submit(s::ensureWorker));
        }
        boolean any = false;
        for (Future<Boolean> f : started) {
            any |= await(f);
        }
        return any;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the process pool prepared its workers");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c.getMessage(), c);
        }
    }

    // ---- shared memory -------------------------------------------------------------------------------

    /** Input bytes copied into the shared memory so far (not counting inputs read in place). */
    public long bytesCopiedIn() {
        return bytesCopiedIn.get();
    }

    /**
     * {@code bytes} of the pool's shared memory, 64-byte aligned, valid until {@code owner} closes (then
     * freed); jobs read such a segment, or a slice of it, in place instead of copying it.
     */
    public MemorySegment allocate(Arena owner, long bytes) {
        if (closed) {
            throw new IllegalStateException("this process pool is closed");
        }
        long offset = shm.allocate(bytes);
        try {
            MemorySegment slice = arena.asSlice(offset, bytes);
            slice.fill((byte) 0); // a freed range is reused as it was left
            return slice.reinterpret(owner, segment -> shm.free(offset));
        } catch (RuntimeException e) {
            shm.free(offset);
            throw e;
        }
    }

    // ---- jobs ----------------------------------------------------------------------------------------

    /** One job's shared state between the coordinating thread and the slots. */
    private static final class JobState {
        final AtomicLong next = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        volatile boolean stopped;

        void fail(RuntimeException e) {
            failure.compareAndSet(null, e);
            stopped = true;
        }
    }

    /**
     * Runs {@code kernel} over {@code problem} on the workers; {@code timeout} null = none.
     *
     * @throws WorkerCrashedException if a worker died computing it (the pool replaces the worker)
     * @throws JobTimeoutException if it did not finish in time
     * @throws CancellationException if the calling thread was interrupted (its interrupt flag stays set)
     */
    public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress, Duration timeout) {
        kernel.validate(problem);
        return runValidated(kernel, problem, progress, timeout, () -> false);
    }

    /**
     * As {@link #run}, for a problem already validated, stopping as a cancel does once {@code stopRequested}
     * returns true (polled every few ms while the job waits for the pool and while it runs): the job then
     * throws CancellationException.
     */
    public <P, R> R runValidated(Kernel<P, R> kernel, P problem, ProgressListener progress, Duration timeout,
                                 BooleanSupplier stopRequested) {
        Buffers buffers = kernel.buffers(problem);
        long n = kernel.items(problem);
        long chunk = KernelAccess.chunkSize(kernel, problem, slots.length);
        NativeKernel app = kernel.nativeKernel();
        int builtin = app == null ? Native.kernelId(kernel.name()) : 0;
        try {
            while (!jobLock.tryLock(POLL_NANOS, TimeUnit.NANOSECONDS)) {
                if (stopRequested.getAsBoolean()) {
                    throw new CancellationException("kernel " + kernel.name() + " cancelled while it waited for the process pool");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the process pool");
        }
        try {
            if (closed) {
                throw new IllegalStateException("this process pool is closed");
            }
            if (stopRequested.getAsBoolean()) {
                throw new CancellationException("kernel " + kernel.name() + " cancelled before it started");
            }
            startAll();
            for (Slot s : slots) { // the last job's cancel, if it had one, ends here: no slot runs anything now
                INT.setRelease(arena, s.cancelOffset(), 0);
                LONG.setRelease(arena, s.progressOffset(), 0L);
            }
            JobMemory memory = new JobMemory(buffers);
            try {
                memory.copyIn(buffers);
                compute(kernel, app, memory.template(buffers, app == null ? WorkerProcess.KERNEL_BUILTIN
                        : WorkerProcess.KERNEL_LOADED, builtin, n), n, chunk, progress, timeout, stopRequested);
                memory.copyOut(buffers);
            } finally {
                memory.release();
            }
        } finally {
            jobLock.unlock();
        }
        return kernel.finish(problem, buffers);
    }

    /**
     * Where one job's buffers live in the shared memory: inputs that are the callers' own shared segments
     * in place (marked in use, so that closing their arena cannot free them under the workers), everything
     * else in one allocation freed when the job ends.
     */
    private final class JobMemory {
        final long[] inOff = new long[Buffers.MAX_INPUTS], inBytes = new long[Buffers.MAX_INPUTS];
        final boolean[] inPlace = new boolean[Buffers.MAX_INPUTS];
        final long[] outOff = new long[Buffers.MAX_OUTPUTS], outBytes = new long[Buffers.MAX_OUTPUTS];
        final List<Long> used = new ArrayList<>();
        final long block;

        JobMemory(Buffers buffers) {
            long size = 0;
            for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
                Object in = KernelAccess.input(buffers, i);
                if (in instanceof Buffers.SegmentInput s && inPlace(s.segment())) {
                    inOff[i] = used.get(used.size() - 1);
                    inBytes[i] = s.segment().byteSize();
                    inPlace[i] = true;
                } else if (in != null) {
                    inOff[i] = size;
                    inBytes[i] = in instanceof Buffers.SegmentInput s ? s.segment().byteSize() : bytes(in);
                    size = align(size + inBytes[i]);
                }
            }
            for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
                Object out = KernelAccess.output(buffers, i);
                if (out != null) {
                    outOff[i] = size;
                    outBytes[i] = bytes(out);
                    size = align(size + outBytes[i]);
                }
            }
            try {
                block = shm.allocate(size);
            } catch (RuntimeException e) {
                used.forEach(shm::unuse);
                throw e;
            }
            for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
                if (!inPlace[i] && KernelAccess.input(buffers, i) != null) {
                    inOff[i] += block;
                }
            }
            for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
                if (KernelAccess.output(buffers, i) != null) {
                    outOff[i] += block;
                }
            }
        }

        /**
         * Whether {@code segment} is a live caller allocation of this pool's shared memory, 8-byte aligned:
         * then it is marked in use (its offset appended to {@code used}). Liveness is checked after the mark:
         * a segment whose arena closed before it could be marked may have had its range handed to someone
         * else, and must not be read in place (copying it then throws, naming the closed arena).
         */
        private boolean inPlace(MemorySegment segment) {
            if (segment.address() % 8 != 0) {
                return false;
            }
            long offset = shm.use(segment);
            if (offset < 0) {
                return false;
            }
            if (!segment.scope().isAlive()) {
                shm.unuse(offset);
                return false;
            }
            used.add(offset);
            return true;
        }

        void copyIn(Buffers buffers) {
            for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
                if (KernelAccess.output(buffers, i) != null) {
                    arena.asSlice(outOff[i], outBytes[i]).fill((byte) 0);
                }
            }
            for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
                Object in = KernelAccess.input(buffers, i);
                if (inPlace[i] || in == null) {
                    continue;
                }
                if (in instanceof Buffers.SegmentInput s) {
                    MemorySegment.copy(s.segment(), 0, arena, inOff[i], inBytes[i]);
                } else {
                    ElementType t = ElementType.ofArray(in);
                    MemorySegment.copy(in, 0, arena, t.layout(), inOff[i], t.length(in));
                }
                bytesCopiedIn.addAndGet(inBytes[i]);
            }
        }

        WorkerProcess.Run template(Buffers buffers, int kernelKind, int kernel, long n) {
            WorkerProcess.Run template = new WorkerProcess.Run();
            template.kernelKind = kernelKind;
            template.kernel = kernel;
            template.n = n;
            for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
                template.inPresent[i] = KernelAccess.input(buffers, i) != null;
                template.inOffset[i] = inOff[i];
                template.inBytes[i] = inBytes[i];
            }
            for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
                template.outPresent[i] = KernelAccess.output(buffers, i) != null;
                template.outOffset[i] = outOff[i];
                template.outBytes[i] = outBytes[i];
            }
            long[] ip = NativeBuffers.iparams(buffers);
            double[] dp = NativeBuffers.dparams(buffers);
            System.arraycopy(ip, 0, template.iparam, 0, ip.length);
            System.arraycopy(dp, 0, template.dparam, 0, dp.length);
            return template;
        }

        void copyOut(Buffers buffers) {
            for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
                Object out = KernelAccess.output(buffers, i);
                if (out != null) {
                    ElementType t = ElementType.ofArray(out);
                    MemorySegment.copy(arena, t.layout(), outOff[i], out, 0, t.length(out));
                }
            }
        }

        /** Once no worker touches the job's memory any more (compute returned: the slots are done). */
        void release() {
            shm.free(block);
            used.forEach(shm::unuse);
        }
    }

    private static long bytes(Object array) {
        ElementType t = ElementType.ofArray(array);
        return (long) t.length(array) * t.size();
    }

    private static long align(long offset) {
        return (offset + 63) & ~63L;
    }

    private void compute(Kernel<?, ?> kernel, NativeKernel app, WorkerProcess.Run template, long n, long chunk,
                         ProgressListener progress, Duration timeout, BooleanSupplier stopRequested) {
        JobState job = new JobState();
        // the slots count down as they finish: the caller wakes at once, not at its next progress poll
        // only as many slots as the job has chunks: waking a slot that finds nothing to do costs ~26 µs here
        int active = (int) Math.min(slots.length, n <= 0 ? 0 : (n - 1) / chunk + 1);
        CountDownLatch finished = new CountDownLatch(active);
        if (active > 0) {
            for (int i = 0; i < active; i++) {
                Slot s = slots[i];
                s.thread.execute(() -> {
                    try {
                        work(s, job, arena, kernel, app, template, n, chunk);
                    } catch (Throwable t) {
                        // never let it escape: the executor would replace the slot's thread, and the death of
                        // the thread that spawned the worker kills the worker (PR_SET_PDEATHSIG)
                        job.fail(t instanceof RuntimeException r ? r : new IllegalStateException(t));
                    } finally {
                        finished.countDown();
                    }
                });
            }
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long graceEnd = Long.MAX_VALUE;
        boolean timedOut = false, cancelled = false, interrupted = false;
        List<Long> killed = new ArrayList<>();
        long reported = 0;
        while (true) {
            boolean all = finished.getCount() == 0;
            long seen = job.done.get();
            for (Slot s : slots) {
                if (s.inFlight) {
                    seen += (long) LONG.getAcquire(arena, s.progressOffset());
                }
            }
            if (seen > reported) {
                progress.advance(Math.min(seen, n) - reported);
                reported = Math.min(seen, n);
            }
            if (all) {
                break;
            }
            long now = System.nanoTime();
            if (!job.stopped || graceEnd == Long.MAX_VALUE) {
                if (interrupted || Thread.interrupted()) {
                    interrupted = true;
                    cancelled = true;
                    job.stopped = true;
                } else if (stopRequested.getAsBoolean()) {
                    cancelled = true;
                    job.stopped = true;
                } else if (now - deadline >= 0) {
                    timedOut = true;
                    job.stopped = true;
                }
                if (job.stopped) {
                    for (Slot s : slots) {
                        INT.setRelease(arena, s.cancelOffset(), 1);
                    }
                    graceEnd = now + GRACE.toNanos();
                }
            } else if (now - graceEnd >= 0) {
                for (Slot s : slots) {
                    WorkerProcess p = s.proc;
                    if (s.inFlight && p != null && p.isAlive()) {
                        s.killedByPool = true;
                        killed.add(p.pid());
                        p.kill();
                    }
                }
                graceEnd = Long.MAX_VALUE - 1; // killed once
            }
            try {
                finished.await(POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // cancels the job at the top of the loop; the flag is set again on return
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (cancelled) {
            throw new CancellationException("kernel " + kernel.name() + " on the process pool was cancelled"
                    + (killed.isEmpty() ? "" : "; killed worker process(es) " + killed + " that did not stop"));
        }
        if (job.failure.get() != null) {
            throw job.failure.get();
        }
        if (timedOut) {
            throw new JobTimeoutException(kernel.name(), timeout, killed);
        }
    }

    /** On slot s's thread: pulls chunks until the job is done or stopped. */
    private void work(Slot s, JobState job, MemorySegment shared, Kernel<?, ?> kernel, NativeKernel app, WorkerProcess.Run template, long n,
                      long chunk) {
        WorkerProcess proc = s.proc;
        WorkerProcess.Run run = copy(template);
        run.progressOffset = s.progressOffset();
        run.cancelOffset = s.cancelOffset();
        long begin = -1, end = -1;
        try {
            if (app != null) {
                String key = app.library().path() + "\0" + app.symbol();
                Integer handle = s.loaded.get(key);
                if (handle == null) {
                    WorkerProcess.Result r = proc.load(app.library().path(), app.symbol());
                    if (!r.ok()) {
                        job.fail(new IllegalStateException("pcompute worker " + proc.pid() + ": " + r.message()));
                        return;
                    }
                    handle = (int) r.value();
                    s.loaded.put(key, handle);
                }
                run.kernel = handle;
            }
            boolean counted = false;
            while (!job.stopped && (begin = job.next.getAndAdd(chunk)) < n) {
                end = Math.min(n, begin + chunk);
                if (!counted) {
                    s.jobs++;
                    counted = true;
                }
                run.begin = begin;
                run.end = end;
                WorkerHooks.apply(run, kernel.name());
                LONG.setRelease(shared, s.progressOffset(), 0L); // not the last chunk's count while this one starts
                s.inFlight = true;
                WorkerProcess.Result r;
                try {
                    r = proc.run(run);
                } finally {
                    s.inFlight = false;
                }
                if (r.ok()) {
                    job.done.addAndGet(end - begin);
                } else if (r.status() == Native.PC_ERR_CANCELLED && job.stopped) {
                    return;
                } else {
                    job.fail(new IllegalStateException("kernel " + kernel.name() + " failed in pcompute worker " + proc.pid()
                            + " on items [" + begin + ", " + end + "): " + r.message()));
                    return;
                }
            }
        } catch (IOException e) {
            if (s.killedByPool) {
                return; // the coordinator reports why
            }
            String fate = proc.fate(5000);
            job.fail(new WorkerCrashedException(proc.pid(), proc.signal(), fate == null ? "an unknown cause (" + e.getMessage()
                    + ")" : fate, kernel.name(), begin, end, proc.stderrTail()));
            proc.kill();
        }
    }

    private static WorkerProcess.Run copy(WorkerProcess.Run t) {
        WorkerProcess.Run r = new WorkerProcess.Run();
        r.kernelKind = t.kernelKind;
        r.kernel = t.kernel;
        r.n = t.n;
        r.chunk = t.chunk;
        System.arraycopy(t.inPresent, 0, r.inPresent, 0, t.inPresent.length);
        System.arraycopy(t.inOffset, 0, r.inOffset, 0, t.inOffset.length);
        System.arraycopy(t.inBytes, 0, r.inBytes, 0, t.inBytes.length);
        System.arraycopy(t.outPresent, 0, r.outPresent, 0, t.outPresent.length);
        System.arraycopy(t.outOffset, 0, r.outOffset, 0, t.outOffset.length);
        System.arraycopy(t.outBytes, 0, r.outBytes, 0, t.outBytes.length);
        System.arraycopy(t.iparam, 0, r.iparam, 0, t.iparam.length);
        System.arraycopy(t.dparam, 0, r.dparam, 0, t.dparam.length);
        return r;
    }

    /** Stops every worker (BYE, then SIGKILL after 1 s) and releases the arena; waits for a running job. */
    @Override
    public void close() {
        jobLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            List<Future<?>> byes = new ArrayList<>();
            for (Slot s : slots) {
                byes.add(s.thread.submit(() -> {
                    WorkerProcess p = s.proc;
                    if (p != null) {
                        p.close();
                    }
                    s.proc = null;
                }));
            }
            for (Future<?> f : byes) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException ignored) {
                    // the worker is killed below in any case
                }
            }
            for (Slot s : slots) {
                WorkerProcess p = s.proc;
                if (p != null) {
                    p.kill();
                }
                s.thread.shutdown();
            }
            shm.release(); // unmapped once the callers' allocations are freed too
        } finally {
            jobLock.unlock();
        }
    }
}
