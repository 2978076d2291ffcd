package io.pcompute.internal;

import io.pcompute.internal.ffi.pcompute_h;

/**
 * The C library's limits, read from the generated constants of pcompute.h (the one place they are
 * defined), so that Java validation never drifts from what the kernels accept. Reading them does not
 * load the native library.
 */
public final class Limits {
    private Limits() {}

    /** The most worker threads a native pool may have. */
    public static final int MAX_THREADS = pcompute_h.PC_MAX_THREADS();
    /** The longest lazy wake window of a native pool, in nanoseconds. */
    public static final long MAX_LAZY_WAKE_NS = pcompute_h.PC_POOL_MAX_LAZY_WAKE_NS();
    /** primes_trial counts below this end (lo + n) at most. */
    public static final long PRIMES_TRIAL_MAX_END = pcompute_h.PC_PRIMES_TRIAL_MAX_END();
    /** primes_sieve counts below this end (lo + n) at most. */
    public static final long PRIMES_SIEVE_MAX_END = pcompute_h.PC_PRIMES_SIEVE_MAX_END();
    /** The most bins of a histogram. */
    public static final long HISTOGRAM_MAX_BINS = pcompute_h.PC_HISTOGRAM_MAX_BINS();
    /** The largest Collatz start value. */
    public static final long COLLATZ_MAX_START = pcompute_h.PC_COLLATZ_MAX_START();
}
