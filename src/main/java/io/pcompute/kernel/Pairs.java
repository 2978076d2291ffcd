package io.pcompute.kernel;

import java.util.Arrays;

/** The problem of a {@link PairKernel}: {@code out[k] = f(a[k], b[k])}. Validated by the kernel, not here. */
public record Pairs(long[] a, long[] b) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Pairs p && Arrays.equals(a, p.a) && Arrays.equals(b, p.b);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(a) + Arrays.hashCode(b);
    }

    @Override
    public String toString() {
        return "Pairs[a=" + Arrays.toString(a) + ", b=" + Arrays.toString(b) + "]";
    }
}
