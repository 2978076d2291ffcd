package io.pcompute;

import io.pcompute.internal.SharedMemory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Review reproducers: the shared memory's allocator and lifetime. */
class SharedMemoryAllocatorTest {
    @AfterEach
    void noWorkerProcessRemains() throws InterruptedException {
        WorkerTestSupport.assertNoneRemain();
    }

    /**
     * SharedMemory.allocate iterates free.entrySet(), calls free.remove(offset) and then reads e.getValue():
     * TreeMap.deleteEntry copies the successor's key/value into a node with two children, so e.getValue()
     * is then the NEXT free range's length and the remainder put back overlaps live memory.
     */
    @Test
    void liveAllocationsNeverOverlap() {
        SharedMemory shm = SharedMemory.create(1L << 20);
        try {
            TreeMap<Long, Long> live = new TreeMap<>(); // offset -> requested bytes
            SplittableRandom r = new SplittableRandom(1);
            for (int step = 0; step < 2000; step++) {
                if (live.isEmpty() || r.nextInt(3) != 0) {
                    long bytes = 64L * (1 + r.nextInt(8));
                    long off;
                    try {
                        off = shm.allocate(bytes);
                    } catch (IllegalStateException full) {
                        continue;
                    }
                    Map.Entry<Long, Long> below = live.floorEntry(off);
                    Map.Entry<Long, Long> above = live.ceilingEntry(off);
                    if (below != null && below.getKey() + below.getValue() > off
                            || above != null && above.getKey() < off + bytes) {
                        fail("step " + step + ": [" + off + ", " + (off + bytes) + ") overlaps live allocation "
                                + (below != null && below.getKey() + below.getValue() > off ? below : above));
                    }
                    live.put(off, bytes);
                } else {
                    List<Long> keys = new ArrayList<>(live.keySet());
                    long off = keys.get(r.nextInt(keys.size()));
                    live.remove(off);
                    shm.free(off);
                }
            }
        } finally {
            shm.release();
        }
    }

    private static long poolMemfds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().contains("pcompute-process-pool");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static long poolMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("pcompute-process-pool")).count();
    }

    /**
     * The engine allocates the slots' control words (references++) and never frees them, so close()'s
     * shm.release() never brings the count to 0: every pool leaks its memfd and its whole reserved mapping
     * (physical-memory-sized address space) for the JVM's life.
     */
    @Test
    @Timeout(60)
    void closingAPoolReleasesItsMemfdAndMapping() throws IOException {
        long fds = poolMemfds(), maps = poolMappings();
        for (int i = 0; i < 3; i++) {
            ProcessPool.create(1).close();
        }
        assertEquals(fds, poolMemfds(), "memfds of closed pools still open");
        assertEquals(maps, poolMappings(), "mappings of closed pools still mapped");
    }

    /** Same, with an allocation that outlives the pool: once its arena closes nothing may remain. */
    @Test
    @Timeout(60)
    void closingThePoolThenTheArenaReleasesEverything() throws IOException {
        long fds = poolMemfds();
        Arena arena = Arena.ofConfined();
        ProcessPool pool = ProcessPool.create(1);
        MemorySegment s = pool.allocate(arena, 128);
        pool.close();
        s.fill((byte) 1);
        arena.close();
        assertEquals(fds, poolMemfds(), "memfd of a closed pool whose allocations are all freed still open");
    }
}
