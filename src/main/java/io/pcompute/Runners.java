package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The four {@link Strategy} implementations. */
final class Runners {
    private Runners() {}

    /** Computes items [begin, end) with the Java reference. */
    private static void reference(Kernel kernel, long[] a, long[] b, long[] out, int begin, int end) {
        for (int k = begin; k < end; k++) {
            out[k] = kernel.reference(a[k], b[k]);
        }
    }

    static final class JavaSerial implements Runner {
        @Override
        public Strategy strategy() {
            return Strategy.JAVA_SERIAL;
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        public long[] apply(Kernel kernel, long[] a, long[] b, ProgressListener progress) {
            Kernel.requireNonNull(kernel, "kernel");
            kernel.validate(a, b);
            Kernel.requireNonNull(progress, "progress");
            long[] out = new long[a.length];
            int chunk = (int) Math.min(Integer.MAX_VALUE, kernel.chunkSize(a.length, 1));
            for (int begin = 0; begin < a.length; begin += chunk) {
                int end = (int) Math.min(a.length, (long) begin + chunk);
                reference(kernel, a, b, out, begin, end);
                progress.advance(end - begin);
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    /** Java threads pulling chunks from a shared counter, as the native pool's workers do. */
    static final class JavaPool implements Runner {
        private final int threads;
        private final ExecutorService executor;

        JavaPool(int threads) {
            this.threads = threads;
            AtomicInteger ids = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "pcompute-java-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.executor = Executors.newFixedThreadPool(threads, factory);
        }

        @Override
        public Strategy strategy() {
            return Strategy.JAVA_POOL;
        }

        @Override
        public int threads() {
            return threads;
        }

        @Override
        public long[] apply(Kernel kernel, long[] a, long[] b, ProgressListener progress) {
            Kernel.requireNonNull(kernel, "kernel");
            kernel.validate(a, b);
            Kernel.requireNonNull(progress, "progress");
            long[] out = new long[a.length];
            long chunk = kernel.chunkSize(a.length, threads);
            AtomicLong next = new AtomicLong();
            List<Future<?>> workers = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
                workers.add(executor.submit(() -> {
                    long begin;
                    while ((begin = next.getAndAdd(chunk)) < a.length) {
                        int end = (int) Math.min(a.length, begin + chunk);
                        reference(kernel, a, b, out, (int) begin, end);
                        progress.advance(end - begin);
                    }
                }));
            }
            try {
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } catch (InterruptedException e) {
                workers.forEach(w -> w.cancel(true));
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for the Java pool");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
            return out;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    /**
     * One downcall on the calling thread. Short calls pass the Java arrays zero-copy through a critical
     * handle; longer ones copy into native memory so that the garbage collector is never held up.
     */
    static final class NativeSerial implements Runner {
        @Override
        public Strategy strategy() {
            return Strategy.NATIVE_SERIAL;
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        public long[] apply(Kernel kernel, long[] a, long[] b, ProgressListener progress) {
            Kernel.requireNonNull(kernel, "kernel");
            kernel.validate(a, b);
            Kernel.requireNonNull(progress, "progress");
            long[] out;
            long[] badIndex = new long[1];
            int status;
            if (kernel.isShortCall(a.length)) {
                out = new long[a.length];
                status = Native.runPairsCritical(kernel.nativeId(), a, b, out, badIndex);
            } else {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_LONG, a);
                    MemorySegment sb = arena.allocateFrom(ValueLayout.JAVA_LONG, b);
                    MemorySegment so = arena.allocate(ValueLayout.JAVA_LONG, a.length);
                    status = Native.run(kernel.nativeId(), Native.pairArgs(arena, sa, sb, so), a.length, badIndex);
                    out = so.toArray(ValueLayout.JAVA_LONG);
                }
            }
            if (status != Native.PC_OK) { // validated above, so only a Java/C disagreement gets here
                throw Segments.badInput(kernel, MemorySegment.ofArray(a), MemorySegment.ofArray(b), badIndex[0]);
            }
            progress.advance(a.length);
            return out;
        }

        @Override
        public void close() {
        }
    }

    static final class NativePoolRunner implements Runner {
        private static final Duration POLL = Duration.ofMillis(100);
        private final NativePool pool;

        NativePoolRunner(NativePool pool) {
            this.pool = pool;
        }

        @Override
        public Strategy strategy() {
            return Strategy.NATIVE_POOL;
        }

        @Override
        public int threads() {
            return pool.threads();
        }

        @Override
        public long[] apply(Kernel kernel, long[] a, long[] b, ProgressListener progress) {
            Kernel.requireNonNull(progress, "progress");
            if (progress == ProgressListener.NONE) {
                return pool.run(kernel, a, b);
            }
            Job<long[]> job = pool.submit(kernel, a, b);
            long reported = 0;
            try {
                while (true) {
                    try {
                        long[] out = job.await(POLL);
                        progress.advance(job.total() - reported);
                        return out;
                    } catch (TimeoutException e) {
                        long done = job.done();
                        progress.advance(done - reported);
                        reported = done;
                    }
                }
            } catch (InterruptedException e) {
                job.cancel();
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for the native pool");
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
