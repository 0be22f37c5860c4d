package dev.kdive.oops;

/**
 * A line that begins a report, or continues the one being read with a line that could also begin
 * one ("Oops: 0002 [#1]" after "BUG: kernel NULL pointer dereference").
 *
 * @param text the line from where the kernel's words begin ("watchdog: " and like prefixes removed)
 */
record Header(Type type, String text) {
    enum Type {
        GPF, PAGE_FAULT, KASAN, KFENCE, KMSAN, KCSAN, SOFT_LOCKUP, BUG, KERNEL_BUG_AT, WARNING, LOCKDEP, HARD_LOCKUP,
        HUNG_TASK, RCU_STALL, LIST, UBSAN, PANIC, MCE, UNABLE_TO_HANDLE, INTERNAL_ERROR, OOPS_CODE, OOPS, TRAP,
        /** Not a kernel line: a register dump pasted without the header of its report, read from its RIP/pc line. */
        FRAGMENT
    }
}
