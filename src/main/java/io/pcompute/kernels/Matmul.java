package io.pcompute.kernels;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Compare;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Shrink;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Dense matrix multiply C = A * B of row-major doubles; items are rows of C. The C kernel is blocked for
 * cache and vectorized, yet every C[i][j] still accumulates A[i][p] * B[p][j] for p = 0, 1, ... in order,
 * exactly as this reference does, so the declared bound is 0 ulp.
 */
public final class Matmul extends Kernel<Matmul.Matrices, double[]> {
    public static final Matmul KERNEL = new Matmul();

    /** A is rows x inner, B is inner x cols, both row-major. */
    public record Matrices(int rows, int inner, int cols, double[] a, double[] b) {}

    private Matmul() {
        super("matmul");
    }

    @Override
    public void validate(Matrices m) {
        requireNonNull(m, "matrices");
        requireNonNull(m.a(), "a");
        requireNonNull(m.b(), "b");
        if (m.rows() < 0) {
            throw new IllegalArgumentException("rows = " + m.rows() + ": must be >= 0");
        }
        if (m.inner() < 1) {
            throw new IllegalArgumentException("inner = " + m.inner() + ": must be >= 1");
        }
        if (m.cols() < 1) {
            throw new IllegalArgumentException("cols = " + m.cols() + ": must be >= 1");
        }
        if ((long) m.rows() * m.inner() != m.a().length) {
            throw new IllegalArgumentException("a.length = " + m.a().length + ": must be rows * inner = "
                    + (long) m.rows() * m.inner());
        }
        if ((long) m.inner() * m.cols() != m.b().length) {
            throw new IllegalArgumentException("b.length = " + m.b().length + ": must be inner * cols = "
                    + (long) m.inner() * m.cols());
        }
        if ((long) m.rows() * m.cols() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("rows * cols = " + (long) m.rows() * m.cols() + ": too large for one array");
        }
    }

    @Override
    public long items(Matrices m) {
        return m.rows();
    }

    @Override
    protected int tasksPerThread() {
        return 4;
    }

    @Override
    public Buffers buffers(Matrices m) {
        return new Buffers().in(0, m.a()).in(1, m.b()).iparam(0, m.inner()).iparam(1, m.cols())
                .out(0, new double[m.rows() * m.cols()]);
    }

    @Override
    public void reference(Buffers buffers, long begin, long end) {
        double[] a = buffers.doubleIn(0);
        double[] b = buffers.doubleIn(1);
        double[] c = buffers.doubleOut(0);
        int inner = (int) buffers.iparam(0);
        int cols = (int) buffers.iparam(1);
        for (int i = (int) begin; i < end; i++) {
            for (int j = 0; j < cols; j++) {
                c[i * cols + j] = 0.0;
            }
            for (int p = 0; p < inner; p++) {
                double aip = a[i * inner + p];
                for (int j = 0; j < cols; j++) {
                    c[i * cols + j] += aip * b[p * cols + j];
                }
            }
        }
    }

    @Override
    public double[] finish(Matrices m, Buffers buffers) {
        return buffers.doubleOut(0);
    }

    @Override
    public String difference(double[] expected, double[] actual) {
        return Compare.ulps(expected, actual, 0);
    }

    private static double[] random(SplittableRandom random, int n, boolean specials) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextDouble(-10, 10);
            if (specials && random.nextInt(200) == 0) {
                x[i] = new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE, 1e300}[random.nextInt(5)];
            }
        }
        return x;
    }

    @Override
    public Matrices random(SplittableRandom random, int size) {
        int edge = 2 + (int) Math.cbrt(60.0 * size);
        int rows = random.nextInt(0, edge);
        int inner = random.nextInt(1, edge);
        int cols = random.nextInt(1, edge);
        boolean specials = random.nextInt(4) == 0;
        return new Matrices(rows, inner, cols, random(random, rows * inner, specials), random(random, inner * cols, specials));
    }

    @Override
    public List<Matrices> edgeCases() {
        SplittableRandom random = new SplittableRandom(7);
        List<Matrices> cases = new ArrayList<>();
        cases.add(new Matrices(0, 3, 2, new double[0], new double[6]));
        cases.add(new Matrices(1, 1, 1, new double[] {-0.0}, new double[] {0.0}));
        cases.add(new Matrices(2, 3, 2, new double[] {1, 2, 3, 4, 5, 6}, new double[] {7, 8, 9, 10, 11, 12}));
        cases.add(new Matrices(1, 2, 1, new double[] {Double.POSITIVE_INFINITY, 1}, new double[] {0, Double.NaN}));
        cases.add(new Matrices(1, 2, 2, new double[] {Double.MAX_VALUE, Double.MAX_VALUE}, new double[] {2, 1, -2, -1}));
        cases.add(new Matrices(2, 2, 1, new double[] {Double.MIN_VALUE, 1, -Double.MIN_VALUE, -0.0}, new double[] {0.5, -0.0}));
        for (int[] d : new int[][] {{17, 257, 3}, {5, 513, 9}, {64, 64, 64}, {1, 300, 1}, {33, 1, 65}}) {
            cases.add(new Matrices(d[0], d[1], d[2], random(random, d[0] * d[1], false), random(random, d[1] * d[2], false)));
        }
        return cases;
    }

    @Override
    public List<Matrices> shrink(Matrices m) {
        List<Matrices> out = new ArrayList<>();
        if (m.rows() > 0) {
            int half = m.rows() / 2;
            out.add(new Matrices(half, m.inner(), m.cols(), java.util.Arrays.copyOf(m.a(), half * m.inner()), m.b()));
            out.add(new Matrices(m.rows() - half, m.inner(), m.cols(),
                    java.util.Arrays.copyOfRange(m.a(), half * m.inner(), m.a().length), m.b()));
        }
        if (m.cols() > 1) {
            int cols = m.cols() / 2;
            double[] b = new double[m.inner() * cols];
            for (int p = 0; p < m.inner(); p++) {
                System.arraycopy(m.b(), p * m.cols(), b, p * cols, cols);
            }
            out.add(new Matrices(m.rows(), m.inner(), cols, m.a(), b));
        }
        if (m.inner() > 1) {
            int inner = m.inner() / 2;
            double[] a = new double[m.rows() * inner];
            for (int i = 0; i < m.rows(); i++) {
                System.arraycopy(m.a(), i * m.inner(), a, i * inner, inner);
            }
            out.add(new Matrices(m.rows(), inner, m.cols(), a, java.util.Arrays.copyOf(m.b(), inner * m.cols())));
        }
        if (m.a().length <= 4) {
            for (int i = 0; i < m.a().length; i++) {
                for (double v : Shrink.simpler(m.a()[i])) {
                    out.add(new Matrices(m.rows(), m.inner(), m.cols(), Shrink.with(m.a(), i, v), m.b()));
                }
            }
        }
        return out;
    }

    @Override
    public String describe(Matrices m) {
        return m.rows() + "x" + m.inner() + " times " + m.inner() + "x" + m.cols() + ", a = " + Shrink.preview(m.a())
                + ", b = " + Shrink.preview(m.b());
    }

    @Override
    public String describeResult(double[] c) {
        return Shrink.preview(c);
    }
}
