package io.pcompute.kernel;

import java.util.List;

/**
 * How an application lists its kernels for pcompute's command line, registry and validator. Declare an
 * implementation as a service — {@code provides io.pcompute.kernel.KernelProvider with my.app.Kernels;} in
 * {@code module-info.java}, or the class name in {@code META-INF/services/io.pcompute.kernel.KernelProvider}
 * on the class path — and {@code io.pcompute.Kernels.all()} includes them. A command line can also name the
 * class directly ({@code --kernels my.app.Kernels}).
 */
public interface KernelProvider {
    /** The application's kernels; their names must differ from each other and from the built-in ones. */
    List<Kernel<?, ?>> kernels();
}
