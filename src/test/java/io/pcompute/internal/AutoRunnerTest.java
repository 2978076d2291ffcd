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
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoRunnerTest {
    private static final Set<Strategy> SERIAL = Set.of(Strategy.JAVA_SERIAL, Strategy.NATIVE_SERIAL);
    private static final Set<Strategy> PARALLEL = Set.of(Strategy.JAVA_POOL, Strategy.NATIVE_POOL);

    @Test
    void tinyProblemsSettleOnASerialRunnerAndHeavyOnesOnAPool() {
        try (AutoRunner auto = new AutoRunner(2)) {
            Pairs tiny = new Pairs(new long[] {12, 18}, new long[] {8, 27});
            assertNull(auto.chosen(Gcd.FAST, 2), "nothing timed yet");
            int calls = auto.warmUp(Gcd.FAST, tiny);
            assertTrue(calls >= 4 * AutoRunner.MIN_TRIALS && calls <= 4 * AutoRunner.MAX_TRIALS, "calls " + calls);
            // a pool hand-off alone costs tens of µs; two gcds, well under one
            assertTrue(SERIAL.contains(auto.chosen(Gcd.FAST, 2)), auto.describe(Gcd.FAST, 2));
            assertTrue(auto.describe(Gcd.FAST, 2).contains("using " + auto.chosen(Gcd.FAST, 2)));
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
    void oneThreadNeverGoesParallel() {
        try (AutoRunner auto = new AutoRunner(1)) {
            Pairs heavy = new Pairs(TestData.random(1, 100, 500_000, 1_000_000), TestData.random(2, 100, 500_000, 1_000_000));
            int calls = auto.warmUp(Gcd.BRUTE, heavy);
            assertTrue(calls >= 2 * AutoRunner.MIN_TRIALS && calls <= 2 * AutoRunner.MAX_TRIALS, "calls " + calls);
            assertTrue(SERIAL.contains(auto.chosen(Gcd.BRUTE, 100)));
        }
    }
}
