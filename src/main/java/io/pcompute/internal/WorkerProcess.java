package io.pcompute.internal;

import io.pcompute.kernel.Buffers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code pcompute-worker} process and the parent's side of its protocol. The records, their sizes and
 * every code below are defined in {@code native-src/worker/pc_worker_protocol.h}, which is the contract;
 * this class mirrors it (WorkerProtocolTest compares the two).
 *
 * <p>Threads: requests and replies are synchronous; one thread at a time talks to a worker (the process
 * pool's slot thread). {@link #kill()}, {@link #pid()} and {@link #stderrTail()} may be called from any
 * thread. PR_SET_PDEATHSIG ties the worker's life to the <em>thread</em> that started it: start workers
 * from a thread that lives as long as they do (the pool's slot threads do).
 */
public final class WorkerProcess implements AutoCloseable {
    // ---- pc_worker_protocol.h ----
    public static final int MAGIC = 0x4B574350;
    public static final int PROTOCOL_VERSION = 1;
    public static final int PATH_MAX = 4096;
    public static final int SYMBOL_MAX = 256;
    public static final int MESSAGE_MAX = 240;
    static final short HELLO = 1, MAP = 2, LOAD = 3, RUN = 4, BYE = 5, RESULT = 6;
    public static final int HEADER_SIZE = 16;
    public static final int HELLO_SIZE = 16;
    public static final int MAP_SIZE = 8 + PATH_MAX;
    public static final int LOAD_SIZE = PATH_MAX + SYMBOL_MAX;
    public static final int RUN_SIZE = 16 + 4 * 8 + 8 * Buffers.MAX_INPUTS * 2 + 8 * Buffers.MAX_OUTPUTS * 2
            + 8 * Buffers.MAX_PARAMS * 2 + 8 + 8 + 4 + 4 + 8;
    public static final int RESULT_SIZE = 24 + MESSAGE_MAX;
    public static final int KERNEL_BUILTIN = 0, KERNEL_LOADED = 1;
    public static final int HOOK_NONE = 0, HOOK_SEGV = 1, HOOK_ABORT = 2, HOOK_HANG = 3;
    public static final int HELLO_TEST_HOOKS = 1;
    public static final int E_NONE = 0, E_BAD_RECORD = 1, E_BAD_FIELD = 2, E_NO_MAPPING = 3, E_MAP = 4, E_RANGE = 5,
            E_LOAD_LIBRARY = 6, E_LOAD_SYMBOL = 7, E_ABI = 8, E_UNKNOWN_KERNEL = 9, E_NO_TEST_HOOKS = 10, E_KERNEL = 11;
    public static final int EXIT_BYE = 0, EXIT_USAGE = 2, EXIT_PROTOCOL = 3, EXIT_PARENT_GONE = 4, EXIT_ORPHANED = 5;

    /** Bytes of stderr kept for crash reports. */
    static final int STDERR_TAIL_BYTES = 4096;

    /** The worker was gone before it could receive the request (writing it failed): nothing of it ran. */
    public static final class NotDeliveredException extends DiedException {
        private static final long serialVersionUID = 1L;

        NotDeliveredException(String message) {
            super(message);
        }
    }

    /** A RESULT record. */
    public record Result(int status, int error, long badIndex, long value, String message) {
        public boolean ok() {
            return status == 0;
        }
    }

    /** The worker died (or closed its stdout) while a request was outstanding. */
    public static class DiedException extends IOException {
        private static final long serialVersionUID = 1L;

        DiedException(String message) {
            super(message);
        }
    }

    /** What a RUN asks for; offsets are into the mapping, a null slot has offset and bytes 0. */
    public static final class Run {
        public int kernelKind;
        public int kernel;
        public long n, begin, end, chunk;
        public final boolean[] inPresent = new boolean[Buffers.MAX_INPUTS];
        public final long[] inOffset = new long[Buffers.MAX_INPUTS];
        public final long[] inBytes = new long[Buffers.MAX_INPUTS];
        public final boolean[] outPresent = new boolean[Buffers.MAX_OUTPUTS];
        public final long[] outOffset = new long[Buffers.MAX_OUTPUTS];
        public final long[] outBytes = new long[Buffers.MAX_OUTPUTS];
        public final long[] iparam = new long[Buffers.MAX_PARAMS];
        public final double[] dparam = new double[Buffers.MAX_PARAMS];
        public long progressOffset, cancelOffset;
        public int hook;
        public long hookIndex;

        /** A copy of every field. */
        public Run copy() {
            Run r = new Run();
            r.kernelKind = kernelKind;
            r.kernel = kernel;
            r.n = n;
            r.begin = begin;
            r.end = end;
            r.chunk = chunk;
            System.arraycopy(inPresent, 0, r.inPresent, 0, inPresent.length);
            System.arraycopy(inOffset, 0, r.inOffset, 0, inOffset.length);
            System.arraycopy(inBytes, 0, r.inBytes, 0, inBytes.length);
            System.arraycopy(outPresent, 0, r.outPresent, 0, outPresent.length);
            System.arraycopy(outOffset, 0, r.outOffset, 0, outOffset.length);
            System.arraycopy(outBytes, 0, r.outBytes, 0, outBytes.length);
            System.arraycopy(iparam, 0, r.iparam, 0, iparam.length);
            System.arraycopy(dparam, 0, r.dparam, 0, dparam.length);
            r.progressOffset = progressOffset;
            r.cancelOffset = cancelOffset;
            r.hook = hook;
            r.hookIndex = hookIndex;
            return r;
        }
    }

    private final Process process;
    private final OutputStream to;
    private final InputStream from;
    private final byte[] tail = new byte[STDERR_TAIL_BYTES]; // guarded by itself
    private long tailWritten; // guarded by tail
    private int flags; // from HELLO, set before start() returns
    private int kernelAbiVersion;
    private int seq;

    private WorkerProcess(Process process) {
        this.process = process;
        this.to = process.getOutputStream();
        this.from = process.getInputStream();
    }

    /**
     * Starts {@code executable} on the calling thread and reads its HELLO.
     *
     * @throws IOException naming the executable and why it could not start (not found, not executable, a
     *         noexec mount, the worker exiting before its HELLO, with its stderr)
     */
    public static WorkerProcess start(Path executable) throws IOException {
        return start(executable, 1);
    }

    /**
     * As {@link #start(Path)}, with {@code threads} threads running each RUN's chunks ({@code --threads}).
     *
     * @throws IllegalArgumentException if threads is not between 1 and NativePool.MAX_THREADS
     */
    public static WorkerProcess start(Path executable, int threads) throws IOException {
        if (threads < 1 || threads > Limits.MAX_THREADS) {
            throw new IllegalArgumentException("threads = " + threads + ": must be between 1 and " + Limits.MAX_THREADS);
        }
        List<String> command = new ArrayList<>(List.of(executable.toString(), Long.toString(ProcessHandle.current().pid())));
        if (threads > 1) {
            command.add("--threads");
            command.add(Integer.toString(threads));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start the pcompute worker " + executable + ": " + e.getMessage()
                    + " (is it an executable file on a file system mounted without noexec? set -D"
                    + WorkerExecutable.EXTRACT_DIR_PROPERTY + " or -D" + WorkerExecutable.PATH_PROPERTY + ")", e);
        }
        WorkerProcess w = new WorkerProcess(process);
        w.startStderrReader();
        byte[] hello;
        try {
            hello = w.readRecord(HELLO, HELLO_SIZE, null);
        } catch (IOException e) {
            w.kill();
            throw new IOException("the pcompute worker " + executable + " did not start: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(hello).order(ByteOrder.LITTLE_ENDIAN);
        int protocol = b.getInt(0);
        w.kernelAbiVersion = b.getInt(4);
        w.flags = b.getInt(12);
        if (protocol != PROTOCOL_VERSION) {
            w.kill();
            throw new IOException("the pcompute worker " + executable + " speaks protocol " + protocol + ", this library "
                    + PROTOCOL_VERSION);
        }
        return w;
    }

    private void startStderrReader() {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[512];
            try (InputStream err = process.getErrorStream()) {
                int got;
                while ((got = err.read(buf)) > 0) {
                    synchronized (tail) {
                        for (int i = 0; i < got; i++) {
                            tail[(int) (tailWritten++ % tail.length)] = buf[i];
                        }
                    }
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
        }, "pcompute-worker-stderr-" + process.pid());
        t.setDaemon(true);
        t.start();
    }

    /** The last bytes (up to 4 KiB) the worker wrote to stderr, as text. */
    public String stderrTail() {
        synchronized (tail) {
            int len = (int) Math.min(tailWritten, tail.length);
            byte[] out = new byte[len];
            for (int i = 0; i < len; i++) {
                out[i] = tail[(int) ((tailWritten - len + i) % tail.length)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean hasTestHooks() {
        return (flags & HELLO_TEST_HOOKS) != 0;
    }

    public int kernelAbiVersion() {
        return kernelAbiVersion;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the worker (SIGKILL) and waits for it; idempotent. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code millis} for the worker to end, then returns its fate: "signal N (NAME)", "exit
     * status N", or null while it still runs.
     */
    public String fate(long millis) {
        try {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        int code = process.exitValue();
        return code > 128 ? "signal " + (code - 128) + " (" + signalName(code - 128) + ")" : "exit status " + code;
    }

    /** The signal that ended the worker, or 0 if it exited (or still runs). */
    public int signal() {
        if (process.isAlive()) {
            return 0;
        }
        int code = process.exitValue();
        return code > 128 ? code - 128 : 0;
    }

    public static String signalName(int signal) {
        return switch (signal) {
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
    }

    // ---- requests ----

    public Result map(Path file, long size) throws IOException {
        ByteBuffer b = body(MAP_SIZE);
        b.putLong(0, size);
        putString(b, 8, PATH_MAX, file.toString(), "path");
        return call(MAP, b);
    }

    public Result load(Path library, String symbol) throws IOException {
        ByteBuffer b = body(LOAD_SIZE);
        putString(b, 0, PATH_MAX, library.toAbsolutePath().toString(), "library");
        putString(b, PATH_MAX, SYMBOL_MAX, symbol, "symbol");
        return call(LOAD, b);
    }

    public Result run(Run r) throws IOException {
        ByteBuffer b = body(RUN_SIZE);
        int inMask = 0, outMask = 0;
        for (int i = 0; i < Buffers.MAX_INPUTS; i++) {
            inMask |= r.inPresent[i] ? 1 << i : 0;
        }
        for (int i = 0; i < Buffers.MAX_OUTPUTS; i++) {
            outMask |= r.outPresent[i] ? 1 << i : 0;
        }
        b.putInt(r.kernelKind).putInt(r.kernel).putInt(inMask).putInt(outMask);
        b.putLong(r.n).putLong(r.begin).putLong(r.end).putLong(r.chunk);
        for (long v : r.inOffset) b.putLong(v);
        for (long v : r.inBytes) b.putLong(v);
        for (long v : r.outOffset) b.putLong(v);
        for (long v : r.outBytes) b.putLong(v);
        for (long v : r.iparam) b.putLong(v);
        for (double v : r.dparam) b.putDouble(v);
        b.putLong(r.progressOffset).putLong(r.cancelOffset).putInt(r.hook).putInt(0).putLong(r.hookIndex);
        if (b.position() != RUN_SIZE) {
            throw new IllegalStateException("RUN record is " + b.position() + " bytes, expected " + RUN_SIZE);
        }
        return call(RUN, b);
    }

    /** Sends BYE and waits (up to 1 s) for the worker to exit; kills it otherwise. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                call(BYE, body(0));
            }
        } catch (IOException ignored) {
            // gone already
        }
        if (fate(1000) == null) {
            kill();
        }
        try {
            to.close();
        } catch (IOException ignored) {
            // nothing to flush
        }
    }

    private static ByteBuffer body(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void putString(ByteBuffer b, int offset, int cap, String s, String what) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= cap || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " = '" + s + "': must be under " + cap + " bytes, without NUL");
        }
        b.put(offset, bytes);
    }

    private Result call(short type, ByteBuffer body) throws IOException {
        int mySeq = ++seq;
        ByteBuffer h = body(HEADER_SIZE + body.capacity());
        h.putInt(MAGIC).putShort((short) PROTOCOL_VERSION).putShort(type).putInt(body.capacity()).putInt(mySeq);
        h.put(body.array());
        try {
            to.write(h.array());
            to.flush();
        } catch (IOException e) {
            throw new NotDeliveredException("worker " + pid() + " closed its stdin: " + e.getMessage());
        }
        int[] gotSeq = new int[1];
        ByteBuffer r = ByteBuffer.wrap(readRecord(RESULT, RESULT_SIZE, gotSeq)).order(ByteOrder.LITTLE_ENDIAN);
        if (gotSeq[0] != mySeq) {
            throw new IOException("worker " + pid() + " answered request " + gotSeq[0] + ", expected " + mySeq);
        }
        byte[] msg = new byte[MESSAGE_MAX];
        r.get(24, msg);
        int len = 0;
        while (len < msg.length && msg[len] != 0) len++;
        return new Result(r.getInt(0), r.getInt(4), r.getLong(8), r.getLong(16),
                new String(msg, 0, len, StandardCharsets.UTF_8));
    }

    private byte[] readRecord(short type, int size, int[] seqOut) throws IOException {
        byte[] header = readFully(HEADER_SIZE);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int magic = h.getInt(0), version = h.getShort(4), gotType = h.getShort(6), length = h.getInt(8);
        if (magic != MAGIC || version != PROTOCOL_VERSION || gotType != type || length != size) {
            throw new IOException(String.format("worker %d sent an unexpected record: magic 0x%08x version %d type %d "
                    + "length %d (expected type %d, length %d)", pid(), magic, version, gotType, length, type, size));
        }
        if (seqOut != null) {
            seqOut[0] = h.getInt(12);
        }
        return readFully(size);
    }

    private byte[] readFully(int size) throws IOException {
        byte[] buf = new byte[size];
        int off = 0;
        while (off < size) {
            int got;
            try {
                got = from.read(buf, off, size - off);
            } catch (IOException e) {
                got = -1;
            }
            if (got < 0) {
                throw new DiedException("worker " + pid() + " closed its stdout" + (off > 0 ? " inside a record" : ""));
            }
            off += got;
        }
        return buf;
    }

    /** Every live worker process of this JVM's pools is a child of this process: for tests and diagnostics. */
    public static List<ProcessHandle> childWorkers() {
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle.current().children().forEach(p -> {
            if (p.info().command().map(c -> c.contains("pcompute-worker")).orElse(false)) {
                out.add(p);
            }
        });
        return out;
    }
}
