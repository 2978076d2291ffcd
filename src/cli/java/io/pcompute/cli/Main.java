package io.pcompute.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pcompute} command line. */
@Command(name = "pcompute", mixinStandardHelpOptions = true, version = "pcompute 0.1.0",
        description = "Native compute kernels for Java, held to their Java reference.",
        subcommands = {SeedCommand.class, ValidateCommand.class, KernelsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, reporting a bad option value as one line (exit status 2) instead of a trace. */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + e.getMessage());
                cmd.getErr().flush();
                return 2;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
