package dev.kdive.cli.shell;

/** A command line the command cannot run: unknown flag, missing argument, unknown symbol. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
