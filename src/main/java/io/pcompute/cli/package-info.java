/** The {@code pcompute} command line (picocli): {@code seed}, {@code validate}, {@code kernels}. Not exported. */
package io.pcompute.cli;
