package io.pcompute.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "All cores" means the same in C and in Java: pc_cpu_count() (affinity capped by the cgroup CPU quota,
 * see native-src/src/pc_cpu.c, tested against fake cgroup trees by ctest pcompute_cpu_tests) against the
 * JVM's own reading of the same limits. Holds unless the JVM is told otherwise (-XX:ActiveProcessorCount).
 */
class CpuCountTest {
    @Test
    void nativeCpuCountEqualsAvailableProcessors() {
        assertEquals(Runtime.getRuntime().availableProcessors(), Native.cpuCount(),
                "pc_cpu_count() vs Runtime.availableProcessors()");
    }
}
