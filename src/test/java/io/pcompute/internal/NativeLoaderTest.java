package io.pcompute.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeLoaderTest {
    @Test
    void platformNameMatchesTheJarFolders() {
        String platform = NativeLoader.currentPlatform();
        assertTrue(platform.matches("[a-z]+-[a-z0-9_]+"), platform);
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertEquals("linux-x86_64", platform);
        }
    }

    @Test
    void libraryLoadsForThisPlatform() {
        assertTrue(Files.isRegularFile(Native.libraryFile()));
        assertEquals(Native.EXPECTED_VERSION, Native.version());
    }

    @Test
    void missingUserPathFailsNamingPathAndPlatformAndTriesNothingElse(@TempDir Path dir) {
        Path missing = dir.resolve("nope/libpcompute.so");
        NativeLoader loader = new NativeLoader(missing.toString(), "/should/not/be/tried", dir, "linux-x86_64", "/native/");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        assertTrue(e.getMessage().startsWith("pcompute: cannot load libpcompute.so for platform linux-x86_64 (os.name="),
                e.getMessage());
        assertTrue(e.getMessage().contains("-Dpcompute.library.path: " + missing + " (not found)"), e.getMessage());
        assertTrue(!e.getMessage().contains("/should/not/be/tried"), e.getMessage());
    }

    @Test
    void wrongFileFailsWithTheLinkerReason(@TempDir Path dir) throws IOException {
        Path bogus = dir.resolve("libpcompute.so");
        Files.writeString(bogus, "this is not an ELF shared object");
        NativeLoader loader = new NativeLoader(dir.toString(), "", dir, "linux-x86_64", "/native/");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        assertTrue(e.getMessage().contains("-Dpcompute.library.path: " + bogus + " ("), e.getMessage());
        assertTrue(e.getMessage().contains("Fix or unset -Dpcompute.library.path"), e.getMessage());
    }

    @Test
    void platformWithoutABuildInTheJarIsNamedWithEveryPathTried(@TempDir Path dir) {
        NativeLoader loader = new NativeLoader(null, dir + "/a:" + dir + "/b", dir, "plan9-mips", "/native/");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        String m = e.getMessage();
        assertTrue(m.contains("for platform plan9-mips"), m);
        assertTrue(m.contains("java.library.path: " + dir + "/a/libpcompute.so (not found)"), m);
        assertTrue(m.contains("java.library.path: " + dir + "/b/libpcompute.so (not found)"), m);
        assertTrue(m.contains("jar resource /native/plan9-mips/libpcompute.so (not in this jar: it has no build for plan9-mips)"), m);
    }

    @Test
    void extractsTheJarLibraryIntoTheConfiguredDirectoryOnceByContent(@TempDir Path dir) throws IOException {
        NativeLoader loader = new NativeLoader(null, "", dir.resolve("extract"), "linux-x86_64", "/native/");
        String resource = "/native/" + NativeLoader.currentPlatform() + "/libpcompute.so";
        Path first = loader.extract(resource);
        assertNotNull(first);
        assertTrue(first.startsWith(dir.resolve("extract")), first.toString());
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(first));
        }
        long modified = Files.getLastModifiedTime(first).toMillis();
        assertEquals(first, loader.extract(resource), "same content, same file");
        assertEquals(modified, Files.getLastModifiedTime(first).toMillis(), "an intact copy is reused, not rewritten");
        assertNull(loader.extract("/native/plan9-mips/libpcompute.so"));
    }

    // ---- extraction directory: private to the user ---------------------------------------------------

    private static final String RESOURCE = "/native/" + NativeLoader.currentPlatform() + "/libpcompute.so";

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void createsTheExtractionDirectoryPrivateToTheUser(@TempDir Path dir) throws IOException {
        Path extract = dir.resolve("a/b/extract");
        Path file = new NativeLoader(null, "", extract, "linux-x86_64", "/native/").extract(RESOURCE);
        assertNotNull(file);
        assertEquals(0700, mode(extract), "mode of the extraction directory");
        assertEquals(0, mode(file) & 0022, "the extracted file is writable by its owner only");
    }

    @Test
    void refusesAnExtractionDirectoryWritableByOthers(@TempDir Path dir) throws IOException {
        Path extract = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(extract, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class,
                () -> new NativeLoader(null, "", extract, "linux-x86_64", "/native/").extract(RESOURCE));
        String m = e.getMessage();
        assertTrue(m.contains("the extraction directory " + extract + " is writable by others (mode 0777)"), m);
        assertTrue(m.contains("Set -Dpcompute.extract.dir"), m);
        try (var files = Files.list(extract)) {
            assertEquals(0, files.count(), "nothing is written into a refused directory");
        }
    }

    @Test
    void refusesAnExtractionDirectoryWritableByItsGroup(@TempDir Path dir) throws IOException {
        Path extract = Files.createDirectory(dir.resolve("group"));
        Files.setPosixFilePermissions(extract, PosixFilePermissions.fromString("rwxrwx---"));
        IOException e = assertThrows(IOException.class,
                () -> new NativeLoader(null, "", extract, "linux-x86_64", "/native/").extract(RESOURCE));
        assertTrue(e.getMessage().contains("is writable by its group (mode 0770)"), e.getMessage());
    }

    @Test
    void refusesAnExtractionDirectoryOwnedByAnotherUser(@TempDir Path dir) throws IOException {
        assumeTrue(NativeLoader.FileSafety.effectiveUid() == 0, "needs root to give a directory to another user");
        Path extract = Files.createDirectory(dir.resolve("theirs"));
        Files.setPosixFilePermissions(extract, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(extract, "unix:uid", 65534); // nobody
        IOException e = assertThrows(IOException.class,
                () -> new NativeLoader(null, "", extract, "linux-x86_64", "/native/").extract(RESOURCE));
        String m = e.getMessage();
        assertTrue(m.contains("the extraction directory " + extract + " belongs to uid 65534"), m);
        assertTrue(m.contains("not to this user (uid 0)"), m);
    }

    @Test
    void refusesAnExtractionDirectoryThatIsASymbolicLink(@TempDir Path dir) throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        IOException e = assertThrows(IOException.class,
                () -> new NativeLoader(null, "", link, "linux-x86_64", "/native/").extract(RESOURCE));
        assertTrue(e.getMessage().contains("the extraction directory " + link + " is a symbolic link"), e.getMessage());
    }

    @Test
    void refusesAnExtractionDirectoryUnderAParentOthersCanWriteWithoutStickyBit(@TempDir Path dir) throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path extract = open.resolve("mine");
        IOException e = assertThrows(IOException.class,
                () -> new NativeLoader(null, "", extract, "linux-x86_64", "/native/").extract(RESOURCE));
        assertTrue(e.getMessage().contains("is inside " + open + ", which others can write to without the sticky bit"),
                e.getMessage());
    }

    @Test
    void aTamperedCopyInTheExtractionDirectoryIsReplacedByTheJarsBytes(@TempDir Path dir) throws IOException {
        NativeLoader loader = new NativeLoader(null, "", dir.resolve("extract"), "linux-x86_64", "/native/");
        Path file = loader.extract(RESOURCE);
        Files.writeString(file, "planted");
        assertEquals(file, loader.extract(RESOURCE));
        try (InputStream in = NativeLoader.class.getResourceAsStream(RESOURCE)) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(file));
        }
    }

    @Test
    void aFailedExtractionKeepsItsCauseAndNamesFileAndPlatform(@TempDir Path dir) throws IOException {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        NativeLoader loader = new NativeLoader(null, "", notADir, NativeLoader.currentPlatform(), "/native/");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        String m = e.getMessage();
        assertTrue(m.contains("for platform " + NativeLoader.currentPlatform() + " (os.name="), m);
        assertTrue(m.contains("-> " + notADir + " (extraction failed: the extraction directory " + notADir
                + " is not a directory"), m);
        assertTrue(e.getCause() instanceof IOException, "cause: " + e.getCause());
    }

    // ---- the library's identity: build id, not only the version ------------------------------------

    /** The library the tests run with: the test build (pom.xml points -Dpcompute.library.path at it). */
    private static Path loadedLibrary() {
        return Native.libraryFile().toAbsolutePath();
    }

    @Test
    void theTestsRunTheTestBuildWhoseIdIsNotTheJars() {
        String shipped = NativeLoader.shippedBuildId(RESOURCE);
        assertNotNull(shipped, "the jar ships " + RESOURCE + ".buildid");
        assertTrue(shipped.matches("\\d+\\.\\d+\\.\\d+-[0-9a-f]{32}"), shipped);
        String loaded = Native.buildId();
        assertTrue(loaded.matches("\\d+\\.\\d+\\.\\d+-[0-9a-f]{32}"), loaded);
        if (loadedLibrary().toString().contains("native-test")) {
            assertTrue(!loaded.equals(shipped), "the test build (with test hooks) has an id of its own");
        }
    }

    @Test
    void aLibraryOfAnotherBuildOnTheLibraryPathIsRefusedNamingBothIds() {
        String shipped = NativeLoader.shippedBuildId(RESOURCE);
        String loaded = Native.buildId();
        assumeTrue(!loaded.equals(shipped), "the tests run a build other than the jar's");
        NativeLoader loader = new NativeLoader(loadedLibrary().toString(), "", Path.of("/nonexistent"),
                NativeLoader.currentPlatform(), "/native/", null);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        String m = e.getMessage();
        assertTrue(m.contains("-Dpcompute.library.path: " + loadedLibrary() + " (refused: it is libpcompute build "
                + loaded + " but this jar's library is build " + shipped
                + "; to use that build deliberately, set -Dpcompute.library.buildid=" + loaded + " (or =any))"), m);
        // accepted deliberately, by its id or by "any"
        assertEquals(loadedLibrary(), new NativeLoader(loadedLibrary().toString(), "", Path.of("/nonexistent"),
                NativeLoader.currentPlatform(), "/native/", loaded).load().toAbsolutePath());
        assertEquals(loadedLibrary(), new NativeLoader(loadedLibrary().toString(), "", Path.of("/nonexistent"),
                NativeLoader.currentPlatform(), "/native/", "any").load().toAbsolutePath());
    }

    @Test
    void aLibraryOfAnotherBuildOnJavaLibraryPathIsRefused(@TempDir Path dir) {
        String wanted = "0.1.0-00000000000000000000000000000000";
        NativeLoader loader = new NativeLoader(null, loadedLibrary().getParent().toString(), dir,
                "plan9-mips", "/native/", wanted);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        String m = e.getMessage();
        assertTrue(m.contains("java.library.path: " + loadedLibrary() + " (refused: it is libpcompute build "
                + Native.buildId() + " but this jar's library is build " + wanted), m);
    }

    @Test
    void aForeignLibraryIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path libz = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
        if (!Files.exists(libz)) {
            libz = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");
        }
        assumeTrue(Files.exists(libz), "needs a libz to stand in for a foreign library");
        Path impostor = dir.resolve("libpcompute.so");
        Files.copy(libz, impostor);
        NativeLoader loader = new NativeLoader(impostor.toString(), "", dir, "linux-x86_64", "/native/", "any");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        assertTrue(e.getMessage().contains("-Dpcompute.library.path: " + impostor
                + " (not libpcompute: the file has no pc_build_id symbol (pc_version: absent))"), e.getMessage());
    }

    @Test
    void aLibraryOthersCanWriteIsRefused(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("libpcompute.so");
        Files.copy(loadedLibrary(), copy, StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxrwxrwx"));
        NativeLoader loader = new NativeLoader(copy.toString(), "", dir, "linux-x86_64", "/native/", "any");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        assertTrue(e.getMessage().contains(copy + " (refused: the file is writable by others (mode 0777), so another"
                + " user could replace it)"), e.getMessage());
    }

    // ---- the jar's own library: the release build ---------------------------------------------------

    /**
     * A fresh JVM with no -Dpcompute.library.path loads the jar's copy (extracted, checked against the
     * shipped build id) and finds no test hooks in it.
     */
    @Test
    void theJarsLibraryIsTheReleaseBuildWithoutTestHooks(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "-Djava.library.path=",
                "-Dpcompute.extract.dir=" + dir.resolve("extract"), ReleaseLibraryProbe.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("file " + dir.resolve("extract")), out);
        assertTrue(out.contains("build " + NativeLoader.shippedBuildId(RESOURCE) + "\n"), out);
        assertTrue(out.contains("plantBug: UnsupportedOperationException: pc_test_plant_bug: "), out);
        assertTrue(out.contains("is a release build of libpcompute, without test hooks"), out);
    }
}
