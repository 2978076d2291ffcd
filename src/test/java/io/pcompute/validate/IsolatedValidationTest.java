package io.pcompute.validate;

import io.pcompute.Strategy;
import io.pcompute.WorkerTestSupport;
import io.pcompute.internal.Native;
import io.pcompute.internal.WorkerHooks;
import io.pcompute.internal.WorkerProcess;
import io.pcompute.kernels.Gcd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The validator's isolation (issue 10 item 5): faults planted in the workers (a worker built with
 * PC_TEST_HOOKS, -Dpcompute.test.hooks.worker) are reported with a shrunk input instead of ending the JVM,
 * the in-process native strategies never run what the workers did not survive, and no worker remains.
 */
class IsolatedValidationTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerHooks.clear();
        WorkerTestSupport.assertNoneRemain();
    }

    @Test
    @Timeout(300)
    void aPlantedSegfaultIsReportedWithSignalAndShrunkInputAndOtherKernelsStillPass() {
        PortValidator validator = new PortValidator(60, 7, List.of(1, 2)).isolate(Duration.ofSeconds(20), WorkerTestSupport.hooksWorker());
        WorkerHooks.plant(WorkerProcess.HOOK_SEGV, 3, "gcd_fast"); // item 3 of every gcd_fast job
        PortValidator.Report report = validator.validate(Gcd.FAST);
        assertFalse(report.passed());
        assertEquals(2, report.mismatches().size(), report.mismatches().toString()); // native-process x1 and x2
        for (PortValidator.Mismatch m : report.mismatches()) {
            assertEquals(Strategy.NATIVE_PROCESS, m.strategy(), m.toString());
            assertEquals(PortValidator.Fault.CRASHED, m.fault(), m.toString());
            assertEquals(11, m.signal(), m.toString());
            assertEquals(7, m.seed());
            // the smallest crashing case has exactly the planted item: 4 pairs, shrunk to the smallest values
            assertTrue(m.minimalInput().startsWith("4 pairs "), m.toString());
            assertTrue(m.shrinkSteps() > 0, m.toString());
            assertTrue(m.toString().startsWith("CRASH (SIGSEGV) kernel gcd_fast, strategy native-process"), m.toString());
        }
        // the in-process native strategies never ran a case the workers did not survive
        assertTrue(report.skipped().stream().anyMatch(s -> s.startsWith("native-serial x1 from case ")), report.skipped().toString());
        assertTrue(report.skipped().stream().anyMatch(s -> s.startsWith("native-pool x2 from case ")), report.skipped().toString());
        // the JVM, and validation, go on: another kernel passes on every strategy, with the fault still planted
        PortValidator.Report other = validator.validate(Gcd.BRUTE);
        assertTrue(other.passed(), other.mismatches().toString());
        assertEquals(List.of(), other.skipped());
    }

    @Test
    @Timeout(300)
    void aPlantedHangIsReportedAsATimeoutWithAShrunkInput() {
        PortValidator validator = new PortValidator(12, 11, List.of(1)).isolate(Duration.ofMillis(300), WorkerTestSupport.hooksWorker());
        WorkerHooks.plant(WorkerProcess.HOOK_HANG, 1, "gcd_fast");
        PortValidator.Report report = validator.validate(Gcd.FAST);
        assertEquals(1, report.mismatches().size(), report.mismatches().toString());
        PortValidator.Mismatch m = report.mismatches().get(0);
        assertEquals(Strategy.NATIVE_PROCESS, m.strategy());
        assertEquals(PortValidator.Fault.TIMED_OUT, m.fault(), m.toString());
        assertTrue(m.minimalInput().startsWith("2 pairs "), m.toString());
        assertTrue(m.toString().startsWith("TIMEOUT kernel gcd_fast, strategy native-process, threads 1, seed 11"), m.toString());
        assertTrue(m.actual().startsWith("timed out after 300 ms"), m.toString());
    }

    @Test
    @Timeout(120)
    void anInProcessBugIsStillCaughtAndShrunkWhenIsolated() {
        int id = Native.kernelId("gcd_fast");
        Native.plantBug(id, true); // in this process only: the workers compute correctly
        PortValidator.Report report;
        try {
            report = new PortValidator(200, 7, List.of(2)).isolate(Duration.ofSeconds(20)).validate(Gcd.FAST);
        } finally {
            Native.plantBug(id, false);
        }
        List<Strategy> caught = report.mismatches().stream().map(PortValidator.Mismatch::strategy).toList();
        assertEquals(List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL), caught.subList(0, 2));
        assertFalse(caught.contains(Strategy.NATIVE_PROCESS), caught.toString());
        PortValidator.Mismatch m = report.mismatches().get(0);
        assertEquals(PortValidator.Fault.WRONG_RESULT, m.fault());
        assertEquals("1 pairs [(3, 0)]", m.minimalInput()); // the bug fires when a % 7 == 3
        assertEquals(List.of(), report.skipped());
    }

    @Test
    void rejectsANonPositiveRunTimeout() {
        PortValidator v = new PortValidator(1, 1, List.of(1));
        assertEquals("runTimeout = PT0S: must be positive",
                assertThrows(IllegalArgumentException.class, () -> v.isolate(Duration.ZERO)).getMessage());
        assertFalse(v.isolated());
        assertTrue(v.isolate(Duration.ofSeconds(1)).isolated());
    }
}
