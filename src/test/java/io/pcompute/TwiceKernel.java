package io.pcompute;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.NativeKernel;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An application's kernel in its own shared library (native-src/tests/worker_test_kernels.c, symbol
 * pcw_test_twice): out[k] = 2 * in[k]. The library's path comes from -Dpcompute.test.kernels.library.
 */
final class TwiceKernel extends Kernel<long[], long[]> {
    TwiceKernel(NativeKernel code) {
        super("twice", code);
    }

    @Override
    public void validate(long[] in) {
        requireNonNull(in, "in");
    }

    @Override
    public long items(long[] in) {
        return in.length;
    }

    @Override
    public Buffers buffers(long[] in) {
        return new Buffers().in(0, in).out(0, new long[in.length]);
    }

    @Override
    public void reference(Buffers b, long begin, long end) {
        for (int k = (int) begin; k < end; k++) {
            b.longOut(0)[k] = 2 * b.longIn(0)[k];
        }
    }

    @Override
    public long[] finish(long[] in, Buffers b) {
        return b.longOut(0);
    }

    @Override
    public String difference(long[] e, long[] a) {
        return Arrays.equals(e, a) ? null : Arrays.toString(e) + " != " + Arrays.toString(a);
    }

    @Override
    public long[] random(SplittableRandom r, int size) {
        return r.longs(size, -1000, 1000).toArray();
    }

    @Override
    public List<long[]> edgeCases() {
        return List.of(new long[0], new long[] {1});
    }

    @Override
    public List<long[]> shrink(long[] p) {
        return p.length > 1 ? List.of(Arrays.copyOf(p, p.length / 2)) : List.of();
    }

    @Override
    public String describe(long[] p) {
        return Arrays.toString(p);
    }

    @Override
    public String describeResult(long[] r) {
        return Arrays.toString(r);
    }
}
