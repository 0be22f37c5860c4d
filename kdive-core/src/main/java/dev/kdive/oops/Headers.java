package dev.kdive.oops;

import java.util.regex.Pattern;

/**
 * The first lines of reports, as the kernel prints them: arch/x86/kernel/traps.c and dumpstack.c
 * (die: "general protection fault", "invalid opcode", "Oops:"), arch/x86/mm/fault.c ("BUG: kernel
 * NULL pointer dereference", "BUG: unable to handle page fault"), lib/bug.c ("kernel BUG at"),
 * kernel/panic.c (__warn: "WARNING: CPU: N PID: N at FILE:LINE"; panic: "Kernel panic - not
 * syncing:"), kernel/watchdog.c (soft and hard lockups), kernel/hung_task.c, kernel/rcu/tree_stall.h,
 * lib/list_debug.c, mm/kasan/report.c, mm/kfence/report.c, mm/kmsan/report.c, kernel/kcsan/report.c,
 * lib/ubsan.c, arch/x86/kernel/cpu/mce/core.c, arch/arm64/mm/fault.c and arch/arm64/kernel/traps.c.
 */
final class Headers {
    private Headers() {
    }

    private static final boolean[] FIRST = new boolean[128];

    static {
        for (char c : "BWIKUOgkwNrm[MidslhbocamPtuV".toCharArray()) {
            FIRST[c] = true;
        }
    }

    private static final Pattern TRAP = Pattern.compile("(invalid opcode|divide error|divide_error|stack segment|double fault|int3"
            + "|alignment check|segment not present|invalid TSS|bounds|overflow|coprocessor segment overrun|missing ENDBR"
            + "|control protection fault|kernel stack overflow|general protection fault): [0-9a-f]{4} \\[#\\d+\\].*");
    private static final Pattern OOPS_CODE = Pattern.compile("Oops: [0-9a-f]{4,} \\[#\\d+\\].*");
    private static final Pattern SLUB = Pattern.compile("BUG [\\w.:-]+ \\((?:Not tainted|Tainted: [^)]*)\\): .*");
    private static final Pattern LIST = Pattern.compile("(?:h?list_\\w+|list) corruption\\b.*");

    /** {@return whether a report header may begin with this character (cheap test before {@link #match})} */
    static boolean mayStart(char c) {
        return c < 128 && FIRST[c];
    }

    /** {@return the header this trimmed line is, or null} */
    static Header match(String line) {
        String t = line.strip();
        if (t.startsWith("watchdog: ")) {
            t = t.substring(10);
        } else if (t.startsWith("NMI watchdog: ")) {
            t = t.substring(14);
        } else if (t.startsWith("rcu: ")) {
            t = t.substring(5);
        } else if (t.startsWith("mce: ")) {
            t = t.substring(5);
        } else if (t.startsWith("traps: PANIC: double fault")) { // arch/x86/kernel/traps.c's pr_fmt
            t = t.substring(7);
        }
        if (t.startsWith("Oops: ") && t.length() > 6) {
            char c = t.charAt(6);
            if (OOPS_CODE.matcher(t).matches()) {
                return new Header(Header.Type.OOPS_CODE, t);
            }
            if (Character.isLowerCase(c)) {
                t = t.substring(6); // 6.9+: "Oops: general protection fault, ..."
            } else {
                return new Header(Header.Type.OOPS, t);
            }
        }
        if (t.isEmpty()) {
            return null;
        }
        if (t.equals("BUG:") || t.equals("WARNING:")) {
            return new Header(t.charAt(0) == 'B' ? Header.Type.BUG : Header.Type.WARNING, t); // a header cut right after its word
        }
        switch (t.charAt(0)) {
            case 'B' -> {
                if (!t.startsWith("BUG: ")) {
                    // mm/slub.c's slab_bug(): "BUG kmalloc-64 (Not tainted): Object already free"
                    return SLUB.matcher(t).matches() ? new Header(Header.Type.BUG, t) : null;
                }
                if (SyzbotTitle.suppressed(t)) {
                    return null;
                }
                if (t.startsWith("BUG: KASAN: ")) {
                    return new Header(Header.Type.KASAN, t);
                } else if (t.startsWith("BUG: KFENCE: ")) {
                    return new Header(Header.Type.KFENCE, t);
                } else if (t.startsWith("BUG: KMSAN: ")) {
                    return new Header(Header.Type.KMSAN, t);
                } else if (t.startsWith("BUG: KCSAN: ")) {
                    return new Header(Header.Type.KCSAN, t);
                } else if (t.startsWith("BUG: soft lockup")) {
                    return new Header(Header.Type.SOFT_LOCKUP, t);
                } else if (t.startsWith("BUG: kernel NULL pointer dereference") || t.startsWith("BUG: unable to handle")) {
                    return new Header(Header.Type.PAGE_FAULT, t);
                }
                return new Header(Header.Type.BUG, t);
            }
            case 'g' -> {
                return t.startsWith("general protection fault") ? new Header(Header.Type.GPF, t) : null;
            }
            case 'k' -> {
                return t.startsWith("kernel BUG at ") ? new Header(Header.Type.KERNEL_BUG_AT, t) : null;
            }
            case 'W' -> {
                if (t.startsWith("WARNING: ")) {
                    return SyzbotTitle.suppressed(t) ? null : new Header(lockdep(t.substring(9)) ? Header.Type.LOCKDEP : Header.Type.WARNING, t);
                }
                return t.startsWith("Watchdog detected hard LOCKUP") ? new Header(Header.Type.HARD_LOCKUP, t) : null;
            }
            case 'I' -> {
                if (t.startsWith("INFO: task ") && (t.contains(" blocked for more than ") || t.contains(" blocked in I/O wait for more than ")
                        || t.contains(" can't die for more than "))) {
                    return new Header(Header.Type.HUNG_TASK, t);
                }
                if (t.startsWith("INFO: rcu") && t.contains("stall")) {
                    return new Header(Header.Type.RCU_STALL, t);
                }
                if (t.startsWith("INFO: ") && (lockdep(t.substring(6)) || t.startsWith("INFO: suspicious RCU usage"))) {
                    return new Header(Header.Type.LOCKDEP, t);
                }
                return t.startsWith("Internal error: ") ? new Header(Header.Type.INTERNAL_ERROR, t) : null;
            }
            case 'V' -> { // fs/super.c and fs/file_table.c: a filesystem's references outlived it
                return t.startsWith("VFS: Busy inodes after unmount") || t.startsWith("VFS: Close: file count is 0")
                        ? new Header(Header.Type.BUG, t) : null;
            }
            case 'K' -> {
                return t.startsWith("Kernel panic - not syncing") ? new Header(Header.Type.PANIC, t) : null;
            }
            case 'U' -> {
                if (t.startsWith("UBSAN: ")) {
                    return new Header(Header.Type.UBSAN, t);
                }
                return t.startsWith("Unable to handle kernel ") ? new Header(Header.Type.UNABLE_TO_HANDLE, t) : null;
            }
            case 'l', 'h' -> {
                return LIST.matcher(t).matches() ? new Header(Header.Type.LIST, t) : null;
            }
            case '[' -> {
                if (t.startsWith("[ INFO: ") || t.startsWith("[ BUG: ")) {
                    // lockdep before 4.15 framed its titles: "[ INFO: possible circular locking dependency detected ]"
                    Header inner = match(t.substring(2));
                    return inner == null ? null : new Header(inner.type(), t);
                }
                return t.startsWith("[Hardware Error]: ") && !t.startsWith("[Hardware Error]: Corrected")
                        ? new Header(Header.Type.MCE, t) : null;
            }
            case 'M' -> {
                return t.startsWith("Machine check events logged") || t.startsWith("Machine check: ")
                        ? new Header(Header.Type.MCE, t) : null;
            }
            case 'P' -> {
                return t.startsWith("PANIC: double fault") ? new Header(Header.Type.TRAP, t) : null;
            }
            case 'u' -> { // net/core/dev.c: a device whose references never drop, the netns teardown hung on it
                return t.startsWith("unregister_netdevice: waiting for ") ? new Header(Header.Type.BUG, t) : null;
            }
            case 'i', 'd', 's', 'b', 'o', 'c', 'a', 'm' -> {
                return TRAP.matcher(t).matches() ? new Header(Header.Type.TRAP, t) : null;
            }
            default -> {
                return null;
            }
        }
    }

    /** lockdep's report titles (kernel/locking/lockdep.c), printed after "WARNING: " (older: "INFO: "). */
    private static boolean lockdep(String m) {
        return m.startsWith("possible circular locking dependency") || m.startsWith("possible recursive locking")
                || m.startsWith("inconsistent lock state") || m.startsWith("possible irq lock inversion")
                || m.startsWith("bad unlock balance") || m.startsWith("held lock freed") || m.startsWith("lock held when returning")
                || m.startsWith("bad contention detected") || m.startsWith("nested lock was not taken")
                || m.startsWith("lock held at task exit") || m.startsWith("trying to register non-static key");
    }
}
