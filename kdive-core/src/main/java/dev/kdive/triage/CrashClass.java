package dev.kdive.triage;

/** What kind of crash it was, in the words support engineers use for it. */
public enum CrashClass {
    SLAB_FREELIST_CORRUPTION("SLUB free-pointer corruption"),
    DOUBLE_FREE("double free"),
    SLAB_DEBUG_REPORT("slub_debug poison or red zone overwritten"),
    LIST_CORRUPTION("list corruption"),
    GPF_NON_CANONICAL("general protection fault on a non-canonical address"),
    GPF("general protection fault"),
    NULL_POINTER("NULL pointer dereference"),
    BAD_POINTER("page fault on a bad kernel pointer"),
    BUG("BUG()/BUG_ON()"),
    SOFT_LOCKUP("soft lockup"),
    HARD_LOCKUP("hard lockup"),
    HUNG_TASK("hung task"),
    RCU_STALL("RCU stall"),
    SYSRQ("sysrq-triggered crash"),
    PANIC_ON_WARN("panic on warning"),
    WARNING("kernel warning (WARN_ON)"),
    MACHINE_CHECK("machine check"),
    KASAN("KASAN report"),
    KFENCE("KFENCE report"),
    UBSAN("UBSAN report"),
    OTHER_REPORT("kernel report"),
    FRAGMENT("a register dump without its report"),
    PANIC("panic"),
    NONE("no crash");

    private final String words;

    CrashClass(String words) {
        this.words = words;
    }

    /** {@return the class in words} */
    public String words() {
        return words;
    }
}
