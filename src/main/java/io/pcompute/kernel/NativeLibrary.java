package io.pcompute.kernel;

import io.pcompute.internal.KernelLibrary;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An application's shared library of C kernels, written against {@code pcompute_kernel.h}: each kernel is
 * exported as a function {@code const pc_kernel_def* symbol(void)}. Load it once, bind each kernel with
 * {@link #kernel(String)}, and pass the result to the kernel's declaration:
 * <pre>{@code
 * static final NativeLibrary LIB = NativeLibrary.load("checksums");  // libchecksums.so
 * public static final Crc32c CRC32C = new Crc32c(LIB.kernel("crc32c_chunks_kernel"));
 * }</pre>
 * No jextract is needed: the kernel ABI is fixed, and pcompute checks its version when it binds a kernel.
 *
 * <p>The library stays loaded while any job that uses one of its kernels can run; {@link #close()} refuses
 * new jobs at once and unloads it when the last running one has ended. Thread-safe.
 */
public final class NativeLibrary implements AutoCloseable {
    /** System property: directories searched first by {@link #load(String)}, separated by the path separator. */
    public static final String PATH_PROPERTY = "pcompute.kernel.path";

    private final KernelLibrary library;
    private int users;      // jobs running this library's code; guarded by this
    private boolean closed; // guarded by this
    private boolean unloaded; // guarded by this

    private NativeLibrary(KernelLibrary library) {
        this.library = library;
    }

    /**
     * Loads the shared library {@code file}.
     *
     * @throws IllegalArgumentException naming the file and why: missing, not a regular file, not a shared
     *     object for this platform
     */
    public static NativeLibrary load(Path file) {
        Objects.requireNonNull(file, "file must not be null");
        return new NativeLibrary(KernelLibrary.open(file));
    }

    /**
     * Loads the library called {@code name} ({@code "checksums"} is {@code libchecksums.so} on Linux) from the
     * first directory that has it: those of the system property {@value #PATH_PROPERTY}, then those of
     * {@code java.library.path}.
     *
     * @throws IllegalArgumentException naming every path tried
     */
    public static NativeLibrary load(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isEmpty() || name.contains("/") || name.contains(File.separator)) {
            throw new IllegalArgumentException("name = '" + name + "': must be a bare library name such as \"checksums\" "
                    + "(use load(Path) for a file)");
        }
        String file = System.mapLibraryName(name);
        List<String> tried = new ArrayList<>();
        for (String property : new String[] {PATH_PROPERTY, "java.library.path"}) {
            for (String dir : System.getProperty(property, "").split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(dir, file);
                if (Files.isRegularFile(candidate)) {
                    return load(candidate);
                }
                tried.add(candidate + " (" + property + ")");
            }
        }
        throw new IllegalArgumentException("kernel library '" + name + "' (" + file + ") not found; tried "
                + (tried.isEmpty() ? "nothing: " + PATH_PROPERTY + " and java.library.path are empty" : String.join(", ", tried))
                + ". Set -D" + PATH_PROPERTY + "=<dir> or use NativeLibrary.load(Path)");
    }

    /** The library's absolute path: with a kernel's symbol, what identifies it in any process. */
    public Path path() {
        return library.path();
    }

    /**
     * Binds the kernel whose descriptor function is {@code symbol}.
     *
     * @throws IllegalArgumentException if the symbol is missing, returns NULL, or describes a kernel built
     *     against another kernel ABI version (naming both)
     * @throws IllegalStateException if this library was closed
     */
    public NativeKernel kernel(String symbol) {
        Objects.requireNonNull(symbol, "symbol must not be null");
        synchronized (this) {
            requireOpen("bind " + symbol);
            KernelLibrary.Descriptor d = library.descriptor(symbol);
            return new NativeKernel(this, symbol, d.def(), d.name());
        }
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Refuses new jobs; unloads the library now, or when the last job running its code has ended. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (users > 0 || unloaded) {
                return;
            }
            unloaded = true;
        }
        library.close();
    }

    /** One more job will run this library's code. */
    synchronized void acquire(NativeKernel kernel) {
        requireOpen("run " + kernel);
        users++;
    }

    /** A job that {@link #acquire acquired} the library can no longer run its code. */
    void release() {
        synchronized (this) {
            if (--users > 0 || !closed || unloaded) {
                return;
            }
            unloaded = true;
        }
        library.close();
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new IllegalStateException("kernel library " + path() + " was closed: cannot " + what);
        }
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
