package io.pcompute;

import io.pcompute.internal.Native;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.KernelProvider;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The kernel registry: pcompute's built-in kernels, then every application kernel listed by a
 * {@link KernelProvider} service, by name.
 *
 * <p>Built-in kernels: the C library lists them ({@code pc_kernel_name}); each one's Java declaration is a
 * public static {@link Kernel} field of {@code io.pcompute.kernels.<Family>}, where Family is the
 * capitalised part of the name before the first underscore ({@code gcd_brute} is {@code Gcd.BRUTE}'s name).
 * A C kernel without a declaration fails here, loudly. Application kernels need none of that: they are
 * found through their provider (or {@link #fromClass}).
 */
public final class Kernels {
    private static final String PACKAGE = "io.pcompute.kernels.";

    private Kernels() {}

    private static final class Registry {
        static final Map<String, Kernel<?, ?>> BY_NAME = new LinkedHashMap<>();

        static {
            List<String> problems = new ArrayList<>();
            for (int id = 1; id <= Native.kernelCount(); id++) {
                String name = Native.kernelName(id);
                Kernel<?, ?> kernel = declaration(name, problems);
                if (kernel != null) {
                    BY_NAME.put(name, kernel);
                }
            }
            try {
                for (KernelProvider provider : ServiceLoader.load(KernelProvider.class)) {
                    addAll(BY_NAME, provider.kernels(), provider.getClass().getName(), problems);
                }
            } catch (ServiceConfigurationError e) {
                problems.add("a KernelProvider service cannot be loaded: " + e.getMessage());
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
            for (Kernel<?, ?> kernel : constants(type, problems)) {
                if (kernel.name().equals(name)) {
                    return kernel;
                }
            }
            problems.add("C kernel '" + name + "' has no public static Kernel field named '" + name + "' in " + className);
            return null;
        }
    }

    /** Adds {@code kernels} (from {@code source}) to {@code into}, noting a null or a name taken twice. */
    private static void addAll(Map<String, Kernel<?, ?>> into, List<Kernel<?, ?>> kernels, String source,
                               List<String> problems) {
        if (kernels == null) {
            problems.add(source + ".kernels() returned null");
            return;
        }
        for (Kernel<?, ?> kernel : kernels) {
            if (kernel == null) {
                problems.add(source + ".kernels() contains null");
                continue;
            }
            Kernel<?, ?> other = into.putIfAbsent(kernel.name(), kernel);
            if (other != null && other != kernel) {
                problems.add("two kernels are named '" + kernel.name() + "': " + other.getClass().getName() + " and "
                        + kernel.getClass().getName() + " (from " + source + ")");
            }
        }
    }

    /** The public static Kernel constants of {@code type}. */
    private static List<Kernel<?, ?>> constants(Class<?> type, List<String> problems) {
        List<Kernel<?, ?>> out = new ArrayList<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && Kernel.class.isAssignableFrom(field.getType())) {
                try {
                    Kernel<?, ?> kernel = (Kernel<?, ?>) field.get(null);
                    if (kernel != null && !out.contains(kernel)) {
                        out.add(kernel);
                    }
                } catch (IllegalAccessException e) {
                    problems.add(type.getName() + "." + field.getName() + " is not accessible: " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** Every kernel: the built-in ones in the C library's order, then those of the providers. */
    public static List<Kernel<?, ?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(Registry.BY_NAME.values()));
    }

    /**
     * The kernel with this name ({@code gcd_brute}, ...).
     *
     * @throws IllegalArgumentException naming the known kernels if there is none
     */
    public static Kernel<?, ?> byName(String name) {
        Kernel<?, ?> kernel = Registry.BY_NAME.get(name);
        if (kernel == null) {
            throw new IllegalArgumentException("kernel = '" + name + "': must be one of " + Registry.BY_NAME.keySet());
        }
        return kernel;
    }

    /**
     * The kernels a class names, for command lines: a {@link KernelProvider} (made with its public no-argument
     * constructor) gives its {@code kernels()}; any other class its public static {@link Kernel} constants.
     *
     * @throws IllegalArgumentException if the class cannot be found, made, or names no kernel, or if two of
     *     its kernels share a name
     */
    public static List<Kernel<?, ?>> fromClass(String className) {
        Class<?> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            type = Class.forName(className, true, loader != null ? loader : Kernels.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("kernel class '" + className + "' cannot be loaded: " + e
                    + " (is it on the class path or module path?)", e);
        }
        List<String> problems = new ArrayList<>();
        List<Kernel<?, ?>> kernels;
        if (KernelProvider.class.isAssignableFrom(type)) {
            try {
                kernels = ((KernelProvider) type.getConstructor().newInstance()).kernels();
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("kernel provider " + className
                        + " cannot be made with a public no-argument constructor: " + e, e);
            }
        } else {
            kernels = constants(type, problems);
        }
        Map<String, Kernel<?, ?>> byName = new LinkedHashMap<>();
        addAll(byName, kernels, className, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("class " + className + " names no kernel: it must implement "
                    + KernelProvider.class.getName() + " or declare public static Kernel constants");
        }
        return List.copyOf(byName.values());
    }
}
