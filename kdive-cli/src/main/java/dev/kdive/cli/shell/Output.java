package dev.kdive.cli.shell;

import java.io.PrintWriter;

/** What a shell command produced: rendered as crash-style text, or as JSON data. */
public interface Output {
    void text(PrintWriter out);

    /**
     * {@return the same content as data for --json, written mechanically by {@link Json}: by default
     * the output record itself, component by component}
     */
    default Object json() {
        return this;
    }
}
