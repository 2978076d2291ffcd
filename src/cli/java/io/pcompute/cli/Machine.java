package io.pcompute.cli;

import io.pcompute.internal.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine, printed with every timing. */
final class Machine {
    private Machine() {}

    static String describe() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available, JDK "
                + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), libpcompute "
                + Native.version() + " (gcc -O3) from " + Native.libraryFile();
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall through
        }
        return System.getProperty("os.arch") + " CPU";
    }
}
