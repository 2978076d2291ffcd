/**
 * <b>The built-in kernels</b>, one class per family, each mirroring its C file in {@code native-src/src}:
 * gcd, primes, mandelbrot, reductions, matmul, histogram, collatz. {@link io.pcompute.kernels.JavaReference}
 * holds the plain-Java definitions several of them share.
 */
package io.pcompute.kernels;
