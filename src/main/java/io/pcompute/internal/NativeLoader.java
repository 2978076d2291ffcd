package io.pcompute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 * Every candidate must prove it is the library this jar was built with before it is loaded: it is opened
 * on its own first ({@code dlopen}, not yet bound to Java) and its {@code pc_build_id()} must equal the id
 * the jar ships beside its copy ({@code native/<os>-<arch>/libpcompute.so.buildid}); a file without that
 * symbol (another library) or of another build is refused. {@value #BUILD_ID_PROPERTY} accepts another
 * build deliberately: its exact id, or {@code any}. A candidate writable by other users (or in a
 * directory they can write to) is refused too.
 * <p>
 * The extraction directory must be private to the user: it is created with mode 0700, and an existing one
 * must not be a symbolic link, must belong to this user and must not be writable by group or others —
 * otherwise another local user could plant a library there. The extracted file is compared with the
 * jar's copy (SHA-256) before it is loaded.
 * <p>
 * A failure names the platform and every path tried, with the reason each one failed.
 */
public final class NativeLoader {
    public static final String LIBRARY_PATH_PROPERTY = "pcompute.library.path";
    public static final String EXTRACT_DIR_PROPERTY = "pcompute.extract.dir";
    /** Accepts a library of another build: its exact build id, or {@code any}. */
    public static final String BUILD_ID_PROPERTY = "pcompute.library.buildid";

    static final String LIBRARY_FILE = System.mapLibraryName("pcompute");
    static final String BUILD_ID_SUFFIX = ".buildid";

    private final String userPath;
    private final String javaLibraryPath;
    private final Path extractDir;
    private final String platform;
    private final String resourceRoot;
    private final String acceptBuildId;

    NativeLoader(String userPath, String javaLibraryPath, Path extractDir, String platform, String resourceRoot) {
        this(userPath, javaLibraryPath, extractDir, platform, resourceRoot, null);
    }

    NativeLoader(String userPath, String javaLibraryPath, Path extractDir, String platform, String resourceRoot,
                 String acceptBuildId) {
        this.userPath = userPath;
        this.javaLibraryPath = javaLibraryPath;
        this.extractDir = extractDir;
        this.platform = platform;
        this.resourceRoot = resourceRoot;
        this.acceptBuildId = acceptBuildId == null || acceptBuildId.isBlank() ? null : acceptBuildId.strip();
    }

    /** The loader configured from system properties, as the library uses it. */
    static NativeLoader fromSystemProperties() {
        String extract = System.getProperty(EXTRACT_DIR_PROPERTY);
        Path extractDir = extract != null && !extract.isBlank()
                ? Path.of(extract)
                : Path.of(System.getProperty("java.io.tmpdir"),
                        "pcompute-" + System.getProperty("user.name", "user"));
        return new NativeLoader(System.getProperty(LIBRARY_PATH_PROPERTY),
                System.getProperty("java.library.path", ""), extractDir, currentPlatform(), "/native/",
                System.getProperty(BUILD_ID_PROPERTY));
    }

    /** Where jar resources are extracted to (the process pool's worker goes there too). */
    Path extractDir() {
        return extractDir;
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
        String resource = resourceRoot + platform + "/" + LIBRARY_FILE;
        String shippedId = shippedBuildId(resource);
        if (userPath != null && !userPath.isBlank()) {
            Path file = Path.of(userPath);
            if (Files.isDirectory(file)) {
                file = file.resolve(LIBRARY_FILE);
            }
            Path loaded = tryLoad(file, "-D" + LIBRARY_PATH_PROPERTY, expectedFor(shippedId), tried);
            if (loaded != null) {
                return loaded;
            }
            throw failure(tried, "Fix or unset -D" + LIBRARY_PATH_PROPERTY + " (when set, nothing else is tried).", null);
        }
        for (String dir : javaLibraryPath.split(java.io.File.pathSeparator)) {
            if (!dir.isBlank()) {
                Path candidate = Path.of(dir).resolve(LIBRARY_FILE);
                if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                    Path loaded = tryLoad(candidate, "java.library.path", expectedFor(shippedId), tried);
                    if (loaded != null) {
                        return loaded;
                    }
                } else {
                    tried.add("java.library.path: " + candidate + " (not found)");
                }
            }
        }
        Path extracted;
        try {
            extracted = extract(resource);
        } catch (IOException | UncheckedIOException e) {
            tried.add("jar resource " + resource + " -> " + extractDir + " (extraction failed: " + e.getMessage() + ")");
            throw failure(tried, "Set -D" + EXTRACT_DIR_PROPERTY + " to a writable directory of your own (mode 0700).", e);
        }
        if (extracted == null) {
            tried.add("jar resource " + resource + " (not in this jar: it has no build for " + platform + ")");
            throw failure(tried, "Build the library for this platform and point -D" + LIBRARY_PATH_PROPERTY + " at it.", null);
        }
        // the jar's own copy must be the build the jar names, whatever -Dpcompute.library.buildid says
        Path loaded = tryLoad(extracted, "extracted from jar resource " + resource, shippedId, tried);
        if (loaded != null) {
            return loaded;
        }
        throw failure(tried, "If " + extractDir + " is on a noexec file system, set -D" + EXTRACT_DIR_PROPERTY
                + " to a directory that allows executables.", null);
    }

    /** The build id a library found on a path must have: the jar's, unless the user accepted another. */
    private String expectedFor(String shippedId) {
        if (acceptBuildId == null) {
            return shippedId;
        }
        return acceptBuildId.equals("any") ? null : acceptBuildId;
    }

    /** The build id the jar ships beside its copy of the library, or null when it ships none. */
    static String shippedBuildId(String resource) {
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource + BUILD_ID_SUFFIX)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the jar resource " + resource + BUILD_ID_SUFFIX, e);
        }
    }

    /**
     * Checks {@code file} and loads it; on failure adds the reason to {@code tried} and returns null.
     * {@code expectedId} null: any libpcompute build is accepted.
     */
    private Path tryLoad(Path file, String source, String expectedId, List<String> tried) {
        if (!Files.isRegularFile(file)) {
            tried.add(source + ": " + file + " (not found)");
            return null;
        }
        String unsafe = FileSafety.writableByOthers(file);
        if (unsafe != null) {
            tried.add(source + ": " + file + " (refused: " + unsafe + ", so another user could replace it)");
            return null;
        }
        String refusal = identify(file, expectedId);
        if (refusal != null) {
            tried.add(source + ": " + file + " (" + refusal + ")");
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

    /**
     * Opens {@code file} on its own (RTLD_LOCAL, not bound to this class loader) and checks that it is a
     * libpcompute of build {@code expectedId} (any build when null). Returns null when it is, else why not.
     */
    static String identify(Path file, String expectedId) {
        String found;
        try {
            found = Dl.buildId(file);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        if (found == null) {
            return "not libpcompute: the file has no pc_build_id symbol (pc_version: "
                    + (Dl.hasSymbol(file, "pc_version") ? "present, an older libpcompute" : "absent") + ")";
        }
        if (expectedId != null && !expectedId.equals(found)) {
            return "refused: it is libpcompute build " + found + " but this jar's library is build " + expectedId
                    + "; to use that build deliberately, set -D" + BUILD_ID_PROPERTY + "=" + found
                    + " (or =any)";
        }
        return null;
    }

    private UnsatisfiedLinkError failure(List<String> tried, String advice, Throwable cause) {
        StringBuilder message = new StringBuilder("pcompute: cannot load ")
                .append(LIBRARY_FILE).append(" for platform ").append(platform)
                .append(" (os.name=").append(System.getProperty("os.name"))
                .append(", os.arch=").append(System.getProperty("os.arch")).append("). Tried:");
        for (String attempt : tried) {
            message.append("\n  - ").append(attempt);
        }
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message.append("\n").append(advice).toString());
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }

    /**
     * Copies the jar's library into the extraction directory under a name derived from its SHA-256, so
     * concurrent JVMs and different versions never overwrite a file another process has mapped. The
     * directory is checked to be private to this user first ({@link FileSafety#privateDirectory}), and the
     * copy is compared with the jar's bytes after it is written or reused.
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
        byte[] digest = sha256(bytes);
        String hash = HexFormat.of().formatHex(digest, 0, 8);
        FileSafety.privateDirectory(extractDir, EXTRACT_DIR_PROPERTY);
        Path target = extractDir.resolve("libpcompute-" + hash + ".so");
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == bytes.length
                && MessageDigest.isEqual(sha256(Files.readAllBytes(target)), digest)) {
            return target;
        }
        Path temp = Files.createTempFile(extractDir, "libpcompute-", ".tmp"); // mode 0600
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
        if (Files.isSymbolicLink(target) || !MessageDigest.isEqual(sha256(Files.readAllBytes(target)), digest)) {
            throw new IOException(target + " does not match the jar's " + resource + " (SHA-256) after extraction");
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

    /** Who may write a file or directory, checked through the POSIX attributes ({@code unix:*}). */
    static final class FileSafety {
        private static final int GROUP_WRITE = 0020;
        private static final int OTHERS_WRITE = 0002;
        private static final int STICKY = 01000;

        private FileSafety() {}

        /**
         * Makes sure {@code dir} is private to this user: created with mode 0700 if absent; if present it
         * must be a directory (not a symbolic link) owned by this user and not writable by group or others,
         * and no directory above it may be writable by others without the sticky bit (such a parent lets
         * another user rename it away and put their own in its place). Nothing is checked on file systems
         * without POSIX attributes. Throws naming the directory, the reason and {@code property}.
         */
        static void privateDirectory(Path dir, String property) throws IOException {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("unix");
            try {
                if (posix) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (FileAlreadyExistsException e) {
                // checked below, as it was made by someone else or by an earlier run
            }
            if (!posix) {
                return;
            }
            String advice = "; another user could plant a library there. Set -D" + property
                    + " to a directory of your own that only you can write to (mode 0700).";
            if (Files.isSymbolicLink(dir)) {
                throw new IOException("the extraction directory " + dir + " is a symbolic link (to "
                        + Files.readSymbolicLink(dir) + ")" + advice);
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("the extraction directory " + dir + " is not a directory" + advice);
            }
            Map<String, Object> attrs = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) attrs.get("uid");
            int mode = (Integer) attrs.get("mode");
            long me = effectiveUid();
            if (me >= 0 && uid != me) {
                throw new IOException("the extraction directory " + dir + " belongs to uid " + uid + " ("
                        + Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName() + "), not to this user (uid "
                        + me + ")" + advice);
            }
            if ((mode & (GROUP_WRITE | OTHERS_WRITE)) != 0) {
                throw new IOException("the extraction directory " + dir + " is writable by "
                        + ((mode & OTHERS_WRITE) != 0 ? "others" : "its group") + " (mode "
                        + String.format("%04o", mode & 07777) + ")" + advice);
            }
            for (Path up = dir.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
                int upMode = (Integer) Files.getAttribute(up, "unix:mode");
                if ((upMode & OTHERS_WRITE) != 0 && (upMode & STICKY) == 0) {
                    throw new IOException("the extraction directory " + dir + " is inside " + up
                            + ", which others can write to without the sticky bit (mode "
                            + String.format("%04o", upMode & 07777) + ")" + advice);
                }
            }
        }

        /**
         * Why another user could replace {@code file} -- it is writable by group or others, or its directory
         * is writable by others without the sticky bit -- or null when they cannot (or POSIX attributes are
         * not available).
         */
        static String writableByOthers(Path file) {
            try {
                if (!file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                    return null;
                }
                int mode = (Integer) Files.getAttribute(file, "unix:mode");
                if ((mode & (GROUP_WRITE | OTHERS_WRITE)) != 0) {
                    return "the file is writable by " + ((mode & OTHERS_WRITE) != 0 ? "others" : "its group")
                            + " (mode " + String.format("%04o", mode & 07777) + ")";
                }
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) {
                    int dirMode = (Integer) Files.getAttribute(dir, "unix:mode");
                    if ((dirMode & OTHERS_WRITE) != 0 && (dirMode & STICKY) == 0) {
                        return "its directory " + dir + " is writable by others (mode "
                                + String.format("%04o", dirMode & 07777) + ")";
                    }
                }
                return null;
            } catch (IOException e) {
                return "cannot read its permissions: " + e;
            }
        }

        /** This process's effective uid, or -1 where there is none (no geteuid in the C library). */
        static long effectiveUid() {
            return Dl.GETEUID == null ? -1 : Dl.geteuid();
        }
    }

    /**
     * dlopen / dlsym / dlclose / dlerror from the C library, to look at a candidate before it is bound to
     * this class loader: {@code SymbolLookup.libraryLookup} would do, but drops the linker's reason.
     */
    private static final class Dl {
        private static final int RTLD_NOW = 2;
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle DLOPEN = handle("dlopen",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        private static final MethodHandle DLSYM = handle("dlsym",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        private static final MethodHandle DLCLOSE = handle("dlclose",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        private static final MethodHandle DLERROR = handle("dlerror", FunctionDescriptor.of(ValueLayout.ADDRESS));
        static final MethodHandle GETEUID = handle("geteuid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        private static final FunctionDescriptor STRING_FN = FunctionDescriptor.of(ValueLayout.ADDRESS);

        private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LINKER.defaultLookup().find(name).map(a -> LINKER.downcallHandle(a, descriptor)).orElse(null);
        }

        static long geteuid() {
            try {
                return Integer.toUnsignedLong((int) GETEUID.invokeExact());
            } catch (Throwable t) {
                throw new IllegalStateException("geteuid failed", t);
            }
        }

        /** The string pc_build_id() of {@code file} returns, or null if it has no such symbol. */
        static String buildId(Path file) {
            return call(file, "pc_build_id");
        }

        static boolean hasSymbol(Path file, String symbol) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment lib = open(file, arena);
                try {
                    return !((MemorySegment) DLSYM.invokeExact(lib, arena.allocateFrom(symbol))).equals(MemorySegment.NULL);
                } finally {
                    close(lib);
                }
            } catch (Throwable t) {
                return false;
            }
        }

        /** Calls {@code const char* symbol(void)} of {@code file}: the string, or null if it has no such symbol. */
        private static String call(Path file, String symbol) {
            if (DLOPEN == null || DLSYM == null || DLCLOSE == null || DLERROR == null) {
                throw new IllegalStateException("cannot check the library's identity: this C library has no dlopen");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment lib = open(file, arena);
                try {
                    MemorySegment fn = (MemorySegment) DLSYM.invokeExact(lib, arena.allocateFrom(symbol));
                    if (fn.equals(MemorySegment.NULL)) {
                        return null;
                    }
                    MemorySegment s = (MemorySegment) LINKER.downcallHandle(fn, STRING_FN).invokeExact();
                    return s.equals(MemorySegment.NULL) ? null : s.reinterpret(4096).getString(0);
                } finally {
                    close(lib);
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("cannot check the library's identity: " + t, t);
            }
        }

        private static MemorySegment open(Path file, Arena arena) throws Throwable {
            MemorySegment lib = (MemorySegment) DLOPEN.invokeExact(
                    arena.allocateFrom(file.toAbsolutePath().toString()), RTLD_NOW);
            if (lib.equals(MemorySegment.NULL)) {
                MemorySegment error = (MemorySegment) DLERROR.invokeExact();
                throw new IllegalStateException(error.equals(MemorySegment.NULL) ? "dlopen failed"
                        : error.reinterpret(4096).getString(0));
            }
            return lib;
        }

        private static void close(MemorySegment lib) throws Throwable {
            int ignored = (int) DLCLOSE.invokeExact(lib);
        }
    }
}
