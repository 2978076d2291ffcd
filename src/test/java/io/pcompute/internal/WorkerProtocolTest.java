package io.pcompute.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WorkerProcess mirrors native-src/worker/pc_worker_protocol.h, the protocol's only definition: its
 * constants are compared with the header's, and a real worker answers the records Java builds.
 */
class WorkerProtocolTest {
    private static final Path PROJECT = Path.of(System.getProperty("pcompute.project.dir", "."));

    private static Map<String, Long> headerConstants() throws IOException {
        String text = Files.readString(PROJECT.resolve("native-src/worker/pc_worker_protocol.h"));
        Map<String, Long> out = new HashMap<>();
        Matcher define = Pattern.compile("#define (PCW_\\w+) (0x[0-9A-Fa-f]+|\\d+)u?\\b").matcher(text);
        while (define.find()) {
            out.put(define.group(1), Long.decode(define.group(2)));
        }
        Matcher enumerator = Pattern.compile("\\b(PCW_\\w+) = (\\d+)").matcher(text);
        while (enumerator.find()) {
            out.put(enumerator.group(1), Long.parseLong(enumerator.group(2)));
        }
        return out;
    }

    @Test
    void constantsMatchTheProtocolHeader() throws IOException {
        Map<String, Long> h = headerConstants();
        Map<String, Long> java = new HashMap<>();
        java.put("PCW_MAGIC", (long) WorkerProcess.MAGIC);
        java.put("PCW_PROTOCOL_VERSION", (long) WorkerProcess.PROTOCOL_VERSION);
        java.put("PCW_PATH_MAX", (long) WorkerProcess.PATH_MAX);
        java.put("PCW_SYMBOL_MAX", (long) WorkerProcess.SYMBOL_MAX);
        java.put("PCW_MESSAGE_MAX", (long) WorkerProcess.MESSAGE_MAX);
        java.put("PCW_HELLO", (long) WorkerProcess.HELLO);
        java.put("PCW_MAP", (long) WorkerProcess.MAP);
        java.put("PCW_LOAD", (long) WorkerProcess.LOAD);
        java.put("PCW_RUN", (long) WorkerProcess.RUN);
        java.put("PCW_BYE", (long) WorkerProcess.BYE);
        java.put("PCW_RESULT", (long) WorkerProcess.RESULT);
        java.put("PCW_KERNEL_BUILTIN", (long) WorkerProcess.KERNEL_BUILTIN);
        java.put("PCW_KERNEL_LOADED", (long) WorkerProcess.KERNEL_LOADED);
        java.put("PCW_HOOK_SEGV", (long) WorkerProcess.HOOK_SEGV);
        java.put("PCW_HOOK_ABORT", (long) WorkerProcess.HOOK_ABORT);
        java.put("PCW_HOOK_HANG", (long) WorkerProcess.HOOK_HANG);
        java.put("PCW_HELLO_TEST_HOOKS", (long) WorkerProcess.HELLO_TEST_HOOKS);
        java.put("PCW_E_KERNEL", (long) WorkerProcess.E_KERNEL);
        java.put("PCW_E_ABI", (long) WorkerProcess.E_ABI);
        java.put("PCW_EXIT_PARENT_GONE", (long) WorkerProcess.EXIT_PARENT_GONE);
        java.put("PCW_EXIT_PROTOCOL", (long) WorkerProcess.EXIT_PROTOCOL);
        for (Map.Entry<String, Long> e : java.entrySet()) {
            assertEquals(h.get(e.getKey()), e.getValue(), e.getKey() + ": Java and pc_worker_protocol.h differ");
        }
    }

    /** The records' sizes: a wrong one makes the worker answer PCW_E_BAD_RECORD and exit. */
    @Test
    @Timeout(30)
    void aWorkerAcceptsTheRecordsJavaBuilds() throws IOException {
        try (WorkerProcess w = WorkerProcess.start(WorkerExecutable.locate())) {
            assertEquals(Native.kernelAbiVersion(), w.kernelAbiVersion());
            WorkerProcess.Result r = w.run(new WorkerProcess.Run()); // kernel 0: unknown, but a well-formed record
            assertEquals(WorkerProcess.E_UNKNOWN_KERNEL, r.error(), r.message());
            r = w.map(Path.of("/nonexistent-pcompute-shm"), 4096);
            assertEquals(WorkerProcess.E_MAP, r.error(), r.message());
            assertTrue(r.message().contains("/nonexistent-pcompute-shm"), r.message());
            r = w.load(Path.of("/nonexistent/libk.so"), "k");
            assertEquals(WorkerProcess.E_LOAD_LIBRARY, r.error(), r.message());
        }
    }

    @Test
    void theLocatedWorkerIsExecutableAndFindsItsLibrary() {
        Path exe = WorkerExecutable.locate();
        assertTrue(Files.isExecutable(exe), exe.toString());
        assertTrue(Files.isRegularFile(exe.resolveSibling(NativeLoader.LIBRARY_FILE)), "no library beside " + exe);
    }

    @Test
    void aWorkerThatCannotRunIsNamedWithTheFix(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path notExecutable = Files.createFile(dir.resolve("pcompute-worker"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        IOException e = assertThrows(IOException.class, () -> WorkerProcess.start(notExecutable));
        assertTrue(e.getMessage().contains(notExecutable.toString()) && e.getMessage().contains("noexec")
                && e.getMessage().contains(WorkerExecutable.PATH_PROPERTY), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> WorkerProcess.start(dir.resolve("absent")));
        assertTrue(missing.getMessage().contains(dir.resolve("absent").toString()), missing.getMessage());
    }
}
