package example.app;

import io.pcompute.Job;
import io.pcompute.Kernels;
import io.pcompute.NativeException;
import io.pcompute.NativePool;
import io.pcompute.Runner;
import io.pcompute.Strategy;
import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeLibrary;
import io.pcompute.validate.PortValidator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An application's own C kernels (native-src/tests/app_kernels.c) on every strategy, and what bad input gets. */
@Timeout(120)
class ApplicationKernelTest {

    private static String message(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }

    @Test
    void applicationKernelsMatchTheirReferencesOnEveryStrategyAndThreadCount() {
        PortValidator validator = new PortValidator(300, 20261125, List.of(1, 2, 0));
        for (Kernel<?, ?> kernel : new TestKernels().kernels()) {
            PortValidator.Report report = validator.validate(kernel);
            assertTrue(report.passed(), () -> kernel + ": " + report.mismatches());
            assertEquals(300, report.cases());
        }
    }

    @Test
    void theRegistryListsProvidedKernelsAfterTheBuiltInOnes() {
        List<Kernel<?, ?>> all = Kernels.all();
        assertEquals("gcd_brute", all.get(0).name());
        assertTrue(all.contains(TestKernels.SCALE_INT) && all.contains(TestKernels.BYTE_SUMS), all::toString);
        assertEquals(TestKernels.SAXPY_FLOAT, Kernels.byName("saxpy_float"));
        assertEquals(new TestKernels().kernels(), Kernels.fromClass(TestKernels.class.getName()));
    }

    @Test
    void byteSegmentsAreReadInPlaceByNativeStrategies() {
        byte[] data = new byte[100_003];
        new SplittableRandom(5).nextBytes(data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(data.length);
            MemorySegment.copy(data, 0, segment, ValueLayout.JAVA_BYTE, 0, data.length);
            TestKernels.Bytes problem = new TestKernels.Bytes(null, segment, 97);
            long[] expected = TestKernels.BYTE_SUMS.reference(TestKernels.Bytes.of(data, 97));
            for (Strategy s : Strategy.values()) {
                try (Runner runner = s.open(2)) {
                    assertArrayEquals(expected, runner.run(TestKernels.BYTE_SUMS, problem), s.label());
                }
            }
        }
    }

    @Test
    void aJavaOnlyKernelRunsUnderAutoAndNativeStrategiesSaySoClearly() {
        TestKernels.ByteSums javaOnly = new TestKernels.ByteSums("byte_sums_java_only");
        TestKernels.Bytes problem = TestKernels.Bytes.of(new byte[] {1, 2, 3, (byte) 200}, 3);
        try (Runner auto = Strategy.AUTO.open(2)) {
            for (int i = 0; i < 50; i++) { // AUTO used to fail on its fourth call, when it tried a native runner
                assertArrayEquals(new long[] {6, 200}, auto.run(javaOnly, problem));
            }
        }
        for (Strategy s : List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL)) {
            try (Runner runner = s.open(1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runner.run(javaOnly, problem));
                assertTrue(e.getMessage().contains("'byte_sums_java_only' has no native implementation"), e.getMessage());
            }
        }
    }

    @Test
    void loadingWhatIsNotALibraryNamesTheFileAndTheReason(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("libmissing.so");
        assertTrue(message(assertThrows(IllegalArgumentException.class, () -> NativeLibrary.load(missing)))
                .contains(missing + ": no such file"));
        Path text = Files.writeString(dir.resolve("libtext.so"), "not an ELF file");
        String notShared = message(assertThrows(IllegalArgumentException.class, () -> NativeLibrary.load(text)));
        assertTrue(notShared.contains(text.toString()) && notShared.contains("cannot be loaded as a shared library"), notShared);
        assertTrue(message(assertThrows(IllegalArgumentException.class, () -> NativeLibrary.load(dir)))
                .contains("not a regular file"));
        String byName = message(assertThrows(IllegalArgumentException.class, () -> NativeLibrary.load("no_such_kernels_xyz")));
        assertTrue(byName.contains("libno_such_kernels_xyz.so") && byName.contains("not found"), byName);
        assertThrows(IllegalArgumentException.class, () -> NativeLibrary.load("../evil"));
        Path shared = dir.resolve("libshared.so");
        Files.copy(TestKernels.LIBRARY, shared);
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String writable = message(assertThrows(IllegalArgumentException.class, () -> NativeLibrary.load(shared)));
        assertTrue(writable.contains("refused") && writable.contains("writable by others"), writable);
    }

    @Test
    void bindingABrokenSymbolSaysWhatIsWrong() {
        String missing = message(assertThrows(IllegalArgumentException.class, () -> TestKernels.LIB.kernel("no_such_symbol")));
        assertTrue(missing.contains("has no symbol 'no_such_symbol'") && missing.contains(TestKernels.LIBRARY.getFileName().toString()),
                missing);
        assertTrue(message(assertThrows(IllegalArgumentException.class, () -> TestKernels.LIB.kernel("pct_null_kernel")))
                .contains("returned NULL"));
        String abi = message(assertThrows(IllegalArgumentException.class, () -> TestKernels.LIB.kernel("pct_other_abi_kernel")));
        assertTrue(abi.contains("kernel ABI version 999") && abi.contains("speaks ABI version "
                + io.pcompute.internal.KernelLibrary.ABI_VERSION), abi);
        String misnamed = message(assertThrows(IllegalArgumentException.class,
                () -> new TestKernels.ByteSums("not_byte_sums", TestKernels.LIB.kernel("pct_byte_sums_kernel"))));
        assertTrue(misnamed.contains("declares a kernel named 'byte_sums'"), misnamed);
    }

    @Test
    void aKernelReturningAStatusOutsideTheAbiFailsItsCallNotTheProcess() {
        TestKernels.ScaleInt broken = new TestKernels.ScaleInt(TestKernels.LIB.kernel("pct_bad_status_kernel"));
        TestKernels.Scale problem = new TestKernels.Scale(new int[] {1, 2, 3}, 2, 1);
        for (Strategy s : List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL)) {
            try (Runner runner = s.open(2)) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> runner.run(broken, problem));
                assertTrue(message(e).contains("status"), s + ": " + message(e));
                assertTrue(e instanceof NativeException || e.getCause() instanceof NativeException, message(e));
            }
        }
        try (Runner runner = Strategy.NATIVE_POOL.open(2)) { // the pool goes on
            assertArrayEquals(new int[] {3, 5, 7}, runner.run(TestKernels.SCALE_INT, problem));
        }
    }

    @Test
    void buffersShorterThanTheCCodeNeedsAreRefusedNamingTheSlot() {
        // A declaration one output element short of what scale_int's validate() requires (kernel ABI 2):
        // the C side must refuse the call before writing past the buffer, and say which buffer.
        TestKernels.ScaleInt shortOutput = new TestKernels.ScaleInt(TestKernels.LIB.kernel("pct_scale_int_kernel")) {
            @Override
            public Buffers buffers(TestKernels.Scale p) {
                return new Buffers().in(0, p.values()).out(0, new int[p.values().length - 1])
                        .iparam(0, p.mul()).iparam(1, p.add());
            }
        };
        TestKernels.Scale problem = new TestKernels.Scale(new int[] {1, 2, 3}, 2, 1);
        for (Strategy s : List.of(Strategy.NATIVE_SERIAL, Strategy.NATIVE_POOL)) {
            try (Runner runner = s.open(2)) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> runner.run(shortOutput, problem));
                assertTrue(message(e).contains("out[0]") && message(e).contains("shorter"), s + ": " + message(e));
            }
        }
    }

    @Test
    void kernelClassesAreCheckedWhenNamedOnACommandLine() {
        assertTrue(message(assertThrows(IllegalArgumentException.class,
                () -> Kernels.fromClass(DuplicateNames.class.getName()))).contains("two kernels are named 'twice'"));
        assertTrue(message(assertThrows(IllegalArgumentException.class, () -> Kernels.fromClass("java.lang.String")))
                .contains("names no kernel"));
        assertTrue(message(assertThrows(IllegalArgumentException.class, () -> Kernels.fromClass("no.such.Kernels")))
                .contains("cannot be loaded"));
    }

    @Test
    void aClosedLibraryRefusesNewJobsButFinishesRunningOnes() throws Exception {
        NativeLibrary lib = NativeLibrary.load(TestKernels.LIBRARY);
        TestKernels.ScaleInt kernel = new TestKernels.ScaleInt(lib.kernel("pct_scale_int_kernel"));
        int[] values = new SplittableRandom(9).ints(4_000_000, 0, 1000).toArray();
        TestKernels.Scale problem = new TestKernels.Scale(values, 3, 7);
        int[] expected = kernel.reference(problem);
        try (NativePool pool = NativePool.create(2)) {
            Job<int[]> running = pool.submit(kernel, problem);
            lib.close(); // while the job may still run the library's code
            assertTrue(lib.isClosed());
            assertArrayEquals(expected, running.join());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(kernel, problem));
            assertTrue(e.getMessage().contains("was closed"), e.getMessage());
        }
        try (Runner serial = Strategy.NATIVE_SERIAL.open(1)) {
            assertThrows(IllegalStateException.class, () -> serial.run(kernel, problem));
        }
        assertThrows(IllegalStateException.class, () -> lib.kernel("pct_scale_int_kernel"));
        lib.close(); // idempotent
        // Java strategies need no native code
        try (Runner java = Strategy.JAVA_POOL.open(2)) {
            assertArrayEquals(expected, java.run(kernel, problem));
        }
    }
}
