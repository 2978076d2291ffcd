package io.pcompute.internal;

import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AUTO with no usable native library: it computes with the Java strategies from the first call and says why
 * once (issue 12: it used to succeed three times, then throw UnsatisfiedLinkError). Runs in a child JVM whose
 * pcompute.library.path names a file that does not exist, so nothing else can be loaded.
 */
class AutoWithoutNativeLibraryTest {
    /** The child: 40 AUTO calls, each checked against the reference. */
    public static final class Child {
        public static void main(String[] args) {
            long[] a = {1963309, 2030677, 1551645, 12, 1};
            long[] b = {2265973, 3814172, 2229620, 18, 1};
            long[] expected = Gcd.BRUTE.reference(new io.pcompute.kernel.Pairs(a, b));
            try (Runner auto = Strategy.AUTO.open(2)) {
                for (int i = 0; i < 40; i++) {
                    long[] got = auto.apply(Gcd.BRUTE, a, b);
                    if (!Arrays.equals(expected, got)) {
                        System.out.println("call " + i + " returned " + Arrays.toString(got));
                        System.exit(3);
                    }
                }
            }
            System.out.println("40 calls ok");
        }
    }

    @Test
    @Timeout(120)
    void autoUsesTheJavaStrategiesFromTheFirstCallAndSaysWhyOnce() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Dpcompute.library.path=/nonexistent/libpcompute.so", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("40 calls ok"), out);
        int warnings = out.split("AUTO runs the Java strategies only", -1).length - 1;
        assertEquals(1, warnings, out);
        assertTrue(out.contains("/nonexistent/libpcompute.so"), "the warning says which library failed:\n" + out);
    }
}
