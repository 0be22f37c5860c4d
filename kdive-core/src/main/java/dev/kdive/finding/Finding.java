package dev.kdive.finding;

import java.util.List;

/**
 * Something kdive found wrong or missing while reading a crashed kernel, as data: what kind, how
 * grave, the addresses involved, and the chain of reads that shows it. Corrupted lists, bad free
 * pointers, unreadable memory and what the dump cannot say are all findings; the prose a reader
 * sees ({@link #summary()}) is rendered from the fields, and triage ranks findings by them.
 */
public sealed interface Finding permits CrashReport, ListCorruption, SlabDamage, Inconsistent, UnreadableMemory, Unavailable {
    /** {@return a stable machine-readable name: "list.loop", "slab.non_canonical", "memory.unreadable"} */
    String kind();

    Severity severity();

    /** {@return one line for people, made from the fields} */
    String summary();

    /** {@return the reads that show it, in the order they were made} */
    List<Evidence> evidence();

    /**
     * {@return why {@code what} is missing from an answer: an {@link UnreadableMemory} for a read the
     * dump could not satisfy, else {@link Unavailable} with the exception's message (no such symbol,
     * member or layout in this kernel)}
     */
    static Finding missing(String what, Exception e) {
        return e instanceof dev.kdive.dump.MemoryFault f ? UnreadableMemory.of(what, f) : new Unavailable(what, e.getMessage());
    }
}
