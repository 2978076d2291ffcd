package com.example.checksums;

import io.pcompute.Kernels;
import io.pcompute.NativePool;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.kernel.NativeLibrary;
import io.pcompute.validate.PortValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksumKernelsTest {
    private static final Crc32cChunks CRC32C = ChecksumKernels.CRC32C;
    private static final long SEED = 20261125;

    /** Independent oracle: the CRC-32C check value and the iSCSI test vectors of RFC 3720, B.4. */
    @Test
    void nativeKernelGivesTheKnownCrc32cTestVectors() {
        byte[] ascending = new byte[32];
        byte[] descending = new byte[32];
        byte[] ones = new byte[32];
        for (int i = 0; i < 32; i++) {
            ascending[i] = (byte) i;
            descending[i] = (byte) (31 - i);
            ones[i] = (byte) 0xff;
        }
        Object[][] vectors = {
            {"123456789".getBytes(StandardCharsets.US_ASCII), 0xE3069283},
            {new byte[32], 0x8A9136AA},
            {ones, 0x62A8AB43},
            {ascending, 0x46DD794E},
            {descending, 0x113FDB5C},
        };
        for (Strategy strategy : List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL)) {
            try (Runner runner = strategy.open(2)) {
                for (Object[] v : vectors) {
                    byte[] data = (byte[]) v[0];
                    int[] crc = runner.run(CRC32C, new Chunks(data, data.length));
                    assertArrayEquals(new int[] {(int) v[1]}, crc, strategy.label() + " on " + data.length + " bytes");
                }
            }
        }
    }

    @Test
    void nativePoolMatchesTheJdkAtOneTwoAndAllThreads() {
        byte[] data = new byte[3_000_003];
        new SplittableRandom(SEED).nextBytes(data);
        Chunks problem = new Chunks(data, 4099);
        int[] expected = CRC32C.reference(problem);
        assertEquals(732, expected.length);
        for (int threads : new int[] {1, 2, 0}) {
            try (NativePool pool = NativePool.create(threads)) {
                assertArrayEquals(expected, pool.run(CRC32C, problem), "threads " + threads);
            }
        }
        try (Runner serial = Strategy.NATIVE_SERIAL.open(1)) {
            assertArrayEquals(expected, serial.run(CRC32C, problem), "native-serial");
        }
    }

    @Test
    void adler32KernelGivesKnownValues() {
        try (Runner runner = Strategy.NATIVE_POOL.open(2)) {
            byte[] wikipedia = "Wikipedia".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(new int[] {0x11E60398}, runner.run(ChecksumKernels.ADLER32, new Chunks(wikipedia, 9)));
            assertArrayEquals(new int[] {0x00620062}, runner.run(ChecksumKernels.ADLER32, new Chunks(new byte[] {97}, 1))); // RFC 1950
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Crc32cChunks.NAME, Adler32Chunks.NAME})
    void passesThePortValidatorOnAThousandCasesAtOneTwoAndAllThreads(String name) {
        ChunkChecksum kernel = name.equals(Crc32cChunks.NAME) ? CRC32C : ChecksumKernels.ADLER32;
        PortValidator validator = new PortValidator(1000, SEED, List.of(1, 2, 0));
        PortValidator.Report report = validator.validate(kernel);
        System.out.printf("%s: %d cases, %d runs, seed %d: %s%n", name, report.cases(), report.runs(), SEED,
                report.passed() ? "passed" : report.mismatches());
        assertTrue(report.passed(), () -> report.mismatches().toString());
        assertEquals(1000, report.cases());
        long threadCounts = List.of(1, 2, Runtime.getRuntime().availableProcessors()).stream().distinct().count();
        long runners = 0; // each serial strategy once, each parallel one (native-process included) per thread count
        for (io.pcompute.Strategy s : io.pcompute.Strategy.values()) {
            runners += s.isParallel() ? threadCounts : 1;
        }
        assertEquals(1000L * runners, report.runs());
    }

    private static final Pattern DATA_LENGTH = Pattern.compile("data \\((\\d+) bytes\\)");

    @Test
    void portValidatorCatchesThePlantedBugAndShrinksItToAFewBytes() {
        Path planted = Path.of(System.getProperty("checksums.planted.library", "target/native-test/libchecksums-planted.so"));
        assertTrue(Files.isRegularFile(planted), planted + " missing: built by the CMake option CHECKSUMS_PLANT_BUG");
        try (NativeLibrary library = NativeLibrary.load(planted)) {
            Crc32cChunks buggy = new Crc32cChunks(library.kernel(Crc32cChunks.SYMBOL));
            // The bug shows only where a chunk ends in exactly 7 bytes after its 8-byte steps.
            try (Runner serial = Strategy.NATIVE_SERIAL.open(1)) {
                byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
                assertArrayEquals(new int[] {0xE3069283}, serial.run(buggy, new Chunks(nine, 9)), "8 + 1 bytes");
                byte[] fifteen = "123456789abcdef".getBytes(StandardCharsets.US_ASCII);
                Chunks sevenTail = new Chunks(fifteen, 15);
                assertNotEquals(CRC32C.reference(sevenTail)[0], serial.run(buggy, sevenTail)[0], "8 + 7 bytes");
            }

            PortValidator.Report report = new PortValidator(300, SEED, List.of(1, 2, 0)).validate(buggy);
            report.mismatches().forEach(System.out::println);
            assertFalse(report.passed(), "the validator missed the planted bug");
            List<Strategy> failed = report.mismatches().stream().map(PortValidator.Mismatch::strategy).toList();
            assertTrue(failed.contains(Strategy.NATIVE_SERIAL) && failed.contains(Strategy.NATIVE_POOL), failed::toString);
            assertFalse(failed.contains(Strategy.JAVA_SERIAL) || failed.contains(Strategy.JAVA_POOL),
                    "the Java reference cannot have the C bug: " + failed);
            for (PortValidator.Mismatch m : report.mismatches()) {
                if (m.strategy() == Strategy.AUTO) {
                    continue; // AUTO may pick a Java strategy for a smaller input: its shrinking stops early
                }
                Matcher length = DATA_LENGTH.matcher(m.minimalInput());
                assertTrue(length.find(), m.minimalInput());
                // The smallest input showing the bug is 7 bytes in one chunk: allow one 8-byte step more.
                assertTrue(Integer.parseInt(length.group(1)) <= 15, "not shrunk to a few bytes: " + m);
            }
        }
    }

    @Test
    void kernelsAreFoundThroughTheirKernelProviderService() {
        assertTrue(Kernels.all().containsAll(List.of(CRC32C, ChecksumKernels.ADLER32)), "Kernels.all() = " + Kernels.all());
    }
}
