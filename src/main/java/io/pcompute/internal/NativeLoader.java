package io.pcompute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Finds and loads {@code libpcompute}, in this order:
 * <ol>
 *   <li>the file (or directory holding it) named by the system property {@value #LIBRARY_PATH_PROPERTY} —
 *       when set, nothing else is tried, so a user's own build is never silently replaced;</li>
 *   <li>each directory of {@code java.library.path};</li>
 *   <li>the copy inside the jar under {@code native/<os>-<arch>/}, extracted into the directory named by
 *       {@value #EXTRACT_DIR_PROPERTY} (default: a per-user folder in {@code java.io.tmpdir}; point it
 *       elsewhere when that file system is mounted {@code noexec}).</li>
 * </ol>
 * A failure names the platform and every path tried, with the reason each one failed.
 */
public final class NativeLoader {
    public static final String LIBRARY_PATH_PROPERTY = "pcompute.library.path";
    public static final String EXTRACT_DIR_PROPERTY = "pcompute.extract.dir";

    static final String LIBRARY_FILE = System.mapLibraryName("pcompute");

    private final String userPath;
    private final String javaLibraryPath;
    private final Path extractDir;
    private final String platform;
    private final String resourceRoot;

    NativeLoader(String userPath, String javaLibraryPath, Path extractDir, String platform, String resourceRoot) {
        this.userPath = userPath;
        this.javaLibraryPath = javaLibraryPath;
        this.extractDir = extractDir;
        this.platform = platform;
        this.resourceRoot = resourceRoot;
    }

    /** The loader configured from system properties, as the library uses it. */
    static NativeLoader fromSystemProperties() {
        String extract = System.getProperty(EXTRACT_DIR_PROPERTY);
        Path extractDir = extract != null && !extract.isBlank()
                ? Path.of(extract)
                : Path.of(System.getProperty("java.io.tmpdir"),
                        "pcompute-" + System.getProperty("user.name", "user"));
        return new NativeLoader(System.getProperty(LIBRARY_PATH_PROPERTY),
                System.getProperty("java.library.path", ""), extractDir, currentPlatform(), "/native/");
    }

    /** {@code <os>-<arch>} as used for the jar's platform folders, e.g. {@code linux-x86_64}. */
    static String currentPlatform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            os = "linux";
        } else if (os.startsWith("mac")) {
            os = "macos";
        } else if (os.startsWith("windows")) {
            os = "windows";
        }
        arch = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return os + "-" + arch;
    }

    /** Loads the library into this class loader and returns the file it came from. */
    Path load() {
        List<String> tried = new ArrayList<>();
        if (userPath != null && !userPath.isBlank()) {
            Path file = Path.of(userPath);
            if (Files.isDirectory(file)) {
                file = file.resolve(LIBRARY_FILE);
            }
            Path loaded = tryLoad(file, "-D" + LIBRARY_PATH_PROPERTY, tried);
            if (loaded != null) {
                return loaded;
            }
            throw failure(tried, "Fix or unset -D" + LIBRARY_PATH_PROPERTY + " (when set, nothing else is tried).");
        }
        for (String dir : javaLibraryPath.split(java.io.File.pathSeparator)) {
            if (!dir.isBlank()) {
                Path candidate = Path.of(dir).resolve(LIBRARY_FILE);
                if (Files.exists(candidate)) {
                    Path loaded = tryLoad(candidate, "java.library.path", tried);
                    if (loaded != null) {
                        return loaded;
                    }
                } else {
                    tried.add("java.library.path: " + candidate + " (not found)");
                }
            }
        }
        String resource = resourceRoot + platform + "/" + LIBRARY_FILE;
        Path extracted;
        try {
            extracted = extract(resource);
        } catch (IOException | UncheckedIOException e) {
            tried.add("jar resource " + resource + " -> " + extractDir + " (extraction failed: " + e.getMessage() + ")");
            throw failure(tried, "Set -D" + EXTRACT_DIR_PROPERTY + " to a writable directory.");
        }
        if (extracted == null) {
            tried.add("jar resource " + resource + " (not in this jar: it has no build for " + platform + ")");
            throw failure(tried, "Build the library for this platform and point -D" + LIBRARY_PATH_PROPERTY + " at it.");
        }
        Path loaded = tryLoad(extracted, "extracted from jar resource " + resource, tried);
        if (loaded != null) {
            return loaded;
        }
        throw failure(tried, "If " + extractDir + " is on a noexec file system, set -D" + EXTRACT_DIR_PROPERTY
                + " to a directory that allows executables.");
    }

    private static Path tryLoad(Path file, String source, List<String> tried) {
        if (!Files.isRegularFile(file)) {
            tried.add(source + ": " + file + " (not found)");
            return null;
        }
        try {
            System.load(file.toAbsolutePath().toString());
            return file;
        } catch (UnsatisfiedLinkError e) {
            tried.add(source + ": " + file + " (" + e.getMessage() + ")");
            return null;
        }
    }

    private UnsatisfiedLinkError failure(List<String> tried, String advice) {
        StringBuilder message = new StringBuilder("pcompute: cannot load ")
                .append(LIBRARY_FILE).append(" for platform ").append(platform)
                .append(" (os.name=").append(System.getProperty("os.name"))
                .append(", os.arch=").append(System.getProperty("os.arch")).append("). Tried:");
        for (String attempt : tried) {
            message.append("\n  - ").append(attempt);
        }
        return new UnsatisfiedLinkError(message.append("\n").append(advice).toString());
    }

    /**
     * Copies the jar's library into the extraction directory under a name derived from its SHA-256, so
     * concurrent JVMs and different versions never overwrite a file another process has mapped.
     * Returns null when the jar has no library for this platform.
     */
    Path extract(String resource) throws IOException {
        byte[] bytes;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            bytes = in.readAllBytes();
        }
        String hash = HexFormat.of().formatHex(sha256(bytes), 0, 8);
        Files.createDirectories(extractDir);
        Path target = extractDir.resolve("libpcompute-" + hash + ".so");
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                && MessageDigest.isEqual(sha256(Files.readAllBytes(target)), sha256(bytes))) {
            return target;
        }
        Path temp = Files.createTempFile(extractDir, "libpcompute-", ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every Java platform", e);
        }
    }
}
