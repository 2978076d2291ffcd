package io.pcompute.kernels;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Compare;
import io.pcompute.kernel.Kernel;
import io.pcompute.kernel.Shrink;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mandelbrot escape counts over a grid: irregular cost per pixel, floating point. Pixel (col, row) is
 * c = (x0 + col * dx, y0 + row * dy); z = z^2 + c from 0 until |z|^2 > 4 or maxIter steps. The counts
 * must match the reference exactly: both sides do the same IEEE operations in the same order.
 */
public final class Mandelbrot extends Kernel<Mandelbrot.Grid, long[]> {
    public static final Mandelbrot KERNEL = new Mandelbrot();

    /** A width x height grid of pixels, row-major. */
    public record Grid(int width, int height, long maxIter, double x0, double y0, double dx, double dy) {}

    private Mandelbrot() {
        super("mandelbrot");
    }

    @Override
    public void validate(Grid g) {
        requireNonNull(g, "grid");
        if (g.width() < 1) {
            throw new IllegalArgumentException("width = " + g.width() + ": must be >= 1");
        }
        if (g.height() < 0) {
            throw new IllegalArgumentException("height = " + g.height() + ": must be >= 0");
        }
        if ((long) g.width() * g.height() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("width * height = " + (long) g.width() * g.height() + ": too many pixels");
        }
        if (g.maxIter() < 1) {
            throw new IllegalArgumentException("maxIter = " + g.maxIter() + ": must be >= 1");
        }
        String[] names = {"x0", "y0", "dx", "dy"};
        double[] values = {g.x0(), g.y0(), g.dx(), g.dy()};
        for (int i = 0; i < 4; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(names[i] + " = " + values[i] + ": must be finite");
            }
        }
    }

    @Override
    public long items(Grid g) {
        return (long) g.width() * g.height();
    }

    @Override
    protected int tasksPerThread() {
        return 64; // points inside the set cost maxIter steps, points far outside one
    }

    @Override
    protected long minChunk() {
        return 64;
    }

    @Override
    public Buffers buffers(Grid g) {
        return new Buffers().iparam(0, g.width()).iparam(1, g.maxIter())
                .dparam(0, g.x0()).dparam(1, g.y0()).dparam(2, g.dx()).dparam(3, g.dy())
                .out(0, new long[(int) items(g)]);
    }

    @Override
    public void reference(Buffers buffers, long begin, long end) {
        long width = buffers.iparam(0);
        long maxIter = buffers.iparam(1);
        double x0 = buffers.dparam(0), y0 = buffers.dparam(1), dx = buffers.dparam(2), dy = buffers.dparam(3);
        long[] out = buffers.longOut(0);
        for (long k = begin; k < end; k++) {
            double cx = x0 + (double) (k % width) * dx;
            double cy = y0 + (double) (k / width) * dy;
            double zx = 0.0, zy = 0.0;
            long iter = 0;
            while (iter < maxIter) {
                double zx2 = zx * zx;
                double zy2 = zy * zy;
                if (zx2 + zy2 > 4.0) {
                    break;
                }
                zy = 2.0 * zx * zy + cy;
                zx = zx2 - zy2 + cx;
                iter++;
            }
            out[(int) k] = iter;
        }
    }

    @Override
    public long[] finish(Grid g, Buffers buffers) {
        return buffers.longOut(0);
    }

    @Override
    public String difference(long[] expected, long[] actual) {
        return Compare.exact(expected, actual);
    }

    @Override
    public Grid random(SplittableRandom random, int size) {
        int width = random.nextInt(1, 2 + (int) Math.sqrt(8.0 * size));
        int height = random.nextInt(0, 2 + (int) Math.sqrt(8.0 * size));
        double x0 = random.nextDouble(-2.5, 1.0);
        double y0 = random.nextDouble(-1.5, 1.5);
        double span = random.nextBoolean() ? random.nextDouble(1e-6, 1e-2) : random.nextDouble(1e-2, 0.2);
        return new Grid(width, height, random.nextLong(1, 300), x0, y0, span, span * random.nextDouble(0.5, 2));
    }

    @Override
    public List<Grid> edgeCases() {
        return List.of(
                new Grid(1, 0, 10, 0, 0, 0.1, 0.1),                       // empty
                new Grid(1, 1, 1, 0, 0, 0, 0),                             // one pixel, one step
                new Grid(1, 1, 1000, -2.0, 0.0, 0, 0),                     // on the set's left tip
                new Grid(1, 1, 1000, 0.25, 0.0, 0, 0),                     // the cusp: slow escape
                new Grid(3, 3, 500, -0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE), // -0.0, subnormals
                new Grid(7, 5, 200, -2.0, -1.25, 0.5, 0.5),                // coarse view
                new Grid(63, 65, 256, -0.75, 0.1, 1e-3, 1e-3),             // straddles task sizes
                new Grid(1, 4097, 50, 0.3, -1, 0, 5e-4),                   // one column
                new Grid(120, 80, 1000, -2.2, -1.2, 0.027, 0.03));         // the classic picture
    }

    @Override
    public List<Grid> shrink(Grid g) {
        List<Grid> out = new ArrayList<>();
        if (g.height() > 1) {
            out.add(new Grid(g.width(), g.height() / 2, g.maxIter(), g.x0(), g.y0(), g.dx(), g.dy()));
            out.add(new Grid(g.width(), g.height() - g.height() / 2, g.maxIter(), g.x0(),
                    g.y0() + (g.height() / 2) * g.dy(), g.dx(), g.dy()));
        }
        if (g.width() > 1) {
            out.add(new Grid(g.width() / 2, g.height(), g.maxIter(), g.x0(), g.y0(), g.dx(), g.dy()));
            out.add(new Grid(g.width() - g.width() / 2, g.height(), g.maxIter(), g.x0() + (g.width() / 2) * g.dx(),
                    g.y0(), g.dx(), g.dy()));
        }
        for (long v : Shrink.simpler(g.maxIter(), 1)) {
            out.add(new Grid(g.width(), g.height(), v, g.x0(), g.y0(), g.dx(), g.dy()));
        }
        return out;
    }

    @Override
    public String describe(Grid g) {
        return g.width() + "x" + g.height() + " grid, maxIter " + g.maxIter() + ", x0 " + g.x0() + ", y0 " + g.y0()
                + ", dx " + g.dx() + ", dy " + g.dy();
    }

    @Override
    public String describeResult(long[] counts) {
        return Shrink.preview(counts);
    }
}
