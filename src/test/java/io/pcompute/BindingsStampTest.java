package io.pcompute;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed bindings were generated from the headers as they are now (pcompute.h and the kernel ABI
 *  header it includes, pcompute_kernel.h: one "sha256  path" line each in the stamp). */
class BindingsStampTest {
    private static final Path PROJECT = Path.of(System.getProperty("pcompute.project.dir", "."));
    private static final List<String> HEADERS =
            List.of("native-src/include/pcompute.h", "native-src/include/pcompute_kernel.h");

    @Test
    void bindingsWereGeneratedFromTheCurrentHeaders() throws IOException, NoSuchAlgorithmException {
        Path stampFile = PROJECT.resolve("bindings/pcompute.h.sha256");
        assertTrue(Files.isRegularFile(stampFile), stampFile + " is missing: run bindings/regenerate.sh");
        List<String> lines = Files.readAllLines(stampFile).stream().filter(l -> !l.isBlank()).toList();
        assertEquals(HEADERS, lines.stream().map(l -> l.trim().split("\\s+")[1]).toList(),
                "the stamp names other headers");
        for (int i = 0; i < HEADERS.size(); i++) {
            String header = HEADERS.get(i);
            String actual = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(PROJECT.resolve(header))));
            assertEquals(lines.get(i).trim().split("\\s+")[0], actual, header
                    + " changed since the bindings in bindings/java were generated. "
                    + "Regenerate them with jextract: JEXTRACT_HOME=/path/to/jextract bindings/regenerate.sh "
                    + "(see README.md, 'Regenerating the bindings'), then commit bindings/.");
        }
    }
}
