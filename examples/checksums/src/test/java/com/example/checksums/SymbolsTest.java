package com.example.checksums;

import io.pcompute.NativePool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing of the example is inside libpcompute, and libchecksums.so exports only its kernel. */
class SymbolsTest {
    private static final String PCOMPUTE_LIBRARY = "native/linux-x86_64/libpcompute.so";

    @Test
    void libpcomputeInThePcomputeJarHasNoChecksumSymbol() throws Exception {
        Path library = Files.createTempFile("libpcompute-", ".so");
        try {
            extractPcomputeLibrary(library);
            List<String> symbols = dynamicSymbols(library);
            assertTrue(symbols.contains("pc_run_def"), "not libpcompute? exports " + symbols);
            for (String symbol : symbols) {
                assertFalse(symbol.toLowerCase().contains("crc") || symbol.toLowerCase().contains("checksum"),
                        "libpcompute exports " + symbol);
            }
        } finally {
            Files.deleteIfExists(library);
        }
    }

    @Test
    void libchecksumsExportsOnlyItsKernelSymbols() throws Exception {
        Path library = ChecksumKernels.LIBRARY.path();
        assertEquals(Set.of(Crc32cChunks.SYMBOL, Adler32Chunks.SYMBOL), Set.copyOf(dynamicSymbols(library)),
                library.toString());
    }

    /** Copies libpcompute.so out of the pcompute jar (or build directory) the application runs with. */
    private static void extractPcomputeLibrary(Path to) throws IOException, URISyntaxException {
        Path origin = Path.of(NativePool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(origin)) {
            Files.copy(origin.resolve(PCOMPUTE_LIBRARY), to, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (ZipFile jar = new ZipFile(origin.toFile())) {
            ZipEntry entry = jar.getEntry(PCOMPUTE_LIBRARY);
            assertNotNull(entry, origin + " has no " + PCOMPUTE_LIBRARY);
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The names of the symbols {@code library} defines and exports ({@code nm -D --defined-only}). */
    private static List<String> dynamicSymbols(Path library) throws IOException, InterruptedException {
        Process nm = new ProcessBuilder("nm", "-D", "--defined-only", library.toString()).redirectErrorStream(true).start();
        String output = new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(nm.waitFor(60, TimeUnit.SECONDS), "nm hung");
        assertEquals(0, nm.exitValue(), "nm -D " + library + ": " + output);
        List<String> names = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3) {
                names.add(fields[2].replaceFirst("@.*", "")); // drop symbol versions
            }
        }
        return names;
    }
}
