/**
 * <b>For proving a port</b>: {@link io.pcompute.validate.PortValidator} runs a kernel's generated cases, edge
 * cases and shrinking on every runner and holds each result to the kernel's Java reference, reporting the
 * smallest failing input it finds.
 */
package io.pcompute.validate;
