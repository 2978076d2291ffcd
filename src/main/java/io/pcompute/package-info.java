/**
 * <b>For applications</b>: compute kernels with a {@link io.pcompute.Strategy} (Java or native, serial or
 * pooled, or {@code AUTO}), run and submit jobs on a {@link io.pcompute.NativePool} ({@link io.pcompute.Job}:
 * futures, progress, cancellation), and find kernels by name ({@link io.pcompute.Kernels}). The kernels
 * themselves are in {@code io.pcompute.kernels} (built-in) or an application's own package; how to declare
 * one is {@code io.pcompute.kernel}; how to prove a port equivalent is {@code io.pcompute.validate}.
 */
package io.pcompute;
