package dev.kdive.lab;

/** A lab step that failed: the message says which step, why, and what to do. */
public final class LabException extends Exception {
    private static final long serialVersionUID = 1L;

    public LabException(String step, String why) {
        super(step + ": " + why);
    }
}
