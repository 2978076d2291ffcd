package io.pcompute.internal;

import io.pcompute.kernel.Kernel;
import io.pcompute.ProgressListener;
import io.pcompute.Strategy;
import io.pcompute.Runner;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@link Strategy#AUTO}: per call, the serial or pooled, Java or native runner that is fastest for the
 * kernel at that input size, as measured.
 *
 * <p>Problems are grouped per kernel by size (powers of two of their item count). In each group AUTO first
 * times the candidates on real calls — the pools first, then, only when the best pool run suggests a
 * serial run costs no more than {@value #EXPLORE_LIMIT_NS} ns (pool time × threads), the serial runners,
 * so that a large problem is never run serially just to learn that a pool wins. Each candidate runs at least
 * {@value #MIN_TRIALS} times and until it has taken {@value #BUDGET_NS} ns in all (at most
 * {@value #MAX_TRIALS} runs); its first run is discarded (JIT, caches, first-touch memory) and the
 * median of its last {@value #WINDOW} runs is its time — not the fastest: one lucky pool run (a worker
 * still awake, the other processes of a shared machine quiet for a moment) made AUTO pick a pool whose
 * typical run was slower than a serial one. From then on AUTO uses the fastest candidate, and it looks again now
 * and then — after the group's 64th, 128th, 256th, ... call it times every candidate again, a few runs in a row after
 * runs that are not recorded: the first, and more until they have taken {@value #SETTLE_NS} ns (at most
 * {@value #SETTLE_MAX_RUNS}), as a candidate after the others' calls pays for waking its threads and moving the data
 * into its cores' caches; a candidate more than
 * 3 times slower than the fastest only when its burst costs at most 5% of what the calls since the last re-timing
 * took (else at a later one) — so a
 * first impression (Java code timed before the JIT compiled it, a noisy moment) does not stick, at a cost
 * that vanishes as calls accumulate; the new runs push the old ones out of the window. {@link #warmUp} does
 * the first timing up front.
 *
 * <p>In steady state a call costs AUTO a validation of the problem (the delegate does not validate it
 * again), the lookup of its size group (a field compare while the kernel is the one called last), a volatile
 * read and an unfenced count of the call; no lock, no clock, no allocation. Before, a settled call took the
 * group's lock and, under it, computed two candidates' medians (a copy and a sort of a 15-run window each):
 * on a 512-value {@code reduce_sum} the whole AUTO call took 0.33 µs and 504 bytes against 0.15 µs for
 * java-serial alone (load 2.5); now 0.112 ± 0.005 µs and 232 bytes against 0.107 ± 0.005 µs and 232 bytes
 * (load 2; JMH, {@code bench/src/main/java/io/pcompute/internal/AutoOverheadBench.java},
 * bench/results/20261207-182146-auto/notes.md).
 */
public final class AutoRunner implements Runner {
    /** A serial candidate is tried only when its run is expected to cost at most this. */
    static final long EXPLORE_LIMIT_NS = 20_000_000;
    static final int MIN_TRIALS = 3;
    static final int MAX_TRIALS = 32;
    /** Cheap candidates are timed until they have taken this long in all: one run of a µs is noise. */
    static final long BUDGET_NS = 2_000_000;
    /** A candidate's time is the median of its last this many runs (its first run excepted). */
    static final int WINDOW = 15;
    private static final Strategy[] POOLS = {Strategy.JAVA_POOL, Strategy.NATIVE_POOL};
    private static final Strategy[] SERIAL = {Strategy.JAVA_SERIAL, Strategy.NATIVE_SERIAL};

    /** Re-timing starts after this many calls in a group, and recurs at each doubling. */
    static final long RETIME_FIRST = 64;
    /**
     * A candidate's re-timing burst may cost at most 1/this of the calls since the last one (5%), unless the
     * candidate's time is within {@link #RETIME_NEAR} times the fastest one's.
     */
    static final long RETIME_SHARE_DIVISOR = 20;
    static final long RETIME_NEAR = 3;
    /**
     * A re-timing burst records its runs only once the runs before have taken this long (the first is never
     * recorded). A native pool timed after thousands of native-serial calls of a 1 MiB {@code reduce_sum}
     * took 17-40 µs a run for its first 5-8 runs (about 150 µs: its workers asleep, the data in the caller's
     * core's cache) and 8-9 µs from then on, as it does back to back; a burst that recorded its runs 2-4 kept
     * it at a median of 27 µs, and AUTO used native-serial at 15 µs (1.77x the best).
     */
    static final long SETTLE_NS = 250_000;
    /** At most this many unrecorded runs open a burst, however cheap. */
    static final int SETTLE_MAX_RUNS = 64;

    /**
     * Per kernel and size group: per candidate, the fastest time seen, the runs and their total time.
     *
     * <p>A settled group (first round over, no re-timing under way) answers {@link #take} without a lock,
     * allocation or clock: a volatile read of {@link #settled} and an opaque count of the call. Everything
     * else is guarded by {@code this}. Medians are computed when a run is recorded, not when they are read:
     * reading two of them per call (a copy and a sort each, under the lock) was most of what a settled AUTO
     * call cost beyond its delegate (0.33 against 0.15 µs on a 512-value {@code reduce_sum}).
     */
    static final class Trials {
        private static final VarHandle CALLS;

        static {
            try {
                CALLS = MethodHandles.lookup().findVarHandle(Trials.class, "calls", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Whether the native strategies are candidates: the kernel has C code and libpcompute loads. */
        final boolean nativeCandidates;
        final Map<Strategy, long[]> seen = new java.util.EnumMap<>(Strategy.class); // {best, count, total}
        /** Per candidate, its last {@link #WINDOW} run times (ring, oldest overwritten), first run excepted. */
        private final Map<Strategy, long[]> recent = new java.util.EnumMap<>(Strategy.class);
        /** Per candidate (by ordinal), {@link #typical}, updated by {@link #record}. */
        private final long[] typical = new long[Strategy.values().length];
        /** Where {@link #record} sorts a copy of a window: no allocation per run. */
        private final long[] sorting = new long[WINDOW];
        /** The fastest candidate by {@link #typical}, updated by every {@link #record}; null before. */
        private volatile Strategy fastest;
        /**
         * The fastest candidate while the group is settled, else null: then a call only counts itself. Set
         * and cleared under the lock; read without it.
         */
        private volatile Strategy settled;
        /**
         * The group's calls. A settled call counts itself without the lock (opaque: never torn, no fence), so
         * concurrent calls may lose counts, which only delays the next re-timing.
         */
        long calls;
        /** The call count at which the candidates are timed again; written under the lock before {@link #settled}. */
        long nextRetime = RETIME_FIRST;
        final java.util.ArrayDeque<Strategy> retime = new java.util.ArrayDeque<>();
        /** How many calls went past the settled fast path to the lock: for tests, no timing involved. */
        long lockedTakes;

        Trials() {
            this(true);
        }

        Trials(boolean nativeCandidates) {
            this.nativeCandidates = nativeCandidates;
            java.util.Arrays.fill(typical, Long.MAX_VALUE);
        }

        /** The candidate to time on this call, or null to use the {@link #fastest}: counts the call. */
        Strategy take(int threads) {
            if (settled != null) {
                long c = (long) CALLS.getOpaque(this) + 1;
                CALLS.setOpaque(this, c);
                if (c < nextRetime) { // read racily: a stale value or a lost count only moves a re-timing
                    return null;
                }
                return takeLocked(threads, false);
            }
            return takeLocked(threads, true);
        }

        private synchronized Strategy takeLocked(int threads, boolean count) {
            lockedTakes++;
            if (count) {
                CALLS.setOpaque(this, calls + 1);
            }
            Strategy s = next(threads);
            if (s != null) {
                settled = null;
                return s;
            }
            if (calls >= nextRetime) {
                nextRetime = Math.max(nextRetime * 2, calls + 1);
                // A burst may cost at most RETIME_SHARE of what the calls since the last re-timing took at
                // the fastest candidate's pace; a dearer candidate waits for a later (doubled) re-timing.
                // Before, re-timing java-pool (~350 ms a run) among 21 ms native-pool calls made AUTO's
                // scaled seed workload average 92 ms a call.
                // A candidate within RETIME_NEAR times the fastest is always re-timed.
                Strategy best = fastest;
                long budget = best == null ? Long.MAX_VALUE
                        : Math.max(saturatingMultiply(calls - lastRetimeCalls, typical(best)) / RETIME_SHARE_DIVISOR,
                                burstCost(saturatingMultiply(RETIME_NEAR, typical(best))));
                lastRetimeCalls = calls;
                for (Strategy c : seen.keySet()) { // the fastest too: its time may date from a cold start
                    long time = typical(c);
                    if (c != best && time != Long.MAX_VALUE && burstCost(time) > budget) {
                        continue;
                    }
                    // a short burst: one isolated run finds pool threads parked, caches cold. Its first runs
                    // are not recorded (record, SETTLE_NS): after thousands of calls of another candidate
                    // they pay for waking this one (a native reduction of 0.36 µs was timed at 0.7-1.1 µs
                    // that way, and lost to Java)
                    settling[c.ordinal()] = true;
                    settleSpent[c.ordinal()] = 0;
                    settleRuns[c.ordinal()] = 0;
                    for (int i = 0; i < MIN_TRIALS + 1; i++) {
                        retime.add(c);
                    }
                }
            }
            Strategy r = retime.poll();
            settled = r == null ? fastest : null;
            if (r != null && extraSettleRuns > 0) {
                // a burst's added unrecorded run (record) is not counted: else a burst of many cheap ones
                // would reach the next re-timing by itself
                extraSettleRuns--;
                CALLS.setOpaque(this, calls - 1);
            }
            return r;
        }

        /** The candidate still to be timed in the first round, or null when AUTO has settled. */
        synchronized Strategy next(int threads) {
            if (threads > 1) {
                for (Strategy s : POOLS) {
                    if (!done(s) && candidate(s)) {
                        return s;
                    }
                }
                long bestPool = Math.min(typical(Strategy.JAVA_POOL), typical(Strategy.NATIVE_POOL));
                if (bestPool > EXPLORE_LIMIT_NS / threads) {
                    return null; // a serial run would cost about `threads` pool runs: too dear to try
                }
            }
            for (Strategy s : SERIAL) {
                if (!done(s) && candidate(s)) {
                    return s;
                }
            }
            return null;
        }

        private boolean candidate(Strategy s) {
            return nativeCandidates || (s != Strategy.NATIVE_POOL && s != Strategy.NATIVE_SERIAL);
        }

        private boolean done(Strategy s) {
            long[] t = seen.get(s);
            return t != null && t[1] >= MIN_TRIALS && (t[2] >= BUDGET_NS || t[1] >= MAX_TRIALS);
        }

        /**
         * The candidate's typical run: the (lower) median of its recent runs; Long.MAX_VALUE before its
         * second run.
         */
        synchronized long typical(Strategy s) {
            return typical[s.ordinal()];
        }

        synchronized void record(Strategy s, long ns) {
            int o = s.ordinal();
            if (settling[o]) { // a run that opens a re-timing burst: not recorded
                burstWarmUps++;
                settleSpent[o] += ns;
                if (++settleRuns[o] < SETTLE_MAX_RUNS && settleSpent[o] < SETTLE_NS) {
                    retime.addFirst(s); // one more before the burst's recorded runs
                    extraSettleRuns++;
                } else {
                    settling[o] = false;
                }
                return;
            }
            long[] t = seen.computeIfAbsent(s, k -> new long[] {Long.MAX_VALUE, 0, 0});
            if (t[1]++ > 0) { // the first run pays for warm-up
                t[0] = Math.min(t[0], ns);
                long[] window = recent.computeIfAbsent(s, k -> new long[WINDOW]);
                window[(int) ((t[1] - 2) % WINDOW)] = ns;
                int n = (int) Math.min(t[1] - 1, WINDOW);
                System.arraycopy(window, 0, sorting, 0, n);
                java.util.Arrays.sort(sorting, 0, n);
                typical[s.ordinal()] = sorting[(n - 1) / 2];
            }
            t[2] += ns;
            fastest = fastestSeen();
            if (settled != null) {
                settled = fastest;
            }
        }

        /** The call count at the last re-timing. */
        long lastRetimeCalls;

        private static long saturatingMultiply(long a, long b) {
            long high = Math.multiplyHigh(a, b);
            long low = a * b;
            return (high == 0 && low >= 0) || (high == -1 && low < 0) ? low : Long.MAX_VALUE;
        }

        /** A re-timing burst's cost, its unrecorded runs included, for a candidate that takes `time` a run. */
        private static long burstCost(long time) {
            return saturatingAdd(saturatingMultiply(MIN_TRIALS, time), Math.max(time, SETTLE_NS));
        }

        private static long saturatingAdd(long a, long b) {
            long sum = a + b;
            return sum < 0 ? Long.MAX_VALUE : sum;
        }

        /** Per candidate (by ordinal): its runs open a re-timing burst and are not recorded (see record). */
        private final boolean[] settling = new boolean[Strategy.values().length];
        /** Per candidate (by ordinal): the time and the runs its current burst has not recorded so far. */
        private final long[] settleSpent = new long[Strategy.values().length];
        private final int[] settleRuns = new int[Strategy.values().length];
        /** Runs record added to the front of {@link #retime}, whose call takeLocked does not count. */
        private int extraSettleRuns;
        /** Runs timed but not recorded because they opened a re-timing burst: for tests. */
        long burstWarmUps;
        /** Untimed calls {@link #warmUp} made to warm the candidates: for tests. */
        long warmCalls;
        /** Whether {@link #warmUp} has warmed this group's candidates: once per group. */
        private boolean warmed;

        /** True for the first caller only: that one warms the group's candidates. */
        synchronized boolean startWarming() {
            boolean first = !warmed;
            warmed = true;
            return first;
        }

        /** The candidates timed so far. */
        synchronized java.util.List<Strategy> tried() {
            return new java.util.ArrayList<>(seen.keySet());
        }

        /** Drops every timing, as if no candidate had run: the first round starts again at the next call. */
        synchronized void forget() {
            java.util.Arrays.fill(settling, false);
            seen.clear();
            recent.clear();
            java.util.Arrays.fill(typical, Long.MAX_VALUE);
            fastest = null;
            settled = null;
            retime.clear();
            extraSettleRuns = 0;
        }

        /** The fastest candidate so far (null before any run): a volatile read, no lock. */
        Strategy fastest() {
            return fastest;
        }

        private Strategy fastestSeen() {
            Strategy best = null;
            long bestTime = Long.MAX_VALUE;
            for (Strategy s : seen.keySet()) {
                long time = typical(s);
                if (best == null || time < bestTime) {
                    best = s;
                    bestTime = time;
                }
            }
            return best;
        }
    }

    /** Per kernel, its size groups: index = bit length of the item count. */
    private final Map<Kernel<?, ?>, Groups> trials = new ConcurrentHashMap<>();

    /** A kernel's size groups (index = bit length of the item count); immutable apart from the array's slots. */
    private record Groups(Kernel<?, ?> kernel, AtomicReferenceArray<Trials> bySize) {}

    /**
     * The groups of the kernel called last: a call with the same kernel skips the map. A plain field: a
     * racy read sees null or a complete record (final fields), and a miss only costs the map lookup.
     */
    private Groups lastGroups;
    private final int threads;
    private final Runner javaSerial = new Runners.JavaSerial();
    private final Runner nativeSerial = new Runners.NativeSerial();
    private volatile Runner javaPool;
    private volatile Runner nativePool;
    /* Written under `this`, which also guards opening the pools lazily: a closed AUTO never opens one. */
    private volatile boolean closed;

    /** Times the candidates' runs: {@code System::nanoTime}, or a test's counting clock. */
    private final LongSupplier clock;

    /** Whether {@link #warmUp} exercises the candidates before it times them (tests of the timing logic: no). */
    private final boolean warmPaths;

    public AutoRunner(int threads) {
        this(threads, System::nanoTime, true);
    }

    /** TEST SEAM: AUTO timing with {@code clock}, and a {@link #warmUp} that only times (no warm phase). */
    AutoRunner(int threads, LongSupplier clock) {
        this(threads, clock, false);
    }

    AutoRunner(int threads, LongSupplier clock, boolean warmPaths) {
        this.threads = threads;
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.warmPaths = warmPaths;
    }

    @Override
    public Strategy strategy() {
        return Strategy.AUTO;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
        Runners.requireOpen(closed, this);
        Objects.requireNonNull(kernel, "kernel must not be null");
        kernel.validate(problem);
        Objects.requireNonNull(progress, "progress must not be null");
        Trials t = trialsFor(kernel, problem);
        Strategy next = t.take(threads);
        if (next == null) {
            return runValidated(t.fastest(), kernel, problem, progress);
        }
        long start = clock.getAsLong();
        R result = runValidated(next, kernel, problem, progress);
        t.record(next, clock.getAsLong() - start);
        return result;
    }

    /** Runs a validated problem: the serial runners and the Java pool do not validate it a second time. */
    private <P, R> R runValidated(Strategy s, Kernel<P, R> kernel, P problem, ProgressListener progress) {
        Runner r = runner(s);
        try {
            return r instanceof Runners.BufferRunner b ? b.runValidated(kernel, problem, progress)
                    : r.run(kernel, problem, progress);
        } catch (IllegalStateException e) {
            if (closed) { // the delegate was closed by this AUTO's close() meanwhile: say so as every runner does
                IllegalStateException mine = Runners.closedException(this);
                mine.initCause(e);
                throw mine;
            }
            throw e;
        }
    }

    /**
     * Per candidate, how long {@link #warmUp} exercises it untimed at most ({@value #WARM_NS} ns, but at
     * least {@value #WARM_MIN_CALLS} calls), or until {@value #WARM_CALLS} calls: about what HotSpot needs
     * to compile the candidate's Java path with C2 (the FFM downcall stubs included).
     */
    static final long WARM_NS = 250_000_000;
    static final int WARM_CALLS = 12_000;
    static final int WARM_MIN_CALLS = 2;

    /**
     * Times the candidates for this problem's size group as the first calls would, then exercises each
     * candidate it tried, untimed, until its path is compiled (see {@link #WARM_NS}), forgets the first
     * timings and times them all again. Timings taken cold are unfair to whichever candidate has more Java
     * code on its path: a native-serial gcd_fast call of 14 µs took 25 µs and more while its FFM path was
     * still interpreted, so AUTO settled on java-serial at 1.78x the best (bench/results/20261207-193051).
     * Re-timing later does not mend that by itself: a candidate that is not chosen runs a few calls per
     * re-timing, never enough to be compiled. Costs up to about 1 s per candidate.
     */
    @Override
    public <P, R> int warmUp(Kernel<P, R> kernel, P problem) {
        int calls = timeFirstRound(kernel, problem);
        Trials t = trialsFor(kernel, problem);
        if (!warmPaths || !t.startWarming()) {
            return calls; // warmed before (or a test of the timing logic)
        }
        for (Strategy s : t.tried()) {
            long deadline = System.nanoTime() + WARM_NS;
            for (int k = 0; k < WARM_CALLS && (k < WARM_MIN_CALLS || System.nanoTime() < deadline); k++) {
                Runners.requireOpen(closed, this);
                kernel.validate(problem); // as a real call does: its path is warmed too
                runValidated(s, kernel, problem, ProgressListener.NONE);
                calls++;
                t.warmCalls++; // only this thread writes it; tests read it after warmUp returned
            }
        }
        t.forget();
        return calls + timeFirstRound(kernel, problem);
    }

    private <P, R> int timeFirstRound(Kernel<P, R> kernel, P problem) {
        int calls = 0;
        do {
            run(kernel, problem);
            calls++;
        } while (trialsFor(kernel, problem).next(threads) != null);
        return calls;
    }

    /** The strategy AUTO uses for problems of this kernel and size, or null while it is still timing. */
    Strategy chosen(Kernel<?, ?> kernel, long items) {
        Trials t = trialsFor(kernel, items);
        return t.next(threads) != null ? null : t.fastest();
    }

    /** What AUTO measured for this kernel's size group: per candidate, fastest µs and runs. */
    String describe(Kernel<?, ?> kernel, long items) {
        return describe(trialsFor(kernel, items));
    }

    private static String describe(Trials t) {
        synchronized (t) {
            StringBuilder b = new StringBuilder("calls " + t.calls + ", using " + t.fastestSeen() + ":");
            t.seen.forEach((s, v) -> b.append(String.format(java.util.Locale.ROOT, " %s %.2f µs (fastest %.2f) ×%d",
                    s.label(), t.typical(s) / 1e3, v[0] / 1e3, v[1])));
            return b.toString();
        }
    }

    /**
     * What AUTO chose and measured, per kernel and size group, e.g. {@code auto(2 threads): reduce_sum
     * [512, 1023] calls 1000, using JAVA_SERIAL: java-serial 0.10 µs ...}: for logs and benchmark reports.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("auto(" + threads + " threads):");
        trials.forEach((kernel, groups) -> {
            for (int g = 0; g < groups.bySize().length(); g++) {
                Trials t = groups.bySize().get(g);
                if (t != null) {
                    long low = g == 0 ? 0 : 1L << (g - 1);
                    b.append("\n  ").append(kernel.name()).append(" [").append(low).append(", ")
                            .append(g == 0 ? 0 : g == 64 ? Long.MAX_VALUE : (1L << g) - 1).append("] ")
                            .append(describe(t));
                }
            }
        });
        return b.toString();
    }

    <P, R> Trials trialsFor(Kernel<P, R> kernel, P problem) {
        return trialsFor(kernel, kernel.items(problem));
    }

    private Trials trialsFor(Kernel<?, ?> kernel, long items) {
        Groups last = lastGroups;
        if (last == null || last.kernel() != kernel) {
            last = trials.computeIfAbsent(kernel, k -> new Groups(k, new AtomicReferenceArray<>(65)));
            lastGroups = last;
        }
        AtomicReferenceArray<Trials> groups = last.bySize();
        int group = 64 - Long.numberOfLeadingZeros(items);
        Trials t = groups.get(group);
        if (t == null) {
            groups.compareAndSet(group, null, new Trials(hasNativeCode(kernel)));
            t = groups.get(group);
        }
        return t;
    }

    private static final System.Logger LOG = System.getLogger(AutoRunner.class.getName());
    private static volatile boolean loggedNoLibrary;

    /**
     * Whether AUTO may try the native strategies for {@code kernel}: not for a Java-only kernel, and not when
     * libpcompute cannot be loaded (AUTO then uses the Java strategies from the first call, and says why once).
     */
    private static boolean hasNativeCode(Kernel<?, ?> kernel) {
        try {
            return NativeKernels.hasNativeCode(kernel);
        } catch (LinkageError | RuntimeException e) {
            if (!loggedNoLibrary) {
                loggedNoLibrary = true;
                LOG.log(System.Logger.Level.WARNING, "pcompute AUTO: the native library is not usable, so AUTO runs the "
                        + "Java strategies only: " + e, e);
            }
            return false;
        }
    }

    private Runner runner(Strategy s) {
        Runners.requireOpen(closed, this);
        Runner r = switch (s) {
            case JAVA_SERIAL -> javaSerial;
            case NATIVE_SERIAL -> nativeSerial;
            case JAVA_POOL -> javaPool;
            case NATIVE_POOL -> nativePool;
            case NATIVE_PROCESS, AUTO -> throw new IllegalStateException("AUTO delegates only to the in-process strategies");
        };
        return r != null ? r : openPool(s);
    }

    private synchronized Runner openPool(Strategy s) {
        Runners.requireOpen(closed, this);
        if (s == Strategy.JAVA_POOL) {
            return javaPool != null ? javaPool : (javaPool = Strategy.JAVA_POOL.open(threads));
        }
        return nativePool != null ? nativePool : (nativePool = Strategy.NATIVE_POOL.open(threads));
    }

    @Override
    public synchronized void close() {
        closed = true;
        javaSerial.close();
        nativeSerial.close();
        if (javaPool != null) {
            javaPool.close();
        }
        if (nativePool != null) {
            nativePool.close();
        }
    }
}
