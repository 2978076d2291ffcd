package io.pcompute.cli;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code validate} on application kernels: found as services, or named by class. */
class ValidateCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CliRun r = CliRun.of(args);
        return new Run(r.exit(), r.out(), r.err());
    }

    @Test
    void validatesApplicationKernelsFoundAsServices() {
        Run r = run("validate", "--kernel", "scale_int,byte_sums", "--cases", "40", "--threads", "1,2");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("scale_int") && l.contains(" ok ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("byte_sums") && l.contains(" ok ")), r.out());
    }

    @Test
    void validatesKernelsOfANamedClass() {
        Run r = run("validate", "--kernels", "example.app.TestKernels", "--kernel", "saxpy_float", "--cases", "30",
                "--threads", "2");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("saxpy_float"), r.out());
    }

    @Test
    void aBadKernelClassIsABadOption() {
        Run missing = run("validate", "--kernels", "no.such.Kernels", "--all", "--cases", "1");
        assertEquals(2, missing.exit(), missing.out() + missing.err());
        assertTrue(missing.err().contains("kernel class 'no.such.Kernels' cannot be loaded"), missing.err());
        Run twice = run("validate", "--kernels", "example.app.DuplicateNames", "--all", "--cases", "1");
        assertEquals(2, twice.exit(), twice.out() + twice.err());
        assertTrue(twice.err().contains("two kernels are named 'twice'"), twice.err());
        Run unknown = run("validate", "--kernel", "no_such_kernel", "--cases", "1");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("must be one of [gcd_brute"), unknown.err());
    }

    @Test
    void theMainJobRunsAnApplicationKernelOnEveryStrategy() {
        Run r = run("seed", "--kernel", "scale_int", "--items", "20000", "--threads", "2",
                "--strategies", "java-serial,java-pool,native-serial,native-pool,auto");
        assertEquals(0, r.exit(), r.out() + r.err());
        for (String strategy : new String[] {"java-serial", "java-pool", "native-serial", "native-pool", "auto"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(strategy) && l.endsWith("yes")), strategy + "\n" + r.out());
        }
        assertTrue(r.out().contains("pct_scale_int_kernel in "), r.out());
    }
}
