package io.pcompute.internal;

import io.pcompute.internal.ffi.pc_kernel_def;
import io.pcompute.internal.ffi.pcompute_h;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An application's shared library of kernels, opened with {@link SymbolLookup#libraryLookup(Path, Arena)}
 * in a shared arena of its own: closing the arena unloads the library (the owner, {@code NativeLibrary},
 * closes it only once no job can run its code). Libpcompute itself need not be loaded to open one.
 */
public final class KernelLibrary {
    /** {@code const pc_kernel_def* symbol(void)}: what a library exports per kernel. */
    private static final FunctionDescriptor DESCRIPTOR_FUNCTION = FunctionDescriptor.of(ValueLayout.ADDRESS);
    /** The ABI this pcompute speaks (a constant of the generated bindings: reading it loads nothing). */
    public static final int ABI_VERSION = pcompute_h.PC_KERNEL_ABI_VERSION();

    private final Path path;
    private final Arena arena;
    private final SymbolLookup lookup;

    private KernelLibrary(Path path, Arena arena, SymbolLookup lookup) {
        this.path = path;
        this.arena = arena;
        this.lookup = lookup;
    }

    /**
     * Opens the shared library {@code file}.
     *
     * @throws IllegalArgumentException naming the file and why it cannot be opened
     */
    public static KernelLibrary open(Path file) {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("kernel library " + path + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("kernel library " + path + ": not a regular file");
        }
        String unsafe = NativeLoader.FileSafety.writableByOthers(path);
        if (unsafe != null) { // another user could swap in code this process would then run
            throw new IllegalArgumentException("kernel library " + path + ": refused, " + unsafe
                    + "; make it writable only by its owner (chmod go-w)");
        }
        Arena arena = Arena.ofShared();
        try {
            return new KernelLibrary(path, arena, SymbolLookup.libraryLookup(path, arena));
        } catch (IllegalArgumentException e) {
            arena.close();
            throw new IllegalArgumentException("kernel library " + path + ": cannot be loaded as a shared library for "
                    + NativeLoader.currentPlatform() + " (" + e.getMessage() + ")", e);
        }
    }

    public Path path() {
        return path;
    }

    /** A kernel's descriptor and the name it declares (null if none). */
    public record Descriptor(MemorySegment def, String name) {}

    /**
     * Calls {@code const pc_kernel_def* symbol(void)} and checks what it returns: not NULL, the ABI version
     * this pcompute speaks (read before anything else of the descriptor), a run function.
     *
     * @throws IllegalArgumentException naming the library, the symbol and what is wrong
     */
    public Descriptor descriptor(String symbol) {
        Optional<MemorySegment> address = lookup.find(symbol);
        if (address.isEmpty()) {
            throw new IllegalArgumentException("kernel library " + path + " has no symbol '" + symbol
                    + "' (`nm -D " + path.getFileName() + "` lists what it exports; a C++ library needs extern \"C\")");
        }
        MethodHandle function = Linker.nativeLinker().downcallHandle(address.get(), DESCRIPTOR_FUNCTION);
        MemorySegment raw;
        try {
            raw = (MemorySegment) function.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("calling " + symbol + "() of " + path + " failed", t);
        }
        String where = symbol + "() of " + path;
        if (raw.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(where + " returned NULL: it must return its static pc_kernel_def");
        }
        MemorySegment def = raw.reinterpret(pc_kernel_def.sizeof(), arena, null);
        int abi = pc_kernel_def.abi_version(def);
        if (abi != ABI_VERSION) {
            throw new IllegalArgumentException(where + " describes a kernel built against kernel ABI version " + abi
                    + "; this pcompute speaks ABI version " + ABI_VERSION
                    + ": rebuild the library with this pcompute's pcompute_kernel.h");
        }
        if (pc_kernel_def.run(def).equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(where + ": the descriptor's run function is NULL");
        }
        MemorySegment namePointer = pc_kernel_def.name(def);
        String name = null;
        if (!namePointer.equals(MemorySegment.NULL)) {
            try {
                name = namePointer.reinterpret(256).getString(0);
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the descriptor's name is not a string of at most 255 bytes");
            }
        }
        return new Descriptor(def, name);
    }

    /** Unloads the library: no descriptor of it may be used afterwards. */
    public void close() {
        arena.close();
    }
}
