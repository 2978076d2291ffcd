package io.pcompute.internal;

import io.pcompute.internal.Native;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Long-lived native buffers, reused from call to call. Allocating fresh native memory per call means
 * page-faulting every page on first touch — for large inputs that costs more than the copy itself (it
 * made native strategies 30x slower than Java on 64 MB reductions). A buffer is taken for one call or
 * job and given back when the native side is done with it, never earlier. The memory comes from the C
 * heap, not from an arena: a job's buffer is freed on the completion thread, and freeing must be cheap
 * there (closing a shared arena costs a handshake with every thread, about 0.1 ms).
 */
public final class ScratchPool implements AutoCloseable {
    /** Buffers kept for reuse at most; more (from many concurrent jobs) are freed when given back. */
    private static final int MAX_RETAINED = 4;

    /** One reusable buffer of C heap memory, 64-byte aligned; the pool frees it (any thread may give it back). */
    public static final class Scratch {
        public final MemorySegment memory;

        private Scratch(long bytes) {
            memory = Native.allocate(Math.max(bytes, 4096));
        }

        private void free() {
            Native.free(memory);
        }
    }

    private final Deque<Scratch> free = new ArrayDeque<>();
    private boolean closed;

    /** A buffer of at least {@code bytes}: a retained one when one is large enough, else a new one. */
    public synchronized Scratch take(long bytes) {
        for (Scratch s : free) {
            if (s.memory.byteSize() >= bytes) {
                free.remove(s);
                return s;
            }
        }
        if (!free.isEmpty() && free.size() >= MAX_RETAINED) {
            free.pollFirst().free(); // make room: drop the oldest, too small, buffer
        }
        return new Scratch(bytes + bytes / 4); // headroom, so slightly larger inputs reuse it
    }

    /** Takes back a buffer the native side no longer uses. */
    public synchronized void give(Scratch s) {
        if (closed || free.size() >= MAX_RETAINED) {
            s.free();
        } else {
            free.addLast(s);
        }
    }

    /** Frees the retained buffers; buffers still taken are freed when given back. */
    @Override
    public synchronized void close() {
        closed = true;
        free.forEach(Scratch::free);
        free.clear();
    }
}
