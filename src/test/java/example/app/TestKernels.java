package example.app;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Compare;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.KernelProvider;
import io.pcompute.kernel.NativeKernel;
import io.pcompute.kernel.NativeLibrary;
import io.pcompute.kernel.Shrink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kernels declared as an application declares them — in its own package, their C code in its own shared
 * library (native-src/tests/app_kernels.c, built by CMake, located by the test property below) — over the
 * element types int, float and byte.
 */
public final class TestKernels implements KernelProvider {
    /** Where Maven's build put the test kernels' library. */
    public static final Path LIBRARY = Path.of(System.getProperty("pcompute.test.app.kernels",
            "target/native-build/app-kernels/libpcompute_app_kernels.so"));
    public static final NativeLibrary LIB = NativeLibrary.load(LIBRARY);

    public static final ScaleInt SCALE_INT = new ScaleInt(LIB.kernel("pct_scale_int_kernel"));
    public static final SaxpyFloat SAXPY_FLOAT = new SaxpyFloat(LIB.kernel("pct_saxpy_float_kernel"));
    public static final ByteSums BYTE_SUMS = new ByteSums("byte_sums", LIB.kernel("pct_byte_sums_kernel"));

    @Override
    public List<Kernel<?, ?>> kernels() {
        return List.of(SCALE_INT, SAXPY_FLOAT, BYTE_SUMS);
    }

    // ---- int: out[k] = values[k] * mul + add, values >= 0 ---------------------------------------------

    public record Scale(int[] values, int mul, int add) {}

    /** Not final: a test declares a subclass whose buffers are shorter than its C code needs. */
    public static class ScaleInt extends Kernel<Scale, int[]> {
        ScaleInt(NativeKernel code) {
            super("scale_int", code);
        }

        @Override
        public void validate(Scale p) {
            requireNonNull(p, "problem");
            requireNonNull(p.values(), "values");
            for (int k = 0; k < p.values().length; k++) {
                if (p.values()[k] < 0) {
                    throw new IllegalArgumentException("values[" + k + "] = " + p.values()[k] + ": must be >= 0");
                }
            }
        }

        @Override
        public long items(Scale p) {
            return p.values().length;
        }

        @Override
        public Buffers buffers(Scale p) {
            return new Buffers().in(0, p.values()).out(0, new int[p.values().length]).iparam(0, p.mul()).iparam(1, p.add());
        }

        @Override
        public void reference(Buffers b, long begin, long end) {
            int[] in = b.intIn(0);
            int[] out = b.intOut(0);
            int mul = (int) b.iparam(0);
            int add = (int) b.iparam(1);
            for (int k = (int) begin; k < end; k++) {
                out[k] = in[k] * mul + add;
            }
        }

        @Override
        public int[] finish(Scale p, Buffers b) {
            return b.intOut(0);
        }

        @Override
        public String difference(int[] expected, int[] actual) {
            return Compare.exact(expected, actual);
        }

        @Override
        public Scale random(SplittableRandom r, int size) {
            int[] v = r.ints(r.nextInt(0, 4 * size + 2), 0, Integer.MAX_VALUE).toArray();
            return new Scale(v, r.nextInt(), r.nextInt());
        }

        @Override
        public List<Scale> edgeCases() {
            return List.of(new Scale(new int[0], 3, 4), new Scale(new int[] {0}, 0, 0),
                    new Scale(new int[] {Integer.MAX_VALUE, 1, 0}, Integer.MAX_VALUE, Integer.MIN_VALUE));
        }

        @Override
        public List<Scale> shrink(Scale p) {
            List<Scale> out = new ArrayList<>();
            for (int[] cut : Shrink.cuts(p.values().length)) {
                long[] kept = Shrink.without(Arrays.stream(p.values()).asLongStream().toArray(), cut);
                out.add(new Scale(Arrays.stream(kept).mapToInt(x -> (int) x).toArray(), p.mul(), p.add()));
            }
            return out;
        }

        @Override
        public String describe(Scale p) {
            return "mul " + p.mul() + ", add " + p.add() + ", values " + Arrays.toString(p.values());
        }

        @Override
        public String describeResult(int[] r) {
            return Arrays.toString(r);
        }
    }

    // ---- float: out[k] = alpha * x[k] + y[k], float arithmetic, no fused multiply-add ----------------

    public record Saxpy(float alpha, float[] x, float[] y) {}

    public static final class SaxpyFloat extends Kernel<Saxpy, float[]> {
        SaxpyFloat(NativeKernel code) {
            super("saxpy_float", code);
        }

        @Override
        public void validate(Saxpy p) {
            requireNonNull(p, "problem");
            requireNonNull(p.x(), "x");
            requireNonNull(p.y(), "y");
            if (p.x().length != p.y().length) {
                throw new IllegalArgumentException("y.length = " + p.y().length + ": must equal x.length = " + p.x().length);
            }
        }

        @Override
        public long items(Saxpy p) {
            return p.x().length;
        }

        @Override
        public Buffers buffers(Saxpy p) {
            return new Buffers().in(0, p.x()).in(1, p.y()).out(0, new float[p.x().length]).dparam(0, p.alpha());
        }

        @Override
        public void reference(Buffers b, long begin, long end) {
            float[] x = b.floatIn(0);
            float[] y = b.floatIn(1);
            float[] out = b.floatOut(0);
            float alpha = (float) b.dparam(0);
            for (int k = (int) begin; k < end; k++) {
                out[k] = alpha * x[k] + y[k];
            }
        }

        @Override
        public float[] finish(Saxpy p, Buffers b) {
            return b.floatOut(0);
        }

        @Override
        public String difference(float[] expected, float[] actual) {
            return Compare.exact(expected, actual);
        }

        @Override
        public Saxpy random(SplittableRandom r, int size) {
            int n = r.nextInt(0, 4 * size + 2);
            float[] x = new float[n];
            float[] y = new float[n];
            for (int k = 0; k < n; k++) {
                x[k] = (float) r.nextDouble(-1e6, 1e6);
                y[k] = r.nextInt(20) == 0 ? Float.NaN : (float) r.nextDouble(-1e6, 1e6);
            }
            return new Saxpy((float) r.nextDouble(-10, 10), x, y);
        }

        @Override
        public List<Saxpy> edgeCases() {
            return List.of(new Saxpy(1, new float[0], new float[0]),
                    new Saxpy(Float.MAX_VALUE, new float[] {2, -0f, Float.MIN_VALUE}, new float[] {1, 0, Float.NaN}));
        }

        @Override
        public List<Saxpy> shrink(Saxpy p) {
            List<Saxpy> out = new ArrayList<>();
            if (p.x().length > 1) {
                int half = p.x().length / 2;
                out.add(new Saxpy(p.alpha(), Arrays.copyOf(p.x(), half), Arrays.copyOf(p.y(), half)));
                out.add(new Saxpy(p.alpha(), Arrays.copyOfRange(p.x(), half, p.x().length),
                        Arrays.copyOfRange(p.y(), half, p.y().length)));
            }
            return out;
        }

        @Override
        public String describe(Saxpy p) {
            return "alpha " + p.alpha() + ", x " + Arrays.toString(p.x()) + ", y " + Arrays.toString(p.y());
        }

        @Override
        public String describeResult(float[] r) {
            return Arrays.toString(r);
        }
    }

    // ---- byte: out[b] = sum of the unsigned bytes of block b; a byte[] or a native segment ------------

    /** Exactly one of {@code array} and {@code segment} is set. */
    public record Bytes(byte[] array, MemorySegment segment, int block) {
        public static Bytes of(byte[] array, int block) {
            return new Bytes(array, null, block);
        }

        long length() {
            return array != null ? array.length : segment.byteSize();
        }
    }

    public static final class ByteSums extends Kernel<Bytes, long[]> {
        public ByteSums(String name, NativeKernel code) {
            super(name, code);
        }

        /** A Java-only twin: no C code anywhere. */
        public ByteSums(String name) {
            super(name);
        }

        @Override
        public void validate(Bytes p) {
            requireNonNull(p, "problem");
            if ((p.array() == null) == (p.segment() == null)) {
                throw new IllegalArgumentException("give exactly one of array and segment");
            }
            if (p.segment() != null) {
                requireElements(p.segment(), "segment", ValueLayout.JAVA_BYTE);
            }
            if (p.block() < 1) {
                throw new IllegalArgumentException("block = " + p.block() + ": must be >= 1");
            }
        }

        @Override
        public long items(Bytes p) {
            return p.length();
        }

        @Override
        public long block(Bytes p) {
            return p.block();
        }

        @Override
        public Buffers buffers(Bytes p) {
            Buffers b = p.array() != null ? new Buffers().in(0, p.array())
                    : new Buffers().in(0, p.segment(), ValueLayout.JAVA_BYTE);
            return b.out(0, new long[blocks(p.length(), p.block())]).iparam(0, p.block());
        }

        @Override
        public void reference(Buffers b, long begin, long end) {
            byte[] in = b.byteIn(0);
            long[] out = b.longOut(0);
            int block = (int) b.iparam(0);
            for (int blk = (int) (begin / block); (long) blk * block < end; blk++) {
                long sum = 0;
                for (int k = blk * block; k < Math.min(end, (long) (blk + 1) * block); k++) {
                    sum += in[k] & 0xff;
                }
                out[blk] = sum;
            }
        }

        @Override
        public long[] finish(Bytes p, Buffers b) {
            return b.longOut(0);
        }

        @Override
        public String difference(long[] expected, long[] actual) {
            return Compare.exact(expected, actual);
        }

        @Override
        public Bytes random(SplittableRandom r, int size) {
            byte[] data = new byte[r.nextInt(0, 8 * size + 2)];
            r.nextBytes(data);
            return Bytes.of(data, r.nextInt(1, 40));
        }

        @Override
        public List<Bytes> edgeCases() {
            byte[] ff = new byte[1000];
            Arrays.fill(ff, (byte) 0xff);
            return List.of(Bytes.of(new byte[0], 1), Bytes.of(new byte[] {-1}, 7), Bytes.of(ff, 999),
                    new Bytes(null, Arena.global().allocate(333).fill((byte) 0x80), 10));
        }

        @Override
        public List<Bytes> shrink(Bytes p) {
            List<Bytes> out = new ArrayList<>();
            if (p.array() != null && p.array().length > 1) {
                out.add(Bytes.of(Arrays.copyOf(p.array(), p.array().length / 2), p.block()));
            }
            return out;
        }

        @Override
        public String describe(Bytes p) {
            return "block " + p.block() + ", " + (p.array() != null ? Arrays.toString(p.array())
                    : p.segment().byteSize() + " bytes in a segment");
        }

        @Override
        public String describeResult(long[] r) {
            return Arrays.toString(r);
        }
    }
}
