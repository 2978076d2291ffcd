package io.pcompute;

import io.pcompute.kernel.Pairs;
import io.pcompute.kernels.Gcd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Review probes that held: no pipe descriptors pile up; allocate with odd arenas. */
class ProcessPoolLeakTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    private static List<String> fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "?";
                }
            }).filter(l -> !l.contains("pcompute-process-pool") && !l.equals("?")).sorted().toList();
        }
    }

    @Test
    @Timeout(120)
    void replacedWorkersAndClosedPoolsLeaveNoDescriptors() throws Exception {
        long[] a = {12, 35, 9, 100};
        long[] b = {18, 14, 6, 75};
        try (ProcessPool warm = ProcessPool.create(1)) {
            warm.run(Gcd.FAST, new Pairs(a, b));
        }
        Thread.sleep(200);
        List<String> before = fds();
        for (int round = 0; round < 3; round++) {
            try (ProcessPool pool = ProcessPool.builder().workers(2).threadsPerWorker(2).build()) {
                for (int k = 0; k < 3; k++) {
                    for (long victim : pool.workerPids()) {
                        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                        ProcessHandle.of(victim).ifPresent(p -> p.onExit().join());
                    }
                    assertArrayEquals(new long[] {6, 7, 3, 25}, pool.run(Gcd.FAST, new Pairs(a, b)));
                    try (Arena arena = Arena.ofConfined()) {
                        pool.allocate(arena, 1 << 20);
                    }
                }
            }
        }
        Thread.sleep(500);
        assertEquals(before, fds());
    }

    @Test
    @Timeout(60)
    void allocateWithAnArenaConfinedToAnotherThreadFailsAndLeaksNothing() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            Arena other = CompletableFuture.supplyAsync(Arena::ofConfined).get();
            assertThrows(WrongThreadException.class, () -> pool.allocate(other, 4096));
            try (Arena mine = Arena.ofConfined()) {
                MemorySegment first = pool.allocate(mine, 64);
                MemorySegment s = pool.allocate(Arena.ofAuto(), 64);
                MemorySegment g = pool.allocate(Arena.global(), 64);
            }
        }
    }
}
