package dev.kdive.arch;

import java.util.List;

/** The outcome of walking the page tables for one virtual address; both outcomes keep the walk. */
public sealed interface Translation {
    long virtual();

    /** The entries read on the way, top level first. */
    List<Step> walk();

    /** One page-table entry read during a walk: its level ("PGD", "P4D", "PUD", "PMD", "PTE"), where it sits, its value. */
    record Step(String level, long entryAddress, long entry) {}

    /** {@code virtual} maps to {@code physical} through a page of {@code pageSize} bytes. */
    record Mapped(long virtual, long physical, long pageSize, List<Step> walk) implements Translation {}

    /** {@code virtual} does not translate; {@code reason} says at which level and why. */
    record Unmapped(long virtual, String reason, List<Step> walk) implements Translation {}
}
