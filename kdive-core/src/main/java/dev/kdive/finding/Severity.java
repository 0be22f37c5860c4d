package dev.kdive.finding;

/** How a finding bears on the crash. */
public enum Severity {
    /** What the kernel itself reported when it crashed: the oops, BUG, lockup or panic. */
    CRASH,
    /** The kernel's own data is wrong: a pointer, a count or a list that cannot be as the kernel wrote it when healthy. */
    CORRUPTION,
    /** Data the dump does not have or that does not translate: an excluded page, an unmapped address. */
    UNREADABLE,
    /** What kdive cannot tell from this dump: no types, no such symbol in this kernel. */
    LIMITATION
}
