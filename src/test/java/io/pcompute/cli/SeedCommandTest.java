package io.pcompute.cli;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job end to end, on a small scaled workload. */
class SeedCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void seedExperimentPrintsAMatchingRowForEveryStrategy() {
        CliRun r = run("seed", "--pairs", "300", "--max-value", "100000", "--threads", "2", "--progress", "never");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("seed pairs: the origin's 10 pairs"), r.out());
        assertTrue(r.out().contains("scaled: 300 random pairs in [1, 100000], seed 42"), r.out());
        for (String strategy : new String[] {"java-serial", "java-pool", "native-serial", "native-pool", "native-process"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(strategy) && l.endsWith("yes (10/10)")),
                    strategy + " on the seed pairs:\n" + r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(strategy) && l.endsWith("yes (300/300)")),
                    strategy + " on the scaled workload:\n" + r.out());
        }
        assertTrue(r.out().contains("native-pool on 2 threads is "), r.out());
        assertTrue(r.out().endsWith("All results match the Java reference." + System.lineSeparator()), r.out());
    }

    @Test
    void progressBarsRunWhenAsked() {
        CliRun r = run("seed", "--pairs", "200", "--max-value", "50000", "--strategies", "native-pool,java-pool",
                "--progress", "always");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("native-pool"), r.err());
    }

    @Test
    void badOptionsAreReportedWithTheirValue() {
        CliRun r = run("seed", "--strategies", "gpu");
        assertEquals(2, r.exit());
        assertEquals("error: strategy = 'gpu': must be one of java-serial, java-pool, native-serial, native-pool, native-process, auto",
                r.err().trim());
        assertTrue(r.err().contains("strategy = 'gpu': must be one of"), r.err());
        r = run("seed", "--threads", "-2", "--pairs", "0");
        assertTrue(r.err().contains("threads = -2: must be between 0 (all cores) and 1024"), r.err());
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = run("seed", "--help");
        assertEquals(0, r.exit());
        for (String option : new String[] {"--pairs", "--max-value", "--threads", "--strategies", "--seed", "--kernel"}) {
            assertTrue(r.out().contains(option), option);
        }
    }
}
