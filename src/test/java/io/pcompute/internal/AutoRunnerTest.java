package io.pcompute.internal;

import io.pcompute.TestData;
import io.pcompute.Strategy;
import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoRunnerTest {
    private static final Set<Strategy> SERIAL = Set.of(Strategy.JAVA_SERIAL, Strategy.NATIVE_SERIAL);
    private static final Set<Strategy> PARALLEL = Set.of(Strategy.JAVA_POOL, Strategy.NATIVE_POOL);

    @Test
    void tinyProblemsSettleOnASerialRunnerAndHeavyOnesOnAPool() {
        try (AutoRunner auto = new AutoRunner(2, System::nanoTime)) { // timing only: no warm phase
            Pairs tiny = new Pairs(new long[] {12, 18}, new long[] {8, 27});
            assertNull(auto.chosen(Gcd.FAST, 2), "nothing timed yet");
            int calls = auto.warmUp(Gcd.FAST, tiny);
            assertTrue(calls >= 4 * AutoRunner.MIN_TRIALS && calls <= 4 * AutoRunner.MAX_TRIALS, "calls " + calls);
            // a pool hand-off alone costs tens of µs; two gcds, well under one
            assertTrue(SERIAL.contains(auto.chosen(Gcd.FAST, 2)), auto.describe(Gcd.FAST, 2));
            assertTrue(auto.describe(Gcd.FAST, 2).contains("using " + auto.chosen(Gcd.FAST, 2)));
            assertTrue(auto.toString().contains("gcd_fast [2, 3] calls " + calls + ", using " + auto.chosen(Gcd.FAST, 2)),
                    auto.toString());
            assertArrayEquals(new long[] {4, 9}, auto.apply(Gcd.FAST, tiny.a(), tiny.b()));

            // ~100 brute-force gcds of a value near 10^6 with one above 2^53: tens of ms serially, so only the
            // pools are timed. Above 2^53 every SIMD path runs the scalar loop (pc_gcd_simd.c), so this stays
            // heavy on every machine; pairs near 10^6 alone take ~7 ms serially on the AVX paths.
            Pairs heavy = new Pairs(TestData.random(1, 100, 500_000, 1_000_000),
                    TestData.random(2, 100, (1L << 53) + 1, 1L << 62));
            assertEquals(2 * AutoRunner.MIN_TRIALS, auto.warmUp(Gcd.BRUTE, heavy));
            assertTrue(PARALLEL.contains(auto.chosen(Gcd.BRUTE, 100)), String.valueOf(auto.chosen(Gcd.BRUTE, 100)));
            assertArrayEquals(Gcd.BRUTE.reference(heavy), auto.run(Gcd.BRUTE, heavy));
        }
    }

    @Test
    void settledGroupsNeedOneWarmUpCallAndEverySizeGroupIsTimedOnItsOwn() {
        try (AutoRunner auto = new AutoRunner(2)) {
            Reduce.Data small = Reduce.Data.of(new double[100]);
            auto.warmUp(Reduce.SUM, small);
            assertEquals(1, auto.warmUp(Reduce.SUM, small), "already settled for this size group");
            assertNull(auto.chosen(Reduce.SUM, 100_000), "another size group is timed afresh");
        }
    }

    @Test
    void resultsStayCorrectWhileTimingAndAfter() {
        try (AutoRunner auto = new AutoRunner(2)) {
            long[] a = TestData.random(3, 300, 0, 1_000_000);
            long[] b = TestData.random(4, 300, 0, 1_000_000);
            long[] expected = Gcd.FAST.reference(new Pairs(a, b));
            for (int i = 0; i < 200; i++) { // timing every candidate, then the fastest
                assertArrayEquals(expected, auto.apply(Gcd.FAST, a, b));
            }
            assertTrue(auto.chosen(Gcd.FAST, 300) != null);
        }
    }

    @Test
    void aFirstImpressionIsCorrectedWhenTheCandidatesAreTimedAgain() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        // first impressions, in ns: Java serial looks slow (say, timed before the JIT compiled it)
        Map<Strategy, Long> first = Map.of(Strategy.JAVA_POOL, 900_000L, Strategy.NATIVE_POOL, 800_000L,
                Strategy.JAVA_SERIAL, 1_000_000L, Strategy.NATIVE_SERIAL, 700_000L);
        int timed = 0;
        for (Strategy s; (s = t.take(2)) != null; timed++) {
            t.record(s, t.seen.containsKey(s) ? first.get(s) : 2_000_000); // the first run is discarded
        }
        assertEquals(4 * AutoRunner.MIN_TRIALS, timed, "every candidate 3 times, pools first");
        assertEquals(Strategy.NATIVE_SERIAL, t.fastest());
        Strategy s;
        while ((s = t.take(2)) == null) {
            t.record(Strategy.NATIVE_SERIAL, 700_000); // the fastest runs, and stays timed
        }
        assertEquals(AutoRunner.RETIME_FIRST, t.calls, "every candidate is timed again at the group's 64th call");
        Set<Strategy> retimed = new java.util.HashSet<>();
        do {
            retimed.add(s);
            t.record(s, s == Strategy.JAVA_SERIAL ? 100_000 : first.get(s)); // compiled now: the fastest
        } while ((s = t.take(2)) != null);
        assertEquals(Set.of(Strategy.JAVA_POOL, Strategy.NATIVE_POOL, Strategy.JAVA_SERIAL, Strategy.NATIVE_SERIAL),
                retimed);
        assertEquals(Strategy.JAVA_SERIAL, t.fastest());
    }

    @Test
    void aCandidateIsJudgedByItsTypicalRunNotByOneLuckyRun() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        // in ns: one pool run came back fast (a worker still awake), every other took 400 µs; serial runs 300 µs
        long[] poolRuns = {2_000_000, 50_000, 400_000, 400_000, 400_000, 400_000};
        for (long ns : poolRuns) {
            t.record(Strategy.NATIVE_POOL, ns); // the first run is discarded
        }
        for (int i = 0; i < 6; i++) {
            t.record(Strategy.JAVA_SERIAL, i == 0 ? 2_000_000 : 300_000);
        }
        assertEquals(Strategy.JAVA_SERIAL, t.fastest(), "the pool's 50 µs was luck, its typical run is 400 µs");
        assertTypical(400_000, t, Strategy.NATIVE_POOL);
    }

    @Test
    void onlyTheLastRunsCount() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        t.record(Strategy.JAVA_SERIAL, 9_000_000); // discarded
        for (int i = 0; i < AutoRunner.WINDOW; i++) {
            t.record(Strategy.JAVA_SERIAL, 1_000_000); // cold: interpreted code, say
        }
        for (int i = 0; i < AutoRunner.WINDOW / 2 + 1; i++) {
            t.record(Strategy.JAVA_SERIAL, 100_000); // compiled now
        }
        assertTypical(100_000, t, Strategy.JAVA_SERIAL); // the newer half of the window decides
        assertTypical(Long.MAX_VALUE, t, Strategy.NATIVE_SERIAL); // never run
    }

    @Test
    void forgettingDropsColdTimingsSoTheFirstRoundStartsAgain() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        for (int i = 0; i < 20; i++) {
            t.record(Strategy.NATIVE_SERIAL, 50_000); // an interpreted FFM path
            t.record(Strategy.JAVA_SERIAL, 25_000);
        }
        assertEquals(Strategy.JAVA_SERIAL, t.fastest());
        t.forget();
        assertNull(t.fastest());
        assertEquals(Strategy.JAVA_POOL, t.next(2), "timing starts over");
        assertTypical(Long.MAX_VALUE, t, Strategy.NATIVE_SERIAL);
        for (int i = 0; i < 4; i++) {
            t.record(Strategy.NATIVE_SERIAL, 14_000); // compiled now
            t.record(Strategy.JAVA_SERIAL, 25_000);
        }
        assertEquals(Strategy.NATIVE_SERIAL, t.fastest());
        assertTypical(14_000, t, Strategy.NATIVE_SERIAL);
    }

    /**
     * AUTO's warmUp times the candidates, runs each one untimed until its path is compiled, forgets the
     * cold timings and times again: a candidate timed while its Java path was interpreted lost to java-serial
     * for good (gcd_fast at size small, 1.78x the best, bench/results/20261207-193051).
     */
    @Test
    void warmUpWarmsEachCandidateUntimedThenTimesThemAgainOncePerSizeGroup() {
        CountingKernel k = new CountingKernel();
        long[] problem = {1, 2, 3};
        try (AutoRunner auto = new AutoRunner(2)) {
            int calls = auto.warmUp(k, problem); // the Java pool and Java serial (no C code)
            AutoRunner.Trials t = auto.trialsFor(k, problem);
            long timed = timedRuns(t);
            long firstRound = calls - t.warmCalls - timed;
            assertTrue(t.warmCalls >= 2 * AutoRunner.WARM_MIN_CALLS && t.warmCalls <= 2 * AutoRunner.WARM_CALLS,
                    "warm calls " + t.warmCalls);
            assertTrue(timed >= 2 * AutoRunner.MIN_TRIALS && timed <= 2 * AutoRunner.MAX_TRIALS, "timed " + timed);
            assertTrue(firstRound >= 2 * AutoRunner.MIN_TRIALS && firstRound <= 2 * AutoRunner.MAX_TRIALS,
                    "first round " + firstRound + ": forgotten, so the timings are the second round's only");
            assertEquals(calls, k.validations.get(), "a warm call validates, as a real call does");
            assertTrue(t.fastest() != null && t.next(2) == null, auto.describe(k, 3));
            long warm = t.warmCalls;
            assertEquals(1, auto.warmUp(k, problem), "already warmed and settled for this size group");
            assertEquals(warm, t.warmCalls);
            assertArrayEquals(new long[] {2, 3, 4}, auto.run(k, problem));
        }
    }

    @Test
    void theFirstRunOfAReTimingBurstIsNotRecorded() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        for (int i = 0; i < AutoRunner.MAX_TRIALS; i++) { // the first round (one thread: serial candidates)
            t.record(Strategy.NATIVE_SERIAL, 400); // 0.4 µs, warm
            t.record(Strategy.JAVA_SERIAL, 600);
        }
        assertNull(t.take(1), "settled");
        for (int burst = 0; burst < 6; burst++) { // enough bursts to fill the window
            t.calls = t.nextRetime; // the next call re-times
            java.util.Map<Strategy, Integer> runInBurst = new java.util.EnumMap<>(Strategy.class);
            for (Strategy s = t.take(1); s != null; s = t.take(1)) {
                int k = runInBurst.merge(s, 1, Integer::sum);
                // native-serial after thousands of Java calls: the first run wakes it (50 µs), the second
                // is still cold (1 µs), then 0.4 µs again
                t.record(s, s != Strategy.NATIVE_SERIAL ? 600 : k == 1 ? 50_000 : k == 2 ? 1_000 : 400);
            }
        }
        assertTypical(400, t, Strategy.NATIVE_SERIAL); // before: 1,000 (the median of cold, cold, warm)
        assertEquals(Strategy.NATIVE_SERIAL, t.fastest());
        // sub-µs runs never add up to SETTLE_NS: each burst opens with SETTLE_MAX_RUNS unrecorded runs
        assertEquals(6 * 2 * AutoRunner.SETTLE_MAX_RUNS, t.burstWarmUps, "per candidate and burst");
    }

    /**
     * A pool timed after a spell of serial calls is slow for its first runs (workers asleep, the data in the
     * caller's core's cache): a burst records its runs only once the runs before have taken SETTLE_NS. A
     * native pool of 9 µs back to back, 30 µs for the first 6 runs of a burst, stays chosen over a native
     * serial run of 15 µs; before, bursts that recorded their runs 2-4 pushed its median to 30 µs and AUTO
     * used native-serial (reduce_sum over 1 MiB: 1.77x the best).
     */
    @Test
    void aReTimingBurstRecordsItsRunsOnlyOnceTheyHaveSettled() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        java.util.function.ToLongFunction<Strategy> steady = s -> switch (s) {
            case NATIVE_POOL -> 9_000;
            case NATIVE_SERIAL -> 15_000;
            default -> 40_000;
        };
        for (Strategy s = t.take(2); s != null; s = t.take(2)) { // the first round: back to back
            t.record(s, steady.applyAsLong(s));
        }
        assertEquals(Strategy.NATIVE_POOL, t.fastest());
        java.util.List<Integer> poolRuns = new java.util.ArrayList<>();
        for (int burst = 0; burst < 8; burst++) {
            t.calls = t.nextRetime;
            java.util.Map<Strategy, Integer> runInBurst = new java.util.EnumMap<>(Strategy.class);
            for (Strategy s = t.take(2); s != null; s = t.take(2)) {
                int k = runInBurst.merge(s, 1, Integer::sum);
                t.record(s, s == Strategy.NATIVE_POOL && k <= 6 ? 30_000 : steady.applyAsLong(s));
            }
            assertEquals(Strategy.NATIVE_POOL, t.fastest(),
                    "after burst " + burst + ": native-pool " + t.typical(Strategy.NATIVE_POOL) + " ns");
            poolRuns.add(runInBurst.get(Strategy.NATIVE_POOL));
        }
        assertTypical(9_000, t, Strategy.NATIVE_POOL);
        // 6 slow runs (180 µs) and 8 of 9 µs reach 250 µs, then MIN_TRIALS recorded
        assertEquals(java.util.Collections.nCopies(8, 6 + 8 + AutoRunner.MIN_TRIALS), poolRuns);
    }

    /** A re-timing burst costs at most 5% of the calls since the last one: a dear loser waits for a later one. */
    @Test
    void aCandidateWhoseBurstCostsMoreThanFivePercentOfTheCallsSinceWaitsForALaterReTiming() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        for (int i = 0; i < AutoRunner.MAX_TRIALS; i++) { // one thread: the serial candidates
            t.record(Strategy.NATIVE_SERIAL, 1_000);
            t.record(Strategy.JAVA_SERIAL, 100_000);
        }
        assertNull(t.take(1), "settled");
        t.calls = t.nextRetime; // 64 calls of 1 µs: a 4-run burst of 100 µs runs is far above 5% of them
        assertEquals(java.util.Set.of(Strategy.NATIVE_SERIAL), drainRetiming(t));
        t.calls = 100_000; // ~100 ms of calls since: 5 ms of budget, enough for the 0.4 ms burst
        assertEquals(java.util.Set.of(Strategy.NATIVE_SERIAL, Strategy.JAVA_SERIAL), drainRetiming(t));
    }

    private static java.util.Set<Strategy> drainRetiming(AutoRunner.Trials t) {
        java.util.Set<Strategy> taken = java.util.EnumSet.noneOf(Strategy.class);
        for (Strategy s = t.take(1); s != null; s = t.take(1)) {
            taken.add(s);
            t.record(s, s == Strategy.NATIVE_SERIAL ? 1_000 : 100_000);
        }
        return taken;
    }

    @Test
    void autoValidatesEachProblemOnceWhicheverRunnerItUses() {
        CountingKernel k = new CountingKernel();
        long[] problem = {1, 2, 3};
        try (AutoRunner auto = new AutoRunner(2, System::nanoTime)) {
            int calls = auto.warmUp(k, problem); // times the Java pool and Java serial (no C code)
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(new long[] {2, 3, 4}, auto.run(k, problem));
            }
            calls += 100;
            assertEquals(calls, k.validations.get(), "one validation per call (" + auto.describe(k, 3) + ")");
        }
    }

    @Test
    void aSettledCallTakesNoLockOfItsSizeGroup() throws Exception {
        CountingKernel k = new CountingKernel();
        long[] problem = {1, 2, 3};
        try (AutoRunner auto = new AutoRunner(2)) {
            auto.warmUp(k, problem); // 6 to 64 calls: the Java pool and Java serial, 3 to 32 runs each
            AutoRunner.Trials t = auto.trialsFor(k, problem);
            // past the re-timing burst at the 256th call (its unrecorded runs beyond the first are not
            // counted), short of the 512th
            for (int i = 0; i < 300 || !t.retime.isEmpty(); i++) {
                auto.run(k, problem);
            }
            auto.run(k, problem); // the call after a burst's last run settles the group
            assertTrue(t.calls > 256 && t.calls < 500 && t.nextRetime >= 512, "calls " + t.calls + ", next " + t.nextRetime);
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread holder = Thread.ofPlatform().start(() -> {
                synchronized (t) { // as a thread that is recording a timed run, or reading describe(), does
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            held.await();
            try { // a watchdog, not a timing: with a lock per call these calls wait for the holder forever
                assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
                    for (int i = 0; i < 10; i++) {
                        assertArrayEquals(new long[] {2, 3, 4}, auto.run(k, problem));
                    }
                });
            } finally {
                release.countDown();
                holder.join();
            }
        }
    }

    @Test
    void aSettledGroupAllocatesNothingPerCall() {
        AutoRunner.Trials t = settledTrials();
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int calls = 100_000;
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            Strategy s = t.take(2);
            if (s != null) { // the re-timing bursts (at the 64th, 128th, ... call) record too
                t.record(s, s == Strategy.JAVA_SERIAL ? 100 : 30_000);
            }
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // the old take() copied and sorted two candidates' windows per call: 272 bytes a call
        assertTrue(allocated < calls / 10, allocated + " bytes in " + calls + " calls");
        assertEquals(Strategy.JAVA_SERIAL, t.fastest());
    }

    @Test
    void aSettledCallReadsNoClockAndNoLockUntilTheNextRetiming() {
        AutoRunner.Trials t = settledTrials();
        long locked = t.lockedTakes;
        long calls = t.calls;
        long retimeAt = t.nextRetime;
        assertTrue(retimeAt - calls > 50, calls + " calls, re-timing at " + retimeAt);
        while (t.calls < retimeAt - 1) {
            assertNull(t.take(2));
        }
        assertEquals(locked, t.lockedTakes, (t.calls - calls) + " settled calls");
        assertTrue(t.take(2) != null, "call " + retimeAt + " starts re-timing");
        assertEquals(locked + 1, t.lockedTakes);
    }

    @Test
    void autoReadsTheClockOnlyForTheRunsItTimes() {
        CountingKernel k = new CountingKernel();
        long[] problem = {1, 2, 3};
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        java.util.function.LongSupplier countingClock = () -> {
            reads.incrementAndGet();
            return System.nanoTime();
        };
        try (AutoRunner auto = new AutoRunner(2, countingClock)) {
            int warmUp = auto.warmUp(k, problem);
            assertEquals(2L * warmUp, reads.get(), "every first-round call is timed: two clock reads");
            AutoRunner.Trials t = auto.trialsFor(k, problem);
            long timedBefore = timedRuns(t);
            int calls = 0;
            for (; calls < 1000 || !t.retime.isEmpty(); calls++) { // 1000 calls and the end of their last burst
                auto.run(k, problem);
            }
            // the re-timing bursts (after calls 64, 128, 256, 512): per candidate, runs timed but not recorded
            // (at most SETTLE_MAX_RUNS), then MIN_TRIALS recorded
            long recorded = timedRuns(t) - timedBefore;
            long timed = recorded + t.burstWarmUps;
            assertEquals(2 * (warmUp + timed), reads.get(), "timed " + timed + " of " + calls + " calls");
            assertTrue(recorded > 0 && recorded % AutoRunner.MIN_TRIALS == 0 && recorded <= 4 * 2 * AutoRunner.MIN_TRIALS,
                    "recorded " + recorded + " of " + calls + " calls");
            long bursts = recorded / AutoRunner.MIN_TRIALS;
            assertTrue(t.burstWarmUps >= bursts && t.burstWarmUps <= bursts * AutoRunner.SETTLE_MAX_RUNS,
                    t.burstWarmUps + " unrecorded runs in " + bursts + " bursts");
        }
    }

    private static long timedRuns(AutoRunner.Trials t) {
        synchronized (t) {
            return t.seen.values().stream().mapToLong(v -> v[1]).sum();
        }
    }

    /** A group whose first round is over: the pools took 30 µs a run, Java serial 0.1 µs, native serial 1 µs. */
    private static AutoRunner.Trials settledTrials() {
        AutoRunner.Trials t = new AutoRunner.Trials();
        for (Strategy s; (s = t.take(2)) != null; ) {
            t.record(s, s == Strategy.JAVA_SERIAL ? 100 : s == Strategy.NATIVE_SERIAL ? 1_000 : 30_000);
        }
        assertEquals(Strategy.JAVA_SERIAL, t.fastest());
        return t;
    }

    @Test
    void eachKernelKeepsItsOwnGroupsWhenCallsAlternate() {
        CountingKernel k1 = new CountingKernel();
        CountingKernel k2 = new CountingKernel();
        long[] problem = {1, 2, 3};
        try (AutoRunner auto = new AutoRunner(2)) {
            AutoRunner.Trials t1 = auto.trialsFor(k1, problem);
            AutoRunner.Trials t2 = auto.trialsFor(k2, problem);
            assertTrue(t1 != t2, "two kernels of one size share no group");
            for (int i = 0; i < 3; i++) {
                assertTrue(auto.trialsFor(k1, problem) == t1 && auto.trialsFor(k2, problem) == t2, "call " + i);
                assertTrue(auto.trialsFor(k1, new long[100]) != t1, "another size group");
            }
        }
    }

    @Test
    void concurrentCallersGetCorrectResultsWhileAutoTimesSettlesAndRetimes() throws Exception {
        long[] a = TestData.random(5, 8, 0, 1_000_000);
        long[] b = TestData.random(6, 8, 0, 1_000_000);
        long[] expected = Gcd.FAST.reference(new Pairs(a, b));
        int threads = 4;
        int calls = 2_000; // 8,000 calls in the group: its first round and re-timings at 64, 128, ... 4096
        try (AutoRunner auto = new AutoRunner(2)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    done.add(pool.submit(() -> {
                        for (int c = 0; c < calls; c++) {
                            assertArrayEquals(expected, auto.apply(Gcd.FAST, a, b));
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(120, java.util.concurrent.TimeUnit.SECONDS); // a watchdog: a hang fails
                }
            } finally {
                pool.shutdownNow();
            }
            AutoRunner.Trials t = auto.trialsFor(Gcd.FAST, new Pairs(a, b));
            // settled calls count themselves without a lock: concurrent ones may lose a count, never add one
            assertTrue(t.calls > 0 && t.calls <= (long) threads * calls, "calls " + t.calls);
            assertTrue(auto.chosen(Gcd.FAST, 8) != null, auto.describe(Gcd.FAST, 8));
        }
    }

    private static void assertTypical(long expected, AutoRunner.Trials t, Strategy s) {
        assertEquals(expected, t.typical(s), s.label());
    }

    /** A Java-only kernel (no C code of that name) that adds one and counts its validations. */
    private static final class CountingKernel extends io.pcompute.kernel.Kernel<long[], long[]> {
        final java.util.concurrent.atomic.AtomicInteger validations = new java.util.concurrent.atomic.AtomicInteger();

        CountingKernel() {
            super("auto_test_counting");
        }

        @Override
        public void validate(long[] in) {
            validations.incrementAndGet();
            requireNonNull(in, "in");
        }

        @Override
        public long items(long[] in) {
            return in.length;
        }

        @Override
        public io.pcompute.kernel.Buffers buffers(long[] in) {
            return new io.pcompute.kernel.Buffers().in(0, in).out(0, new long[in.length]);
        }

        @Override
        public void reference(io.pcompute.kernel.Buffers b, long begin, long end) {
            for (int i = (int) begin; i < end; i++) {
                b.longOut(0)[i] = b.longIn(0)[i] + 1;
            }
        }

        @Override
        public long[] finish(long[] in, io.pcompute.kernel.Buffers b) {
            return b.longOut(0);
        }

        @Override
        public String difference(long[] e, long[] a) {
            return java.util.Arrays.equals(e, a) ? null : java.util.Arrays.toString(a);
        }

        @Override
        public long[] random(java.util.SplittableRandom r, int size) {
            return r.longs(size).toArray();
        }

        @Override
        public java.util.List<long[]> edgeCases() {
            return java.util.List.of(new long[0]);
        }

        @Override
        public java.util.List<long[]> shrink(long[] p) {
            return java.util.List.of();
        }

        @Override
        public String describe(long[] p) {
            return java.util.Arrays.toString(p);
        }

        @Override
        public String describeResult(long[] r) {
            return java.util.Arrays.toString(r);
        }
    }

    @Test
    void oneThreadNeverGoesParallel() {
        try (AutoRunner auto = new AutoRunner(1, System::nanoTime)) {
            Pairs heavy = new Pairs(TestData.random(1, 100, 500_000, 1_000_000), TestData.random(2, 100, 500_000, 1_000_000));
            int calls = auto.warmUp(Gcd.BRUTE, heavy);
            assertTrue(calls >= 2 * AutoRunner.MIN_TRIALS && calls <= 2 * AutoRunner.MAX_TRIALS, "calls " + calls);
            assertTrue(SERIAL.contains(auto.chosen(Gcd.BRUTE, 100)));
        }
    }
}
