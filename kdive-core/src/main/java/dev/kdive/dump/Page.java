package dev.kdive.dump;

import java.lang.foreign.MemorySegment;

/**
 * One physical page frame as the dump has it. A page the dump lacks is a value, not an exception:
 * callers report it with the address that led there.
 */
public sealed interface Page {
    long pfn();

    /** The page's bytes (a view of the mapped file, or a decompressed copy). */
    record Data(long pfn, MemorySegment bytes) implements Page {}

    /** Filtered out when the dump was written (makedumpfile -d: zero, cache, user or free pages). */
    record Excluded(long pfn, String why) implements Page {}

    /** Not in the dump at all: a hole in physical memory, or past its end. */
    record Absent(long pfn, String why) implements Page {}

    /** In the dump but unreadable: the message names the file offset and what was wrong. */
    record Corrupt(long pfn, String why) implements Page {}
}
