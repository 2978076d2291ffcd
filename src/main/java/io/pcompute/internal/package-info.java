/**
 * <b>Internal</b> (not exported): the loader, the generated bindings' callers, the strategies' runners,
 * native buffers and scratch memory, and the bridge to the kernel contract. Only this package touches the
 * linker or the generated {@code io.pcompute.internal.ffi} classes. Nothing here is API.
 */
package io.pcompute.internal;
