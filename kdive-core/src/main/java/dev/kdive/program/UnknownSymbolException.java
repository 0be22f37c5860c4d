package dev.kdive.program;

/** A name that is not in the program's symbol table. */
public final class UnknownSymbolException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnknownSymbolException(String name) {
        super("no symbol \"" + name + "\"");
    }
}
