package io.pcompute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Finds the {@code pcompute-worker} executable the process pool starts, in this order:
 * <ol>
 *   <li>the file named by {@value #PATH_PROPERTY} (when set, nothing else is tried);</li>
 *   <li>{@code pcompute-worker} next to the loaded {@code libpcompute.so}, when the library was loaded
 *       from a directory under its own name (a user's build, {@code java.library.path});</li>
 *   <li>the jar's {@code native/<platform>/pcompute-worker}, extracted together with the jar's
 *       {@code libpcompute.so} into one directory named after both files' hash (the worker finds the library
 *       through its rpath {@code $ORIGIN}), under {@value #EXTRACT_DIR_PROPERTY} or NativeLoader's default.</li>
 * </ol>
 * Kept apart from NativeLoader on purpose: the library loader is hardened separately.
 */
public final class WorkerExecutable {
    public static final String PATH_PROPERTY = "pcompute.worker.path";
    public static final String EXTRACT_DIR_PROPERTY = NativeLoader.EXTRACT_DIR_PROPERTY;
    static final String WORKER_FILE = "pcompute-worker";

    private WorkerExecutable() {}

    private static volatile Path located;

    /**
     * The worker executable, located once per JVM.
     *
     * @throws IllegalStateException naming every path tried and the fix
     */
    public static Path locate() {
        Path p = located;
        if (p == null) {
            synchronized (WorkerExecutable.class) {
                p = located;
                if (p == null) {
                    p = find();
                    located = p;
                }
            }
        }
        return p;
    }

    private static Path find() {
        String user = System.getProperty(PATH_PROPERTY);
        if (user != null && !user.isBlank()) {
            Path file = Path.of(user).toAbsolutePath();
            if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
                throw new IllegalStateException("pcompute: -D" + PATH_PROPERTY + "=" + file
                        + " is not an executable file. Fix or unset it (when set, nothing else is tried).");
            }
            return file;
        }
        Path library = Native.libraryFile().toAbsolutePath();
        Path beside = library.resolveSibling(WORKER_FILE);
        if (library.getFileName().toString().equals(NativeLoader.LIBRARY_FILE) && Files.isRegularFile(beside)
                && Files.isExecutable(beside)) {
            return beside;
        }
        String platform = NativeLoader.currentPlatform();
        String root = "/native/" + platform + "/";
        try {
            byte[] worker = resource(root + WORKER_FILE);
            byte[] lib = resource(root + NativeLoader.LIBRARY_FILE);
            if (worker == null || lib == null) {
                throw new IllegalStateException("pcompute: no " + WORKER_FILE + " for platform " + platform + ": not beside "
                        + library + " and not in the jar (" + root + "). Build native-src (target pcompute-worker) and set -D"
                        + PATH_PROPERTY + ".");
            }
            return extract(extractDir(), worker, lib);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("pcompute: cannot extract " + WORKER_FILE + " into " + extractDir() + ": "
                    + e.getMessage() + ". Set -D" + EXTRACT_DIR_PROPERTY + " to a writable directory.", e);
        }
    }

    private static Path extractDir() {
        return NativeLoader.fromSystemProperties().extractDir();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WorkerExecutable.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * Writes worker + library into dir/worker-HASH/, hardened as NativeLoader extracts the library: the
     * extraction directory must be private to the user, the copy is built aside and renamed into place, and
     * an existing copy is used only if both files match the jar's bytes (SHA-256).
     */
    static Path extract(Path dir, byte[] worker, byte[] lib) throws IOException {
        String hash = HexFormat.of().formatHex(sha256(worker, lib), 0, 8);
        NativeLoader.FileSafety.privateDirectory(dir, EXTRACT_DIR_PROPERTY);
        Path target = dir.resolve("worker-" + hash);
        Path exe = target.resolve(WORKER_FILE);
        if (matches(target, worker, lib)) {
            return exe;
        }
        Path temp = Files.createTempDirectory(dir, "worker-tmp-"); // mode 0700
        try {
            Files.write(temp.resolve(NativeLoader.LIBRARY_FILE), lib);
            Path tempExe = temp.resolve(WORKER_FILE);
            Files.write(tempExe, worker);
            Files.setPosixFilePermissions(tempExe, PosixFilePermissions.fromString("rwx------"));
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(target); // a partial or altered copy
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            } catch (IOException e) {
                if (!matches(target, worker, lib)) { // unless another JVM just put the same copy there
                    throw e;
                }
            }
        } finally {
            deleteTree(temp);
        }
        if (!matches(target, worker, lib)) {
            throw new IOException(target + " does not match the jar's worker and library (SHA-256) after extraction");
        }
        return exe;
    }

    private static boolean matches(Path target, byte[] worker, byte[] lib) throws IOException {
        Path exe = target.resolve(WORKER_FILE);
        Path library = target.resolve(NativeLoader.LIBRARY_FILE);
        return Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(exe, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(exe)
                && Files.isRegularFile(library, LinkOption.NOFOLLOW_LINKS)
                && Arrays.equals(Files.readAllBytes(exe), worker) && Arrays.equals(Files.readAllBytes(library), lib);
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                sha.update(p);
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every Java platform", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (Files.isSymbolicLink(dir)) {
            Files.delete(dir);
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
