package dev.kdive.types;

/**
 * Type information that cannot answer: malformed (naming the section and offset where it was
 * found), or, as {@link MissingLayoutException}, well-formed but without what was asked for.
 */
public class TypeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TypeException(String message) {
        super(message);
    }
}
