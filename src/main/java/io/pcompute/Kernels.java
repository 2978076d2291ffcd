package io.pcompute;

import io.pcompute.internal.Native;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The kernel registry. The C library lists the kernels it implements ({@code pc_kernel_name}); each
 * one's Java declaration is a public static {@link Kernel} field of {@code io.pcompute.kernels.<Family>},
 * where Family is the capitalised part of the name before the first underscore ({@code gcd_brute} is
 * {@code Gcd.BRUTE}'s name). So a new kernel needs no registration: its C entry and its one Java file.
 * A C kernel without a declaration, or a declaration without a C kernel, fails here, loudly.
 */
public final class Kernels {
    private static final String PACKAGE = "io.pcompute.kernels.";
    private static final Registry REGISTRY = new Registry();

    private Kernels() {}

    private static final class Registry {
        final Map<String, Kernel<?, ?>> byName = new LinkedHashMap<>();
        final Map<String, Integer> ids = new LinkedHashMap<>();

        Registry() {
            List<String> problems = new ArrayList<>();
            for (int id = 1; id <= Native.kernelCount(); id++) {
                String name = Native.kernelName(id);
                ids.put(name, id);
                Kernel<?, ?> kernel = declaration(name, problems);
                if (kernel != null) {
                    byName.put(name, kernel);
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("kernel registry: " + String.join("; ", problems));
            }
        }

        private static Kernel<?, ?> declaration(String name, List<String> problems) {
            String family = name.contains("_") ? name.substring(0, name.indexOf('_')) : name;
            String className = PACKAGE + family.substring(0, 1).toUpperCase(Locale.ROOT) + family.substring(1);
            Class<?> type;
            try {
                type = Class.forName(className, true, Kernels.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                problems.add("C kernel '" + name + "' has no Java declaration class " + className);
                return null;
            }
            for (Field field : type.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && Kernel.class.isAssignableFrom(field.getType())) {
                    try {
                        Kernel<?, ?> kernel = (Kernel<?, ?>) field.get(null);
                        if (kernel.name().equals(name)) {
                            return kernel;
                        }
                    } catch (IllegalAccessException e) {
                        problems.add(className + "." + field.getName() + " is not accessible: " + e.getMessage());
                    }
                }
            }
            problems.add("C kernel '" + name + "' has no public static Kernel field named '" + name + "' in " + className);
            return null;
        }
    }

    /** Every kernel, in the C library's order. */
    public static List<Kernel<?, ?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(REGISTRY.byName.values()));
    }

    /**
     * The kernel with this name ({@code gcd_brute}, ...).
     *
     * @throws IllegalArgumentException naming the known kernels if there is none
     */
    public static Kernel<?, ?> byName(String name) {
        Kernel<?, ?> kernel = REGISTRY.byName.get(name);
        if (kernel == null) {
            throw new IllegalArgumentException("kernel = '" + name + "': must be one of " + REGISTRY.byName.keySet());
        }
        return kernel;
    }

    /** The C library's id of a declared kernel. */
    static int nativeId(Kernel<?, ?> kernel) {
        Integer id = REGISTRY.ids.get(kernel.name());
        if (id == null) {
            throw new IllegalArgumentException("kernel '" + kernel.name() + "' has no native implementation");
        }
        return id;
    }
}
