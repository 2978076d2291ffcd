package io.pcompute;

import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 8 item 12: every runner, used after close(), throws the same IllegalStateException and opens nothing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunnerCloseTest {
    private static final long[] A = {12, 35, 1071};
    private static final long[] B = {18, 49, 462};

    @Test
    void everyStrategyThrowsIllegalStateExceptionAfterClose() {
        for (Strategy s : Strategy.values()) {
            Runner runner = s.open(2);
            assertArrayEquals(new long[] {6, 7, 21}, runner.apply(Gcd.FAST, A, B), s.label());
            runner.close();
            runner.close(); // idempotent
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> runner.apply(Gcd.FAST, A, B), s.label());
            assertEquals("this " + s.label() + " runner is closed", e.getMessage());
        }
    }

    @Test
    void autoClosedBeforeItsFirstRunOpensNoPool() throws IOException {
        // AUTO times the pools first on a fresh size group: after close it used to open them and leak them
        long[] a = TestData.random(1, 100_000, 1, Long.MAX_VALUE);
        long[] b = TestData.random(2, 100_000, 1, Long.MAX_VALUE);
        long before = osThreads();
        for (int i = 0; i < 20; i++) {
            Runner auto = Strategy.AUTO.open(2);
            auto.close();
            assertThrows(IllegalStateException.class, () -> auto.apply(Gcd.FAST, a, b));
        }
        long after = osThreads();
        // 20 leaked pools would add at least 40 threads; allow a few for the JVM's own (JIT, GC)
        assertTrue(after <= before + 5, "threads " + before + " -> " + after);
    }

    /** Threads of this process as the OS sees them: Java threads and the native pools' pthreads. */
    private static long osThreads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.count();
        }
    }
}
