package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.util.List;

/** One crash-style command: {@code rd}, {@code sym}, ... */
public interface ShellCommand {
    String name();

    /** {@return a one-line synopsis for {@code help}} */
    String synopsis();

    /** {@return one typical use, with what it shows, for {@code help CMD}} */
    String example();

    /**
     * Runs the command. Memory the dump lacks is part of the output (crash prints it and goes on);
     * only a command line that cannot be run throws.
     */
    Output run(Program program, List<String> args) throws UsageException;
}
