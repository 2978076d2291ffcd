package io.pcompute.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The process pool's shared memory: one anonymous file ({@code memfd_create}) reserved large and sparse,
 * mapped once by the JVM and by every worker for the pool's whole life, and a first-fit allocator over it.
 * Pages are backed ({@code fallocate}) when a range is allocated, so running out of memory is an exception
 * here rather than a SIGBUS in a copy, and returned to the system ({@code FALLOC_FL_PUNCH_HOLE}) when a
 * large range is freed.
 *
 * <p>Workers map it through {@code /proc/<jvm pid>/fd/<fd>}: the file has no name anyone else could open
 * or plant, and a worker started later (a replacement after a crash) maps the same memory, so segments
 * allocated from it stay valid across worker deaths, which makes them zero-copy job inputs.
 *
 * <p>Lifetime: the mapping is released once the owner has called {@link #release()} and every allocation
 * is freed (a reference count), so a caller's segment never points into unmapped memory. Thread-safe.
 */
public final class SharedMemory {
    /** Reserved bytes of address space (not memory), overridable for tests and small address spaces. */
    public static final String RESERVE_PROPERTY = "pcompute.process.shm.reserve";
    private static final long ALIGN = 64;
    /** Freed ranges at least this large go back to the system; smaller ones stay backed for the next job. */
    private static final long PUNCH_MIN = 16L << 20;
    private static final int MFD_CLOEXEC = 1;
    private static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle MEMFD_CREATE = libc("memfd_create",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle FTRUNCATE = libc("ftruncate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle FALLOCATE = libc("fallocate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = libc("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        MemorySegment address = LINKER.defaultLookup().find(name).orElse(null);
        if (address == null) {
            return null; // reported when used
        }
        return name.equals("strerror") ? LINKER.downcallHandle(address, descriptor)
                : LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO);
    }

    private final int fd;
    private final long reserved;
    private final Arena scope;
    private final MemorySegment mapping;
    private final Path workerPath;
    // guarded by this
    private final TreeMap<Long, Long> free = new TreeMap<>();      // offset -> length, coalesced
    private final TreeMap<Long, Long> allocated = new TreeMap<>(); // offset -> length
    private final Map<Long, Integer> busy = new HashMap<>();      // allocation offset -> jobs using it
    private final Set<Long> freeWhenIdle = new HashSet<>();        // freed by their owner while busy
    private int references = 1; // the owner's, plus one per allocation
    private boolean unmapped;

    private SharedMemory(int fd, long reserved, MemorySegment mapping, Arena scope) {
        this.fd = fd;
        this.reserved = reserved;
        this.mapping = mapping;
        this.scope = scope;
        this.workerPath = Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd);
        free.put(0L, reserved);
    }

    /**
     * Creates and maps an anonymous shared file of {@code reserved} bytes of address space.
     *
     * @throws IllegalStateException naming what failed (memfd_create unavailable, the mapping refused)
     */
    public static SharedMemory create(long reserved) {
        if (reserved <= 0 || reserved % 4096 != 0) {
            throw new IllegalArgumentException("reserved = " + reserved + ": must be a positive multiple of 4096");
        }
        if (MEMFD_CREATE == null || FTRUNCATE == null || FALLOCATE == null || CLOSE == null) {
            throw new IllegalStateException("pcompute process pool: this C library lacks memfd_create/fallocate "
                    + "(Linux 3.17+ with glibc 2.27+ is needed for the shared memory)");
        }
        int fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            fd = (int) MEMFD_CREATE.invokeExact(state, a.allocateFrom("pcompute-process-pool"), MFD_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("pcompute process pool: memfd_create failed: " + errno(state));
            }
            int rc = (int) FTRUNCATE.invokeExact(state, fd, reserved);
            if (rc != 0) {
                String why = errno(state);
                closeFd(fd);
                throw new IllegalStateException("pcompute process pool: cannot size the shared memory to " + reserved
                        + " bytes: " + why + " (set -D" + RESERVE_PROPERTY + " to fewer bytes)");
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pcompute process pool: shared memory: " + t, t);
        }
        Arena scope = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return new SharedMemory(fd, reserved, ch.map(FileChannel.MapMode.READ_WRITE, 0, reserved, scope), scope);
        } catch (IOException | RuntimeException e) {
            scope.close();
            closeFd(fd);
            throw new IllegalStateException("pcompute process pool: cannot map " + reserved + " bytes of shared memory: "
                    + e.getMessage() + " (set -D" + RESERVE_PROPERTY + " to fewer bytes)", e);
        }
    }

    /** The default reservation: this machine's physical memory (no job can use more), at least 1 GiB. */
    public static long defaultReserve() {
        String set = System.getProperty(RESERVE_PROPERTY);
        if (set != null && !set.isBlank()) {
            try {
                long v = Long.parseLong(set.trim());
                if (v > 0 && v <= 1L << 50) {
                    return (v + 4095) & ~4095L;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the error
            }
            throw new IllegalArgumentException("-D" + RESERVE_PROPERTY + "=" + set
                    + ": must be a number of bytes between 1 and 2^50");
        }
        long total = 64L << 30;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    break;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // 64 GiB of address space
        }
        long gib = 1L << 30;
        return Math.max(gib, (total + gib - 1) / gib * gib);
    }

    /** The path a worker opens to map this memory (a /proc magic link to the JVM's descriptor). */
    public Path workerPath() {
        return workerPath;
    }

    /** The bytes of address space reserved (what a worker maps). */
    public long reserved() {
        return reserved;
    }

    /** The JVM's mapping of all of it. */
    public MemorySegment mapping() {
        return mapping;
    }

    /**
     * Allocates {@code bytes} (64-byte aligned) and backs them with memory; returns the offset.
     *
     * @throws IllegalStateException if the reservation is full or the system has no memory for it
     */
    public synchronized long allocate(long bytes) {
        if (unmapped) {
            throw new IllegalStateException("the process pool's shared memory is released");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes = " + bytes + ": must be >= 0");
        }
        if (bytes > reserved) {
            throw new IllegalStateException("pcompute process pool: " + bytes + " bytes do not fit in the " + reserved
                    + " bytes of shared address space reserved (-D" + RESERVE_PROPERTY + ")");
        }
        long size = Math.max(ALIGN, (bytes + ALIGN - 1) & ~(ALIGN - 1));
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long length = e.getValue();
            if (length >= size) {
                long offset = e.getKey();
                back(offset, size);
                // read before the remove: TreeMap may reuse the entry for its successor (review: live ranges
                // were handed out twice)
                free.remove(offset);
                if (length > size) {
                    free.put(offset + size, length - size);
                }
                allocated.put(offset, size);
                references++;
                return offset;
            }
        }
        throw new IllegalStateException("pcompute process pool: " + bytes + " bytes do not fit in the " + reserved
                + " bytes of shared address space reserved (-D" + RESERVE_PROPERTY + ")");
    }

    private void back(long offset, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            int rc = (int) FALLOCATE.invokeExact(state, fd, 0, offset, size);
            if (rc != 0) {
                throw new IllegalStateException("pcompute process pool: no memory for " + size + " bytes of shared memory: "
                        + errno(state));
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("fallocate failed: " + t, t);
        }
    }

    /** Frees the allocation at {@code offset} (once no job uses it); large ranges go back to the system. */
    public synchronized void free(long offset) {
        if (!allocated.containsKey(offset)) {
            throw new IllegalArgumentException("offset " + offset + " is not an allocation of this shared memory");
        }
        if (busy.containsKey(offset)) {
            freeWhenIdle.add(offset);
            return;
        }
        long size = allocated.remove(offset);
        if (size >= PUNCH_MIN && !unmapped) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment state = a.allocate(CALL_STATE);
                // a failed punch only leaves the pages backed until the pool closes
                int ignored = (int) FALLOCATE.invokeExact(state, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, size);
            } catch (Throwable ignored) {
                // the pages stay backed until the pool closes
            }
        }
        long start = offset, length = size;
        Map.Entry<Long, Long> before = free.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == offset) {
            start = before.getKey();
            length += before.getValue();
            free.remove(before.getKey());
        }
        Long after = free.containsKey(offset + size) ? offset + size : null;
        if (after != null) {
            length += free.remove(after);
        }
        free.put(start, length);
        unreference();
    }

    /**
     * The offset of {@code segment} in this memory if it lies wholly inside one live allocation (a caller's
     * segment from {@link #allocate}), or -1. The allocation is then marked in use until {@link #unuse}.
     */
    public synchronized long use(MemorySegment segment) {
        if (unmapped || !segment.isNative()) {
            return -1;
        }
        long offset = segment.address() - mapping.address();
        if (offset < 0 || offset >= reserved || segment.byteSize() > reserved - offset) {
            return -1;
        }
        Map.Entry<Long, Long> a = allocated.floorEntry(offset);
        if (a == null || offset + segment.byteSize() > a.getKey() + a.getValue() || freeWhenIdle.contains(a.getKey())) {
            return -1;
        }
        busy.merge(a.getKey(), 1, Integer::sum);
        return offset;
    }

    /** Ends a {@link #use} of the allocation holding {@code offset}; frees it if its owner freed it meanwhile. */
    public synchronized void unuse(long offset) {
        Map.Entry<Long, Long> a = allocated.floorEntry(offset);
        if (a == null) {
            return;
        }
        long key = a.getKey();
        Integer n = busy.get(key);
        if (n == null) {
            return;
        }
        if (n > 1) {
            busy.put(key, n - 1);
        } else {
            busy.remove(key);
            if (freeWhenIdle.remove(key)) {
                free(key);
            }
        }
    }

    /** The owner lets go; the mapping goes once every allocation is freed too. */
    public synchronized void release() {
        unreference();
    }

    private void unreference() {
        if (--references == 0 && !unmapped) {
            unmapped = true;
            scope.close();
            closeFd(fd);
        }
    }

    private static void closeFd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(a.allocate(CALL_STATE), fd);
        } catch (Throwable ignored) {
            // nothing to do about a failed close
        }
    }

    private static String errno(MemorySegment state) {
        int e = (int) ERRNO.get(state, 0L);
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(e);
            return s.reinterpret(256).getString(0) + " (errno " + e + ")";
        } catch (Throwable t) {
            return "errno " + e;
        }
    }
}
