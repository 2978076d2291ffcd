/**
 * The {@code pcompute} command line (picocli): {@code seed}, {@code validate}, {@code kernels}. Not part of the
 * library or its module: built from {@code src/cli/java} into the executable jar with classifier {@code cli}
 * (the library, picocli and progressbar in one jar; {@code java -jar pcompute-0.1.0-cli.jar}), on the class path.
 */
package io.pcompute.cli;
