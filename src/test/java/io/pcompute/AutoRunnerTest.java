package io.pcompute;

import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Reduce;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoRunnerTest {
    private static final Set<Strategy> SERIAL = Set.of(Strategy.JAVA_SERIAL, Strategy.NATIVE_SERIAL);
    private static final Set<Strategy> PARALLEL = Set.of(Strategy.JAVA_POOL, Strategy.NATIVE_POOL);

    @Test
    void smallProblemsStaySerialAndLargeOnesGoParallel() {
        try (AutoRunner auto = new AutoRunner(2)) {
            Pairs tiny = new Pairs(new long[] {12, 18}, new long[] {8, 27});
            assertTrue(SERIAL.contains(auto.choose(Gcd.FAST, tiny)), auto.choose(Gcd.FAST, tiny).toString());
            Pairs heavy = new Pairs(TestData.random(1, 2000, 1_000_000, 2_000_000), TestData.random(2, 2000, 1_000_000, 2_000_000));
            assertTrue(PARALLEL.contains(auto.choose(Gcd.BRUTE, heavy)), auto.choose(Gcd.BRUTE, heavy).toString());
            assertTrue(SERIAL.contains(auto.choose(Reduce.SUM, Reduce.Data.of(1, 2, 3))));
            assertArrayEquals(new long[] {4, 9}, auto.apply(Gcd.FAST, tiny.a(), tiny.b()));
        }
    }

    @Test
    void smallProblemsSettleOnTheFastestMeasuredStrategyAndStayCorrect() {
        try (AutoRunner auto = new AutoRunner(2)) {
            long[] a = TestData.random(3, 300, 0, 1_000_000);
            long[] b = TestData.random(4, 300, 0, 1_000_000);
            long[] expected = Gcd.FAST.reference(new Pairs(a, b));
            for (int i = 0; i < 20; i++) { // exploration (every candidate twice), then the fastest
                assertArrayEquals(expected, auto.apply(Gcd.FAST, a, b));
            }
        }
    }

    @Test
    void warmUpTimesEveryCandidateThenStops() {
        try (AutoRunner auto = new AutoRunner(2); AutoRunner single = new AutoRunner(1);
             Runner fixed = Strategy.NATIVE_SERIAL.open(1)) {
            Pairs small = new Pairs(TestData.random(5, 300, 0, 1_000_000), TestData.random(6, 300, 0, 1_000_000));
            assertEquals(4 * 3, auto.warmUp(Gcd.FAST, small), "4 candidates × 3 trials");
            assertEquals(1, auto.warmUp(Gcd.FAST, small), "already settled for this size group");
            assertEquals(2 * 3, single.warmUp(Gcd.FAST, small), "one thread: only the serial candidates");
            assertEquals(1, fixed.warmUp(Gcd.FAST, small));
            // millions of fast gcds: estimated well above EXPLORE_LIMIT_NS, so only the two pools are timed
            Pairs large = new Pairs(TestData.random(7, 3_000_000, 0, Long.MAX_VALUE),
                    TestData.random(8, 3_000_000, 0, Long.MAX_VALUE));
            assertEquals(2 * 3, auto.warmUp(Gcd.FAST, large), "a large problem only tries the two pools");
        }
    }

    @Test
    void oneThreadNeverGoesParallel() {
        try (AutoRunner auto = new AutoRunner(1)) {
            Pairs heavy = new Pairs(TestData.random(1, 2000, 1_000_000, 2_000_000), TestData.random(2, 2000, 1_000_000, 2_000_000));
            assertTrue(SERIAL.contains(auto.choose(Gcd.BRUTE, heavy)));
        }
    }
}
