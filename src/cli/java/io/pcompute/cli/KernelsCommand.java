package io.pcompute.cli;

import io.pcompute.kernel.Kernel;
import io.pcompute.Kernels;
import picocli.CommandLine.Command;

/** Lists the registered kernels, one name per line (bench/run reads it to benchmark every kernel). */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "Lists the kernels (the C library's names, each with a Java declaration), one per line.")
final class KernelsCommand implements Runnable {
    @Override
    public void run() {
        for (Kernel<?, ?> kernel : Kernels.all()) {
            System.out.println(kernel.name());
        }
    }
}
