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

    // Command line only; a library user needs neither.
    requires static info.picocli;
    requires static me.tongfei.progressbar;

    opens io.pcompute.cli to info.picocli;
}
