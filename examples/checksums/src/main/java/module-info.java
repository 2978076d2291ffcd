/**
 * The checksums example: an application's own C kernel (CRC-32C per chunk, in libchecksums.so) run and
 * validated by pcompute. Its kernels are listed for pcompute's registry, command line and validator as a
 * {@link io.pcompute.kernel.KernelProvider} service.
 */
module com.example.checksums {
    requires io.pcompute;

    exports com.example.checksums;

    provides io.pcompute.kernel.KernelProvider with com.example.checksums.ChecksumKernels;
}
