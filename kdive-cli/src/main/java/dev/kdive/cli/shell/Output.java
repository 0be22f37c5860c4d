package dev.kdive.cli.shell;

import java.io.PrintWriter;

/** What a shell command produced: rendered as crash-style text, or as JSON data. */
public interface Output {
    void text(PrintWriter out);

    /** {@return the same content as maps, lists, strings and numbers, for --json} */
    Object json();
}
