package io.pcompute.bench;

import io.pcompute.Runner;
import io.pcompute.Strategy;

/** Benchmark runner names: {@code java-serial}, {@code native-pool:2} (strategy:threads, 0 = all cores), ... */
final class Runners {
    static final String ALL = "java-serial,java-pool:1,java-pool:2,java-pool:0,native-serial,native-pool:1,"
            + "native-pool:2,native-pool:0,auto";

    private Runners() {}

    static Runner open(String spec) {
        String[] parts = spec.split(":");
        return Strategy.fromLabel(parts[0]).open(parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
    }
}
