package io.pcompute;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed bindings were generated from the header as it is now. */
class BindingsStampTest {
    private static final Path PROJECT = Path.of(System.getProperty("pcompute.project.dir", "."));
    private static final String HEADER = "native-src/include/pcompute.h";

    @Test
    void bindingsWereGeneratedFromTheCurrentHeader() throws IOException, NoSuchAlgorithmException {
        Path stampFile = PROJECT.resolve("bindings/pcompute.h.sha256");
        assertTrue(Files.isRegularFile(stampFile), stampFile + " is missing: run bindings/regenerate.sh");
        String[] stamp = Files.readString(stampFile).trim().split("\\s+");
        assertEquals(HEADER, stamp[1], "the stamp names another header");
        String actual = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(PROJECT.resolve(HEADER))));
        assertEquals(stamp[0], actual, HEADER + " changed since the bindings in bindings/java were generated. "
                + "Regenerate them with jextract: JEXTRACT_HOME=/path/to/jextract bindings/regenerate.sh "
                + "(see README.md, 'Regenerating the bindings'), then commit bindings/.");
    }
}
