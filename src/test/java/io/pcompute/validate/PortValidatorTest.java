package io.pcompute.validate;

import io.pcompute.Strategy;
import io.pcompute.Runner;
import io.pcompute.ProgressListener;
import io.pcompute.Kernels;
import io.pcompute.kernel.Kernel;
import io.pcompute.internal.Native;
import io.pcompute.kernels.Gcd;
import io.pcompute.kernels.Primes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortValidatorTest {
    /** The CI run of `validate --all`: every kernel x strategy x thread count on 1,000 cases each. */
    @Test
    void everyKernelMatchesItsReferenceOnAThousandGeneratedCases() {
        PortValidator validator = new PortValidator(1000, 20261124L, List.of(1, 2, 0));
        for (Kernel<?, ?> kernel : Kernels.all()) {
            PortValidator.Report report = validator.validate(kernel);
            assertEquals(1000, report.cases());
            assertTrue(report.runs() >= 1000L * 6, kernel + " ran " + report.runs() + " strategy runs");
            assertTrue(report.passed(), () -> kernel + ":\n" + report.mismatches());
        }
    }

    private static <P, R> PortValidator.Report withPlantedBug(Kernel<P, R> kernel, int cases) {
        int id = Native.kernelId(kernel.name());
        Native.plantBug(id, true);
        try {
            return new PortValidator(cases, 7, List.of(2)).validate(kernel);
        } finally {
            Native.plantBug(id, false);
        }
    }

    @Test
    void catchesAPlantedBugInANativeKernelAndShrinksItToASmallCounterexample() {
        PortValidator.Report report = withPlantedBug(Gcd.FAST, 200);
        assertFalse(report.passed());
        // the Java strategies are unaffected; every native one is caught (and AUTO when it picks native code)
        List<Strategy> caught = report.mismatches().stream().map(PortValidator.Mismatch::strategy).toList();
        assertEquals(List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL), caught.subList(0, 2));
        assertTrue(caught.stream().noneMatch(s -> s == Strategy.JAVA_SERIAL || s == Strategy.JAVA_POOL), caught.toString());
        PortValidator.Mismatch m = report.mismatches().get(0);
        assertEquals("gcd_fast", m.kernel());
        assertEquals(7, m.seed());
        assertEquals("1 pairs [(3, 0)]", m.minimalInput()); // the bug fires when a % 7 == 3
        assertEquals("[3]", m.expected());
        assertEquals("[4]", m.actual());
        assertTrue(m.toString().contains("kernel gcd_fast, strategy native-serial, threads 1, seed 7"), m.toString());
    }

    @Test
    void catchesAPlantedBugInTheSieve() {
        PortValidator.Report report = withPlantedBug(Primes.SIEVE, 30);
        assertEquals("[1, 2)", report.mismatches().get(0).minimalInput()); // 1 counted as a prime
        assertEquals("0 primes", report.mismatches().get(0).expected());
        assertEquals("1 primes", report.mismatches().get(0).actual());
    }

    @Test
    void rejectsBadSettings() {
        assertEquals("cases = 0: must be >= 1",
                assertThrows(IllegalArgumentException.class, () -> new PortValidator(0, 1, List.of(1))).getMessage());
        assertEquals("threads = -1: must be between 0 (all cores) and 1024",
                assertThrows(IllegalArgumentException.class, () -> new PortValidator(5, 1, List.of(-1))).getMessage());
    }

    /** A runner that, like AUTO switching strategies, computes a wrong gcd only on every other call. */
    private static final class FlakyRunner implements Runner {
        private int calls;

        @Override
        public Strategy strategy() {
            return Strategy.AUTO;
        }

        @Override
        public int threads() {
            return 2;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <P, R> R run(Kernel<P, R> kernel, P problem, ProgressListener progress) {
            R result = kernel.reference(problem);
            if (calls++ % 2 == 0 && result instanceof long[] gcds && gcds.length > 0) {
                long[] wrong = gcds.clone();
                wrong[0]++;
                return (R) wrong;
            }
            return result;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void reportsWhatTheFailingRunProducedEvenWhenARerunWouldAgree() {
        // issue 8 item 16: the report re-ran the runner, and AUTO could then pick a strategy that agreed
        PortValidator validator = new PortValidator(40, 3, List.of(2));
        PortValidator.Report report = validator.validate(Gcd.FAST, List.of(new FlakyRunner()), done -> { });
        assertEquals(1, report.mismatches().size(), report.mismatches().toString());
        PortValidator.Mismatch m = report.mismatches().get(0);
        assertNotEquals(m.expected(), m.actual(), m.toString());
        assertNotNull(m.difference(), m.toString());
    }
}
