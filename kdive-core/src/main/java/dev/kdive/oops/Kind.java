package dev.kdive.oops;

/** What the kernel reported, in its own words (the first line of each report). */
public enum Kind {
    GENERAL_PROTECTION_FAULT("general protection fault"),
    PAGE_FAULT("unable to handle page fault"),
    KERNEL_BUG("kernel BUG"),
    TRAP("exception"),
    OOPS("Oops"),
    BUG("BUG"),
    WARNING("WARNING"),
    LOCKDEP("lockdep"),
    SOFT_LOCKUP("soft lockup"),
    HARD_LOCKUP("hard LOCKUP"),
    HUNG_TASK("hung task"),
    RCU_STALL("RCU stall"),
    LIST_CORRUPTION("list corruption"),
    KASAN("KASAN"),
    KFENCE("KFENCE"),
    KMSAN("KMSAN"),
    KCSAN("KCSAN"),
    UBSAN("UBSAN"),
    PANIC("Kernel panic"),
    MACHINE_CHECK("machine check"),
    /** Registers and maybe a trace, pasted without the line that said what happened. */
    FRAGMENT("register dump without its report header");

    public final String words;

    Kind(String words) {
        this.words = words;
    }
}
