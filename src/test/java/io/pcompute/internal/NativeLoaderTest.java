package io.pcompute.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
