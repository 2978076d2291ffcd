/**
 * <b>For kernel authors</b>: the contract every kernel declares — built-in or an application's. A
 * {@link io.pcompute.kernel.Kernel} states its problem shape and {@link io.pcompute.kernel.Buffers} (the C
 * side's {@code pc_args}), its Java reference (the definition of correct), its comparison rule, and its input
 * generator and shrinking steps for the validator. Its C code is either libpcompute's kernel of the same
 * name or a symbol of the application's own shared library ({@link io.pcompute.kernel.NativeLibrary},
 * {@link io.pcompute.kernel.NativeKernel}), written against {@code pcompute_kernel.h}.
 * {@link io.pcompute.kernel.KernelProvider} lists an application's kernels for the registry, the command
 * line and the validator. {@link io.pcompute.kernel.Compare} and {@link io.pcompute.kernel.Shrink} are
 * helpers for declarations.
 */
package io.pcompute.kernel;
