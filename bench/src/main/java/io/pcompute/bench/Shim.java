package io.pcompute.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** The benchmark-only C library (bench/src/main/c/pcbench.c), reached through FFM and through JNI. */
final class Shim {
    static final Path LIBRARY = Path.of(System.getProperty("pcompute.bench.shim", "bench/target/libpcbench.so"))
            .toAbsolutePath();

    static {
        if (!Files.isRegularFile(LIBRARY)) {
            throw new IllegalStateException(LIBRARY + " is missing: build the suite with bench/run (or set "
                    + "-Dpcompute.bench.shim to libpcbench.so)");
        }
        System.load(LIBRARY.toString()); // for JniShim
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = SymbolLookup.libraryLookup(LIBRARY, Arena.global());

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(), descriptor, options);
    }

    static final MethodHandle NOOP = handle("pcb_noop", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    static final MethodHandle NOOP_CRITICAL = handle("pcb_noop", FunctionDescriptor.of(ValueLayout.JAVA_INT),
            Linker.Option.critical(false));
    private static final FunctionDescriptor SUM_DESCRIPTOR =
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
    static final MethodHandle SUM = handle("pcb_sum", SUM_DESCRIPTOR);
    static final MethodHandle SUM_CRITICAL_HEAP = handle("pcb_sum", SUM_DESCRIPTOR, Linker.Option.critical(true));
    static final MethodHandle STREAM_READ = handle("pcb_stream_read",
            FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private Shim() {}
}
