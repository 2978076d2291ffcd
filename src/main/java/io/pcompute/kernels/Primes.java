package io.pcompute.kernels;

import io.pcompute.kernel.Buffers;
import io.pcompute.kernel.Compare;
import io.pcompute.kernel.Kernel;
import io.pcompute.internal.Limits;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Prime counting over {@code [lo, hi)}: by trial division (irregular cost per number) and by a segmented
 * sieve, each with a Java reference of the same algorithm. Each block of {@value #BLOCK} numbers yields a
 * partial count; the result is their sum. Ranges of more than {@value #MAX_PARTIALS} blocks use larger
 * blocks (BLOCK times a power of two), so that the partial counts of any valid range, up to the documented
 * {@code hi = 2^62}, fit in 8 MiB. The tests hold both to the published values of pi(10^k).
 */
public final class Primes extends Kernel<Primes.Range, Long> {
    /** Trial division by 2 and odd d with {@code d * d <= m}; hi up to 2^62. */
    public static final Primes TRIAL = new Primes("primes_trial", Limits.PRIMES_TRIAL_MAX_END);
    /** Segmented sieve of Eratosthenes; hi up to 10^12. */
    public static final Primes SIEVE = new Primes("primes_sieve", Limits.PRIMES_SIEVE_MAX_END);

    /** Numbers per partial count (for ranges of up to {@value #MAX_PARTIALS} blocks). */
    public static final int BLOCK = 1 << 14;

    /** The most partial counts of one range: larger ranges get larger blocks. */
    public static final int MAX_PARTIALS = 1 << 20;

    /** Count the primes p with {@code lo <= p < hi}. */
    public record Range(long lo, long hi) {}

    private final long maxHi;

    private Primes(String name, long maxHi) {
        super(name);
        this.maxHi = maxHi;
    }

    @Override
    public void validate(Range r) {
        requireNonNull(r, "range");
        if (r.lo() < 0) {
            throw new IllegalArgumentException("lo = " + r.lo() + ": must be >= 0");
        }
        if (r.hi() < r.lo()) {
            throw new IllegalArgumentException("hi = " + r.hi() + ": must be >= lo = " + r.lo());
        }
        if (r.hi() > maxHi) {
            throw new IllegalArgumentException("hi = " + r.hi() + ": " + name() + " counts below " + maxHi + " only");
        }
    }

    @Override
    public long items(Range r) {
        return r.hi() - r.lo();
    }

    @Override
    public long block(Range r) {
        return blockFor(r.hi() - r.lo());
    }

    /** BLOCK times the smallest power of two that cuts {@code n} numbers into at most MAX_PARTIALS blocks. */
    static long blockFor(long n) {
        long block = BLOCK;
        while ((n - 1) / block >= MAX_PARTIALS) { // n - 1: no overflow near 2^62, and n == 0 needs one block
            block <<= 1;
        }
        return block;
    }

    @Override
    protected long minChunk() {
        return 4L * BLOCK;
    }

    @Override
    public Buffers buffers(Range r) {
        long block = block(r);
        return new Buffers().iparam(0, r.lo()).iparam(1, block).out(0, new long[blocks(items(r), block)]);
    }

    /** Trial division by 2 and odd d with d * d <= m. */
    static boolean isPrime(long m) {
        if (m < 2) {
            return false;
        }
        if (m < 4) {
            return true;
        }
        if (m % 2 == 0) {
            return false;
        }
        for (long d = 3; d <= m / d; d += 2) {
            if (m % d == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void reference(Buffers buffers, long begin, long end) {
        long lo = buffers.iparam(0);
        long block = buffers.iparam(1);
        long[] counts = buffers.longOut(0);
        if (this == TRIAL) {
            for (long b = begin / block; b * block < end; b++) {
                long count = 0;
                for (long k = b * block; k < Math.min((b + 1) * block, end); k++) {
                    if (isPrime(lo + k)) {
                        count++;
                    }
                }
                counts[(int) b] = count;
            }
        } else {
            sieve(lo, block, counts, begin, end);
        }
    }

    /** Segmented sieve: base primes up to sqrt(hi) by a plain sieve, then each block crossed off. */
    private static void sieve(long lo, long block, long[] counts, long begin, long end) {
        long hi = lo + end;
        int root = (int) Math.sqrt((double) Math.max(hi - 1, 0));
        while ((long) (root + 1) * (root + 1) <= hi - 1) {
            root++;
        }
        while (root > 0 && (long) root * root > hi - 1) {
            root--;
        }
        boolean[] composite = new boolean[root + 1];
        List<Long> base = new ArrayList<>();
        for (int p = 2; p <= root; p++) {
            if (!composite[p]) {
                base.add((long) p);
                for (long q = (long) p * p; q <= root; q += p) {
                    composite[(int) q] = true;
                }
            }
        }
        boolean[] crossed = new boolean[(int) block]; // at most 2^20: hi <= 10^12 is at most 2^26 blocks of 2^14
        for (long b = begin / block; b * block < end; b++) {
            long segLo = lo + b * block;
            long segHi = lo + Math.min((b + 1) * block, end);
            java.util.Arrays.fill(crossed, false);
            for (long p : base) {
                if (p * p > segHi - 1) {
                    break;
                }
                long start = Math.max(p * p, (segLo + p - 1) / p * p);
                for (long q = start; q < segHi; q += p) {
                    crossed[(int) (q - segLo)] = true;
                }
            }
            long count = 0;
            for (long m = Math.max(segLo, 2); m < segHi; m++) {
                if (!crossed[(int) (m - segLo)]) {
                    count++;
                }
            }
            counts[(int) b] = count;
        }
    }

    @Override
    public Long finish(Range r, Buffers buffers) {
        long total = 0;
        for (long c : buffers.longOut(0)) {
            total += c;
        }
        return total;
    }

    @Override
    public String difference(Long expected, Long actual) {
        return Compare.exact(expected, actual);
    }

    @Override
    public Range random(SplittableRandom random, int size) {
        long lo = random.nextBoolean() ? random.nextLong(0, 100) : random.nextLong(0, 10_000_000L);
        return new Range(lo, lo + random.nextLong(0, 40L * size + 2));
    }

    @Override
    public List<Range> edgeCases() {
        List<Range> cases = new ArrayList<>(List.of(new Range(0, 0), new Range(0, 1), new Range(0, 2),
                new Range(1, 2), new Range(2, 3), new Range(3, 4), new Range(4, 5), new Range(0, 100),
                new Range(BLOCK - 1, BLOCK + 1), new Range(0, BLOCK), new Range(0, BLOCK + 1),
                new Range(0, 4L * BLOCK - 1), new Range(0, 4L * BLOCK + 1), new Range(0, 100_000),
                new Range(999_999_000_000L, 999_999_000_100L)));
        if (this == TRIAL) {
            cases.add(new Range((1L << 40) - 100, 1L << 40));
        }
        return cases;
    }

    @Override
    public List<Range> shrink(Range r) {
        List<Range> out = new ArrayList<>();
        long n = r.hi() - r.lo();
        if (n > 1) {
            out.add(new Range(r.lo(), r.lo() + n / 2));
            out.add(new Range(r.lo() + n / 2, r.hi()));
        }
        if (n > 0) {
            out.add(new Range(r.lo(), r.hi() - 1));
            out.add(new Range(r.lo() + 1, r.hi()));
        }
        if (r.lo() > 0) {
            out.add(new Range(r.lo() / 2, r.lo() / 2 + n));
            out.add(new Range(0, n));
        }
        return out;
    }

    @Override
    public String describe(Range r) {
        return "[" + r.lo() + ", " + r.hi() + ")";
    }

    @Override
    public String describeResult(Long count) {
        return count + " primes";
    }
}
