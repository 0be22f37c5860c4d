package dev.kdive.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The kdive command line. Subcommands are listed by --help; only what works is registered. */
@Command(name = "kdive", mixinStandardHelpOptions = true, version = "kdive 0.1.0",
        description = "Turns a Linux kernel crash (vmcore or oops log) into an answer.",
        subcommands = {InfoCommand.class, LabCommand.class, DemoCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Bad input is a one-line reason and a non-zero status, never a Java stack trace.
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("kdive: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return cl;
    }
}
