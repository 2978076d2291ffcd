/**
 * pcompute: native compute kernels and a native worker pool for JDK 22+ through the FFM API, with a
 * Java reference implementation of every kernel that defines what correct means.
 *
 * <p>Start with {@link io.pcompute.Strategy} and {@link io.pcompute.NativePool}.
 */
module io.pcompute {
    exports io.pcompute;
    exports io.pcompute.kernel;
    exports io.pcompute.kernels;
    exports io.pcompute.validate;

    uses io.pcompute.kernel.KernelProvider;

    // No requires: the library needs nothing beyond java.base. The command line (io.pcompute.cli,
    // src/cli/java) is not part of this module; it ships in its own jar (classifier cli) on the class path.
}
