package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the kdive command line in-process and keeps what it printed, as a user's terminal would show it. */
record CliRun(int status, String out, String err) {
    static CliRun of(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int status = Main.commandLine().execute(args);
            return new CliRun(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** {@return standard output of a run that must succeed} */
    static String ok(String... args) {
        CliRun r = of(args);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }
}
