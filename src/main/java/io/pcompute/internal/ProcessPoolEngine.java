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
import java.util.ArrayDeque;
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
import java.util.function.BooleanSupplier;

/**
 * The process pool's machinery (the API is io.pcompute.ProcessPool): N worker processes, one slot each,
 * and one shared memory ({@link SharedMemory}) that every worker maps for the pool's whole life.
 *
 * <p>Threads and ownership: each slot has one long-lived thread that starts its worker process (so
 * PR_SET_PDEATHSIG, which follows the <em>thread</em> that spawned a worker, fires only when the pool is
 * gone) and is the only thread talking to it. Jobs run side by side: {@link #prepare} (on the caller's
 * thread) lays a job's buffers out in the shared memory, copies its inputs in and queues it; each slot's
 * thread takes chunks of the oldest queued job that has chunks left, one RUN at a time, so a job with
 * fewer chunks than workers leaves the other workers to the next jobs. The thread that waits for a job
 * ({@link Prepared#await}) polls its progress, deadline and stop request, cancels and kills its workers
 * when needed, then copies its outputs back and frees its memory.
 *
 * <p>Scheduling ({@code schedule} guards it): {@code active} holds, in submission order, the jobs with
 * chunks left to hand out; a slot is busy while its drain loop runs on its thread. A slot resets its
 * progress and cancel words and sets {@code current} under the lock when it takes a chunk, and a stop sets
 * the cancel words of the slots whose {@code current} is the job under the same lock, so a cancel is
 * never lost to a slot that is just starting a chunk. A job ends (its {@code ended} latch opens) once
 * every chunk handed out has come back and either all were handed out or the job was stopped.
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
    private final Object schedule = new Object();
    private final ArrayDeque<JobState> active = new ArrayDeque<>(); // schedule
    private int jobsInFlight;                                      // schedule: prepared, memory not yet freed
    private volatile boolean closed;                                // written under schedule
    private final Object shutdownLock = new Object();
    private boolean shutDown;                                       // shutdownLock

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
        volatile boolean inFlight;           // a RUN is outstanding
        volatile int jobs;                   // written on thread only; jobs the current worker computed part of
        JobState lastJob;                    // thread only: the job of the last chunk
        boolean busy;                        // schedule: its drain loop is queued or running
        volatile JobState current;           // written under schedule: the job of the chunk it runs

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

        /** Whether the slot's worker is alive (an idle slot replaces a dead one; see drain). */
        boolean workerAlive() {
            WorkerProcess p = proc;
            return p != null && p.isAlive();
        }

        /**
         * On thread: a live worker that has not reached maxJobsPerWorker (counting jobs other than
         * {@code job}, whose chunk comes next); true if it had to start one. A worker at its limit is asked
         * to exit (BYE) and replaced, as Python's max_tasks_per_child does.
         */
        boolean ensureWorker(JobState job) throws IOException {
            WorkerProcess p = proc;
            boolean retire = maxJobsPerWorker > 0 && jobs >= maxJobsPerWorker && job != lastJob;
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
            lastJob = null;
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

        /** On thread: runs chunks of the queued jobs, oldest first, until none has a chunk left. */
        void drain() {
            while (true) {
                JobState job;
                long begin, end;
                synchronized (schedule) {
                    job = active.peekFirst();
                    if (job == null) {
                        busy = false;
                        break;
                    }
                    begin = job.next;
                    end = Math.min(job.n, begin + job.chunk);
                    job.next = end;
                    job.running++;
                    if (job.startedAt == 0) {
                        job.startedAt = System.nanoTime() | 1; // never 0: 0 means not started
                    }
                    if (end >= job.n) {
                        active.pollFirst();
                    }
                    LONG.setVolatile(arena, progressOffset(), 0L);
                    INT.setVolatile(arena, cancelOffset(), 0);
                    current = job;
                }
                try {
                    runChunk(job, begin, end);
                } catch (Throwable t) {
                    // never let it escape: the executor would replace the slot's thread, and the death of the
                    // thread that spawned the worker kills the worker (PR_SET_PDEATHSIG)
                    job.fail(t instanceof RuntimeException r ? r : new IllegalStateException(t));
                } finally {
                    synchronized (schedule) {
                        current = null;
                        job.running--;
                        endIfIdle(job);
                    }
                }
            }
            // idle now: replace a worker that died before the next job needs it (one at its limit of jobs
            // is replaced before its next job's first chunk, as documented)
            WorkerProcess p = proc;
            if (p == null || !p.isAlive()) {
                try {
                    ensureWorker(lastJob);
                } catch (IOException | RuntimeException e) {
                    // the next chunk given to this slot tries again and reports why to its job
                }
            }
        }

        /** On thread: one RUN of items [begin, end) of {@code job}; a failure fails the job. */
        private void runChunk(JobState job, long begin, long end) {
            // A worker killed from outside while idle may still look alive here (Process.isAlive follows the
            // JVM's reaper thread): a request it never received (NotDelivered) is sent once more, to a new one.
            for (int attempt = 0; ; attempt++) {
                try {
                    ensureWorker(job);
                } catch (IOException | RuntimeException e) {
                    job.fail(new IllegalStateException("pcompute process pool: cannot start a worker: " + e.getMessage(), e));
                    return;
                }
                if (!tryChunk(job, begin, end, attempt == 0)) {
                    return;
                }
            }
        }

        /**
         * One attempt at the chunk; true to try again because the worker was dead before it got the first
         * request (only when {@code mayRetry}).
         */
        private boolean tryChunk(JobState job, long begin, long end, boolean mayRetry) {
            WorkerProcess p = proc;
            if (lastJob != job) {
                jobs++;
                lastJob = job;
            }
            WorkerProcess.Run run = job.runOf(this, begin, end);
            inFlight = true; // from here the worker may be killed for the job: a LOAD can hang too
            try {
                if (job.app != null) {
                    String key = job.app.library().path() + "\0" + job.app.symbol();
                    Integer handle = loaded.get(key);
                    if (handle == null) {
                        WorkerProcess.Result r = p.load(job.app.library().path(), job.app.symbol());
                        if (!r.ok()) {
                            job.fail(new IllegalStateException("pcompute worker " + p.pid() + ": " + r.message()));
                            return false;
                        }
                        handle = (int) r.value();
                        loaded.put(key, handle);
                    }
                    run.kernel = handle;
                }
                WorkerHooks.apply(run, job.kernel.name());
                WorkerProcess.Result r = p.run(run);
                inFlight = false;
                if (r.ok()) {
                    job.done.addAndGet(end - begin);
                } else if (!(r.status() == Native.PC_ERR_CANCELLED && job.stopped)) {
                    job.fail(new IllegalStateException("kernel " + job.kernel.name() + " failed in pcompute worker "
                            + p.pid() + " on items [" + begin + ", " + end + "): " + r.message()));
                }
            } catch (IOException e) {
                inFlight = false;
                if (killedByPool) {
                    return false; // the job's waiting thread reports why
                }
                if (mayRetry && e instanceof WorkerProcess.NotDeliveredException && !job.stopped) {
                    p.kill();
                    return true;
                }
                String fate = p.fate(5000);
                job.fail(new WorkerCrashedException(p.pid(), p.signal(), fate == null ? "an unknown cause ("
                        + e.getMessage() + ")" : fate, job.kernel.name(), begin, end, p.stderrTail()));
                p.kill();
            }
            return false;
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

    /** Starts every slot's worker, each on its slot's thread (see the class comment), and waits for them. */
    private void startAll() {
        List<Future<Boolean>> started = new ArrayList<>();
        for (Slot s : slots) {
            started.add(s.thread.submit(() -> s.ensureWorker(null)));
        }
        for (Future<Boolean> f : started) {
            await(f);
        }
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

    /** One job's state, shared by the thread waiting for it and the slots running its chunks. */
    private final class JobState {
        final Kernel<?, ?> kernel;
        final NativeKernel app;
        final WorkerProcess.Run template;
        final long n;
        final long chunk;
        final AtomicLong done = new AtomicLong();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile boolean stopped;
        volatile long startedAt; // System.nanoTime() (odd, never 0) when its first chunk was handed out
        long next;               // schedule: first item not handed out
        int running;             // schedule: chunks handed out and not back

        JobState(Kernel<?, ?> kernel, NativeKernel app, WorkerProcess.Run template, long n, long chunk) {
            this.kernel = kernel;
            this.app = app;
            this.template = template;
            this.n = n;
            this.chunk = chunk;
        }

        /** Records the first failure and stops the job (its running chunks are cancelled). */
        void fail(RuntimeException e) {
            failure.compareAndSet(null, e);
            stop(this);
        }

        /** The RUN for items [begin, end) on slot s: the template with the range and the slot's words. */
        WorkerProcess.Run runOf(Slot s, long begin, long end) {
            WorkerProcess.Run r = template.copy();
            r.begin = begin;
            r.end = end;
            r.progressOffset = s.progressOffset();
            r.cancelOffset = s.cancelOffset();
            return r;
        }
    }

    /** Stops handing out the job's chunks and cancels its running ones through their slots' cancel words. */
    private void stop(JobState job) {
        synchronized (schedule) {
            if (job.ended.getCount() == 0) {
                return; // it ended as it ended: a late cancel does not make a finished job a cancelled one
            }
            job.stopped = true;
            active.remove(job);
            endIfIdle(job);
            for (Slot s : slots) {
                if (s.current == job) {
                    INT.setVolatile(arena, s.cancelOffset(), 1);
                }
            }
        }
    }

    /** Under schedule: opens the job's latch once no chunk of it runs and none will be handed out. */
    private void endIfIdle(JobState job) {
        if (job.running == 0 && (job.stopped || job.next >= job.n)) {
            job.ended.countDown();
        }
    }

    /**
     * Queues the job and wakes as many idle slots as it has chunks (waking a slot that finds nothing to do
     * costs a thread wake-up, ~26 µs here), and every idle slot whose worker died, so that it is replaced
     * before it is needed (a worker at its limit of jobs is replaced before its next chunk).
     */
    private void enqueue(JobState job) {
        synchronized (schedule) {
            if (job.n == 0) {
                job.ended.countDown();
                return;
            }
            active.addLast(job);
            long wake = Math.min(slots.length, (job.n - 1) / job.chunk + 1);
            for (Slot s : slots) {
                if (s.busy) {
                    continue;
                }
                boolean ready = s.workerAlive();
                if (wake > 0 || !ready) {
                    s.busy = true;
                    s.thread.execute(s::drain);
                    if (ready) {
                        wake--;
                    }
                }
            }
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
        return prepare(kernel, problem, timeout).await(progress, () -> false);
    }

    /**
     * Lays out, copies in and queues a validated problem, on the calling thread (which may own the
     * problem's segments); the job starts on the first free worker. {@code timeout} (null = none) counts
     * from then. The job must then be awaited ({@link Prepared#await}), which frees its memory.
     *
     * @throws IllegalStateException if the pool is closed or the shared memory has no room for the job
     */
    public <P, R> Prepared<P, R> prepare(Kernel<P, R> kernel, P problem, Duration timeout) {
        Buffers buffers = kernel.buffers(problem);
        long n = kernel.items(problem);
        long chunk = KernelAccess.chunkSize(kernel, problem, slots.length);
        NativeKernel app = kernel.nativeKernel();
        int builtin = app == null ? Native.kernelId(kernel.name()) : 0;
        synchronized (schedule) {
            if (closed) {
                throw new IllegalStateException("this process pool is closed");
            }
            jobsInFlight++;
        }
        JobMemory memory = null;
        try {
            memory = new JobMemory(buffers);
            memory.copyIn(buffers);
            JobState job = new JobState(kernel, app, memory.template(buffers, app == null ? WorkerProcess.KERNEL_BUILTIN
                    : WorkerProcess.KERNEL_LOADED, builtin, n), n, chunk);
            Prepared<P, R> prepared = new Prepared<>(kernel, problem, buffers, memory, job, timeout);
            enqueue(job);
            return prepared;
        } catch (RuntimeException | Error e) {
            if (memory != null) {
                memory.release();
            }
            jobEnded();
            throw e;
        }
    }

    private void jobEnded() {
        synchronized (schedule) {
            if (--jobsInFlight == 0) {
                schedule.notifyAll();
            }
        }
    }

    /** A queued or running job: waiting for it, stopping it. */
    public final class Prepared<P, R> {
        private final Kernel<P, R> kernel;
        private final P problem;
        private final Buffers buffers;
        private final JobMemory memory;
        private final JobState job;
        private final Duration timeout;

        private Prepared(Kernel<P, R> kernel, P problem, Buffers buffers, JobMemory memory, JobState job, Duration timeout) {
            this.kernel = kernel;
            this.problem = problem;
            this.buffers = buffers;
            this.memory = memory;
            this.job = job;
            this.timeout = timeout;
        }

        /** Stops the job now (its chunks not yet handed out never run); {@link #await} then reports it cancelled. */
        public void stop() {
            ProcessPoolEngine.this.stop(job);
        }

        /**
         * Waits for the job on the calling thread, reporting progress, cancelling it once {@code stopRequested}
         * or the thread's interrupt says so, or its timeout passes (killing workers that do not stop within
         * the grace period); then copies its outputs back, frees its memory and returns the kernel's result.
         * Call it once.
         *
         * @throws WorkerCrashedException if a worker died computing it
         * @throws JobTimeoutException if it did not finish in time
         * @throws CancellationException if it was stopped or the thread interrupted (the flag stays set)
         */
        public R await(ProgressListener progress, BooleanSupplier stopRequested) {
            try {
                follow(job, kernel, progress, timeout, stopRequested);
                memory.copyOut(buffers);
            } catch (RuntimeException | Error e) {
                if (job.ended.getCount() != 0) {
                    // e.g. a progress listener that threw: the workers still use the job's memory
                    try {
                        follow(job, kernel, ProgressListener.NONE, null, () -> true);
                    } catch (RuntimeException expected) {
                        // the job ended cancelled (or as it did); e says why it was stopped
                    }
                }
                throw e;
            } finally {
                if (job.ended.getCount() == 0) {
                    memory.release(); // the job has ended: no worker touches its memory any more
                    jobEnded();
                }
            }
            return kernel.finish(problem, buffers);
        }
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

    /**
     * Waits until the job has ended, reporting progress, stopping it on request, interrupt or timeout, and
     * killing the workers still running it {@link #GRACE_MILLIS} after a stop; throws how it ended.
     */
    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // about 292 years or more: no limit
        }
    }

    private void follow(JobState job, Kernel<?, ?> kernel, ProgressListener progress, Duration timeout,
                        BooleanSupplier stopRequested) {
        long graceEnd = Long.MAX_VALUE;
        long timeoutNanos = timeout == null ? Long.MAX_VALUE : saturatedNanos(timeout);
        boolean timedOut = false, cancelled = false, interrupted = false;
        List<Long> killed = new ArrayList<>();
        long reported = 0;
        while (true) {
            boolean ended = job.ended.getCount() == 0;
            long seen = job.done.get();
            for (Slot s : slots) {
                if (s.current == job && s.inFlight) {
                    seen += (long) LONG.getAcquire(arena, s.progressOffset());
                }
            }
            if (seen > reported) {
                long delta = Math.min(seen, job.n) - reported;
                reported = Math.min(seen, job.n);
                progress.advance(delta); // user code: await() stops the job and waits if it throws
            }
            if (ended) {
                break;
            }
            long now = System.nanoTime();
            if (graceEnd == Long.MAX_VALUE) {
                long started = job.startedAt;
                if (interrupted || Thread.interrupted()) {
                    interrupted = true;
                    cancelled = true;
                } else if (stopRequested.getAsBoolean()) {
                    cancelled = true;
                } else if (timeoutNanos != Long.MAX_VALUE && started != 0 && now - started - timeoutNanos >= 0) {
                    timedOut = true;
                }
                if (cancelled || timedOut || job.stopped) {
                    stop(job);
                    graceEnd = now + GRACE.toNanos();
                }
            } else if (graceEnd != Long.MAX_VALUE - 1 && now - graceEnd >= 0) {
                synchronized (schedule) {
                    for (Slot s : slots) {
                        WorkerProcess p = s.proc;
                        if (s.current == job && s.inFlight && p != null && p.isAlive()) {
                            s.killedByPool = true;
                            killed.add(p.pid());
                            p.kill();
                        }
                    }
                }
                graceEnd = Long.MAX_VALUE - 1; // killed once
            }
            try {
                job.ended.await(POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // cancels the job at the top of the loop; the flag is set again on return
            }
        }
        if (!cancelled && !timedOut && job.stopped && job.failure.get() == null) {
            cancelled = true; // stopped from outside (Prepared.stop) before this loop saw the request
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

    /**
     * Refuses new jobs, waits for the jobs in flight to end (and free their memory), then stops every worker
     * (BYE, then SIGKILL after 1 s) and lets go of the shared memory; idempotent.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        synchronized (schedule) {
            closed = true;
            while (jobsInFlight > 0) {
                try {
                    schedule.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        synchronized (shutdownLock) {
            if (!shutDown) {
                shutDown = true;
                stopWorkers();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopWorkers() {
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
        shm.free(control);
        shm.release(); // unmapped once the callers' allocations are freed too
    }
}
