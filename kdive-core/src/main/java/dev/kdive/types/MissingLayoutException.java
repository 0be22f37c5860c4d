package dev.kdive.types;

/**
 * The kernel's types are sound but this kernel has no such layout: "struct task_struct has no member
 * rss_stat", "no struct slab". A command reports it ("this kernel has no ...") and the others go on;
 * code that reads an optional structure catches exactly this, never a bug of kdive's own.
 */
public final class MissingLayoutException extends TypeException {
    private static final long serialVersionUID = 1L;

    public MissingLayoutException(String message) {
        super(message);
    }
}
