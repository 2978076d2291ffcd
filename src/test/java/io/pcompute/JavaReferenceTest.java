package io.pcompute;

import io.pcompute.kernels.JavaReference;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Java references against the independent oracle BigInteger.gcd. */
class JavaReferenceTest {
    private static long oracle(long a, long b) {
        return BigInteger.valueOf(a).gcd(BigInteger.valueOf(b)).longValueExact();
    }

    @Test
    void bothReferencesMatchBigIntegerOnSeedPairs() {
        for (int k = 0; k < TestData.SEED_A.length; k++) {
            long a = TestData.SEED_A[k];
            long b = TestData.SEED_B[k];
            assertEquals(oracle(a, b), JavaReference.gcdBrute(a, b), "brute " + a + ", " + b);
            assertEquals(oracle(a, b), JavaReference.gcdFast(a, b), "fast " + a + ", " + b);
        }
    }

    @Test
    void bothReferencesMatchBigIntegerOnRandomAndEdgePairs() {
        long seed = 20261124L;
        long[] a = TestData.random(seed, 2000, 1, 50_000);
        long[] b = TestData.random(seed + 1, 2000, 1, 50_000);
        for (int k = 0; k < a.length; k++) {
            assertEquals(oracle(a[k], b[k]), JavaReference.gcdBrute(a[k], b[k]), "seed " + seed + ", pair " + k);
            assertEquals(oracle(a[k], b[k]), JavaReference.gcdFast(a[k], b[k]), "seed " + seed + ", pair " + k);
        }
        for (long[] p : TestData.EDGE_PAIRS) {
            assertEquals(oracle(p[0], p[1]), JavaReference.gcdBrute(p[0], p[1]));
            assertEquals(oracle(p[0], p[1]), JavaReference.gcdFast(p[0], p[1]));
        }
    }

    @Test
    void fastReferenceMatchesBigIntegerOnExtremes() {
        for (long[] p : TestData.FAST_EXTREME_PAIRS) {
            assertEquals(oracle(p[0], p[1]), JavaReference.gcdFast(p[0], p[1]), p[0] + ", " + p[1]);
        }
        long[] a = TestData.random(7, 5000, 0, Long.MAX_VALUE);
        long[] b = TestData.random(8, 5000, 0, Long.MAX_VALUE);
        for (int k = 0; k < a.length; k++) {
            assertEquals(oracle(a[k], b[k]), JavaReference.gcdFast(a[k], b[k]));
        }
    }

    @Test
    void referencesRejectInputsOutsideTheirDomain() {
        IllegalArgumentException brute = assertThrows(IllegalArgumentException.class, () -> JavaReference.gcdBrute(0, 5));
        assertEquals("gcdBrute(0, 5): inputs must be positive", brute.getMessage());
        IllegalArgumentException fast = assertThrows(IllegalArgumentException.class, () -> JavaReference.gcdFast(3, -1));
        assertEquals("gcdFast(3, -1): inputs must be non-negative", fast.getMessage());
    }
}
