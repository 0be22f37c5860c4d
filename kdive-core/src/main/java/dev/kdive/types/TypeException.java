package dev.kdive.types;

/** Type information that is malformed: names the section and offset where it was found. */
public final class TypeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TypeException(String message) {
        super(message);
    }
}
