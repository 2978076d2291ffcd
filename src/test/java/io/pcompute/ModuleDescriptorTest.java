package io.pcompute;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled module descriptor is what an application on the module path sees: the four API packages,
 * nothing required beyond java.base (the command line and its picocli/progressbar live in the -cli jar,
 * not in this module), nothing opened.
 */
class ModuleDescriptorTest {
    /** The descriptor compiled from src/main/java/module-info.java (the tests run on the class path). */
    private static ModuleDescriptor library() throws IOException {
        List<ModuleDescriptor> found = new ArrayList<>();
        for (URL url : Collections.list(ClassLoader.getSystemClassLoader().getResources("module-info.class"))) {
            try (InputStream in = url.openStream()) {
                ModuleDescriptor d = ModuleDescriptor.read(in);
                if (d.name().equals("io.pcompute")) {
                    found.add(d);
                }
            }
        }
        assertEquals(1, found.size(), "module-info.class of io.pcompute on the class path");
        return found.get(0);
    }

    @Test
    void exportsTheFourApiPackagesOnly() throws IOException {
        Set<String> exports = library().exports().stream()
                .map(e -> {
                    assertTrue(e.targets().isEmpty(), "qualified export " + e);
                    return e.source();
                })
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("io.pcompute", "io.pcompute.kernel", "io.pcompute.kernels",
                "io.pcompute.validate")), exports);
    }

    @Test
    void requiresNothingButJavaBaseAndOpensNothing() throws IOException {
        ModuleDescriptor d = library();
        assertEquals(Set.of("java.base"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()),
                "requires of " + d);
        assertEquals(Set.of(), d.opens(), "opens of " + d);
        assertEquals(Set.of("io.pcompute.kernel.KernelProvider"), d.uses());
    }
}
