import io.pcompute.*;
import io.pcompute.kernels.*;
import java.util.*;
public class Exp {
    public static void main(String[] a) {
        int n = 16;
        SplittableRandom r = new SplittableRandom(42);
        var p = new Matmul.Matrices(n, n, n, r.doubles((long) n * n, -1, 1).toArray(), r.doubles((long) n * n, -1, 1).toArray());
        @SuppressWarnings("unchecked") var k = (io.pcompute.kernel.Kernel<Object,Object>) Kernels.byName("matmul");
        try (Runner ns = Strategy.fromLabel(a[0]).open(0)) {
            int total = 0;
            for (int batch : new int[] {1, 1, 1, 10, 50, 100, 200, 500, 1000, 5000, 20000, 50000}) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) ns.run(k, p);
                total += batch;
                System.out.printf("after %6d calls: %.2f us/call%n", total, (System.nanoTime() - t0) / 1e3 / batch);
            }
        }
    }
}
