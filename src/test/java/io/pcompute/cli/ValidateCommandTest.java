package io.pcompute.cli;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code validate} on application kernels: found as services, or named by class. */
class ValidateCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void validatesApplicationKernelsFoundAsServices() {
        CliRun r = run("validate", "--kernel", "scale_int,byte_sums", "--cases", "40", "--threads", "1,2");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("scale_int") && l.contains(" ok ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("byte_sums") && l.contains(" ok ")), r.out());
    }

    @Test
    void validatesKernelsOfANamedClass() {
        CliRun r = run("validate", "--kernels", "example.app.TestKernels", "--kernel", "saxpy_float", "--cases", "30",
                "--threads", "2");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("saxpy_float"), r.out());
    }

    @Test
    void aBadKernelClassIsABadOption() {
        CliRun missing = run("validate", "--kernels", "no.such.Kernels", "--all", "--cases", "1");
        assertEquals(2, missing.exit(), missing.out() + missing.err());
        assertTrue(missing.err().contains("kernel class 'no.such.Kernels' cannot be loaded"), missing.err());
        CliRun twice = run("validate", "--kernels", "example.app.DuplicateNames", "--all", "--cases", "1");
        assertEquals(2, twice.exit(), twice.out() + twice.err());
        assertTrue(twice.err().contains("two kernels are named 'twice'"), twice.err());
        CliRun unknown = run("validate", "--kernel", "no_such_kernel", "--cases", "1");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("must be one of [gcd_brute"), unknown.err());
    }

    @Test
    void theMainJobRunsAnApplicationKernelOnEveryStrategy() {
        CliRun r = run("seed", "--kernel", "scale_int", "--items", "20000", "--threads", "2",
                "--strategies", "java-serial,java-pool,native-serial,native-pool,auto");
        assertEquals(0, r.exit(), r.out() + r.err());
        for (String strategy : new String[] {"java-serial", "java-pool", "native-serial", "native-pool", "auto"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(strategy) && l.endsWith("yes")), strategy + "\n" + r.out());
        }
        assertTrue(r.out().contains("pct_scale_int_kernel in "), r.out());
    }

    @Test
    @org.junit.jupiter.api.Timeout(300)
    void isolatedValidationReportsAPlantedCrashExitsOneAndValidatesTheOtherKernels() {
        String worker = System.getProperty("pcompute.test.hooks.worker");
        assertTrue(worker != null && !worker.isBlank(), "-Dpcompute.test.hooks.worker is not set (run through Maven)");
        CliRun r = run("validate", "--kernel", "gcd_fast,gcd_brute", "--cases", "30", "--threads", "2", "--seed", "5",
                "--worker", worker, "--plant-fault", "segv:gcd_fast:2");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("CRASH (SIGSEGV) kernel gcd_fast, strategy native-process, threads 2, seed 5"), r.out());
        assertTrue(r.out().contains("input:    3 pairs "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("gcd_fast") && l.contains(" FAIL ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("gcd_brute") && l.contains(" ok ")), r.out());
        assertTrue(r.out().contains("not run in this process after the crash or hang: native-serial x1"), r.out());
        assertEquals(java.util.List.of(), io.pcompute.internal.WorkerProcess.childWorkers(), "worker processes left behind");
    }

    @Test
    void isolationIsTheDefaultAndCanBeTurnedOff() {
        CliRun on = run("validate", "--kernel", "gcd_fast", "--cases", "5", "--threads", "1");
        assertEquals(0, on.exit(), on.out() + on.err());
        assertTrue(on.out().contains("native code isolated in worker processes first"), on.out());
        CliRun off = run("validate", "--kernel", "gcd_fast", "--cases", "5", "--threads", "1", "--no-isolate");
        assertEquals(0, off.exit(), off.out() + off.err());
        assertTrue(off.out().contains("not isolated"), off.out());
        CliRun badTimeout = run("validate", "--kernel", "gcd_fast", "--cases", "5", "--timeout", "0");
        assertEquals(2, badTimeout.exit(), badTimeout.out() + badTimeout.err());
        assertTrue(badTimeout.err().contains("--timeout = 0.0: must be between"), badTimeout.err());
        CliRun badFault = run("validate", "--kernel", "gcd_fast", "--cases", "5", "--plant-fault", "segv:gcd_fast:1");
        assertEquals(2, badFault.exit(), badFault.out() + badFault.err());
        assertTrue(badFault.err().contains("--worker built with test hooks"), badFault.err());
    }
}
