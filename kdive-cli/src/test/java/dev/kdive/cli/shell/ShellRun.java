package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs shell command lines on an open program, as {@code -c} does, and keeps what they printed. */
final class ShellRun {
    private ShellRun() {
    }

    /** {@return the text output of a line whose commands must all run} */
    static String ok(Program p, String line) {
        return run(p, line, false);
    }

    /** {@return the JSON output (one object per command) of a line whose commands must all run} */
    static String json(Program p, String line) {
        return run(p, line, true);
    }

    private static String run(Program p, String line, boolean json) {
        StringWriter w = new StringWriter();
        Shell shell = new Shell(p, new PrintWriter(w), json);
        shell.runLine(line);
        assertThat(shell.failures()).as(w.toString()).isZero();
        return w.toString();
    }
}
