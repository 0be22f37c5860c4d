package dev.kdive.triage;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.CrashReport;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Inconsistent;
import dev.kdive.finding.SlabDamage;
import dev.kdive.kernel.Backtrace;
import dev.kdive.kernel.MemoryInfo;
import dev.kdive.kernel.PrintkLog;
import dev.kdive.kernel.Slub;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.oops.Kind;
import dev.kdive.oops.OopsParser;
import dev.kdive.oops.OopsReport;
import dev.kdive.oops.Registers;
import dev.kdive.oops.Taint;
import dev.kdive.oops.Title;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.TypeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reasoning a support engineer does by hand over a crash, as a function from a dump (or a
 * console log) to an {@link Analysis}: find the kernel's report, classify it, then let the dump's
 * memory confirm, sharpen or overrule it (a damaged freelist, the double-freed object in a
 * register, the hung task's stack), and choose next steps from that evidence.
 */
public final class Triage {
    /** Freelist damage: the free pointer itself is wrong (mm/slub.c get_freepointer()'s input). */
    private static final Set<SlabDamage.Damage> FREELIST = EnumSet.of(SlabDamage.Damage.NON_CANONICAL, SlabDamage.Damage.OUTSIDE_SLAB,
            SlabDamage.Damage.MISALIGNED, SlabDamage.Damage.CYCLE, SlabDamage.Damage.DUPLICATE);
    /** slub_debug's own checks: poison (P) and red zones (Z) that SLUB wrote and someone overwrote. */
    private static final Set<SlabDamage.Damage> DEBUG = EnumSet.of(SlabDamage.Damage.POISON_OVERWRITTEN,
            SlabDamage.Damage.REDZONE_OVERWRITTEN);
    /** The SLUB allocation fast and slow paths: a fault here follows a free pointer someone else damaged. */
    private static final Pattern SLUB_ALLOC = Pattern.compile("(__)?kmem_cache_alloc\\w*|(__)?kmalloc\\w*|slab_alloc\\w*|___?slab_alloc\\w*|"
            + "get_freepointer\\w*|freelist_ptr\\w*|kmalloc_trace|__kmem_cache_alloc\\w*|kmem_cache_alloc_bulk|prefetch_freepointer");
    /** The SLUB free path, where set_freepointer()'s double-free check sits (mm/slub.c). */
    private static final Pattern SLUB_FREE = Pattern.compile("kfree|kmem_cache_free\\w*|__kmem_cache_free\\w*|slab_free\\w*|do_slab_free|"
            + "__slab_free|set_freepointer|kmem_cache_free_bulk|kfree_bulk");
    /** KASAN's and KFENCE's own frames on the stacks they record (mm/kasan/common.c, mm/kfence/core.c) and the hooks that call them. */
    private static final Pattern SANITIZER = Pattern.compile("_*kasan\\w*|save_stack\\w*|set_track|set_alloc_info|stack_trace_save\\w*|"
            + "_*kfence\\w*|slab_post_alloc_hook|slab_free_hook|slab_free_freelist_hook|poison_slab_object|stack_depot_save\\w*|"
            + "kmem_cache_zalloc|kzalloc\\w*|kcalloc\\w*|krealloc\\w*|kvmalloc\\w*|kvfree\\w*|kmemdup\\w*");
    /** Generic owners' alloc and free helpers: the code that asked for or let go of the object is further down. */
    private static final Pattern WRAPPER = Pattern.compile("_*alloc_skb\\w*|_*kfree_skb\\w*|consume_skb|dev_kfree_skb\\w*|skb_release\\w*|"
            + "kobject_cleanup|kobject_release|kobject_put|kref_put|rcu_do_batch|rcu_core|_*do_softirq|handle_softirqs|kfree_rcu\\w*|"
            + "mempool_\\w*|devm_\\w*|devres_\\w*|release_nodes");
    private static final Pattern HUNG = Pattern.compile("task (.+):(\\d+) blocked for more than (\\d+) seconds");
    private static final Pattern SOFT = Pattern.compile("soft lockup - CPU#(\\d+) stuck for (\\d+)s! \\[(.*):(\\d+)\\]");
    private static final Pattern LIST = Pattern.compile("(list_\\w+ corruption)\\. (.+?) should be (?:\\w+ )?\\(?([0-9a-f]{8,16})\\)?, but was "
            + "\\(?([0-9a-f]{8,16})\\)?");
    /** "next->prev should be prev (X), but was Y. (next=Z)": the link, what it should hold, and its holder. */
    private static final Pattern LINK = Pattern.compile("\\w+->(next|prev) should be [\\w ]*\\(?([0-9a-f]{8,16})\\)?, but was \\(?[0-9a-f]{8,16}\\)?\\. "
            + "\\((?:next|prev)=([0-9a-f]{8,16})\\)");
    private static final int LAST_LINES = 8;
    private static final int REPORT_LINES = 120;

    private Triage() {
    }

    /** {@return the analysis of a console log, dmesg or journal text: the kernel's reports alone} */
    public static Analysis ofLog(String input, String log) {
        List<OopsReport> reports = OopsParser.parse(log);
        Optional<OopsReport> primary = primary(reports).or(() -> OopsParser.parseFragment(log));
        Builder b = new Builder(input, "log", log, primary.orElse(null), Origin.LOG);
        b.lockedCpus(reports);
        b.classify();
        return b.build();
    }

    /** {@return the analysis of a dump: its printk log's reports, confirmed and sharpened by its memory} */
    public static Analysis ofDump(String input, Program p) {
        PrintkLog.Log printk = PrintkLog.read(p.kernel(), p.vmcoreinfo());
        StringBuilder text = new StringBuilder();
        for (PrintkLog.Entry e : printk.entries()) {
            for (String line : e.text().split("\n", -1)) {
                text.append(e.timestamp()).append(line).append('\n');
            }
        }
        String log = text.toString();
        List<OopsReport> reports = OopsParser.parse(log);
        Optional<OopsReport> primary = primary(reports);
        Builder b = new Builder(input, "dump", log, primary.orElse(null), Origin.BOTH);
        b.lockedCpus(reports);
        b.limits.addAll(printk.problems());
        b.classify();
        new DumpEvidence(p, b).apply();
        return b.build();
    }

    /**
     * {@return the report that is the crash: the first oops, BUG, lockup or sanitizer report; a
     * warning only when nothing worse follows (it may have panicked with panic_on_warn)}
     */
    static Optional<OopsReport> primary(List<OopsReport> reports) {
        return reports.stream().filter(r -> r.kind() != Kind.WARNING && r.kind() != Kind.LOCKDEP).findFirst()
                .or(() -> reports.stream().findFirst());
    }

    /** The analysis as it is assembled: the verdict may be revised as the dump's evidence comes in. */
    static final class Builder {
        final String input;
        final String source;
        final String log;
        final OopsReport report;
        final Origin origin;
        CrashClass crashClass = CrashClass.NONE;
        String what;
        String why;
        String culprit;
        String innocent;
        Confidence confidence = Confidence.LOW;
        final List<Ranked> findings = new ArrayList<>();
        final List<NextStep> nextSteps = new ArrayList<>();
        final List<Finding> limits = new ArrayList<>();
        final List<Context.BlockedTask> blocked = new ArrayList<>();
        final List<Context.LockedCpu> locked = new ArrayList<>();
        Context.Memory memory;
        final Set<String> modulesOnStack = new LinkedHashSet<>();
        final List<StackFrame> stack = new ArrayList<>();
        CrashReport crash;
        /** Whether the dump's memory agreed with or added to the log's report. */
        boolean confirmed;

        Builder(String input, String source, String log, OopsReport report, Origin origin) {
            this.input = input;
            this.source = source;
            this.log = log;
            this.report = report;
            this.origin = origin;
        }

        /** Every CPU a lockup watchdog reported, in log order, once per CPU (the first report of it). */
        void lockedCpus(List<OopsReport> reports) {
            Set<Integer> seen = new java.util.HashSet<>();
            for (OopsReport r : reports) {
                if (r.kind() != Kind.SOFT_LOCKUP && r.kind() != Kind.HARD_LOCKUP) {
                    continue;
                }
                // the parser took CPU, comm and pid from the watchdog's line; only the seconds are left in it
                Integer cpu = r.cpu();
                if (cpu == null || !seen.add(cpu)) {
                    continue;
                }
                Matcher m = SOFT.matcher(r.header());
                Integer seconds = m.find() ? Integer.valueOf(m.group(2)) : null;
                String task = r.comm() != null && r.pid() != null ? r.comm() + ":" + r.pid() : null;
                locked.add(new Context.LockedCpu(cpu, r.kind().words, seconds, task, r.culprit(), r.line()));
            }
        }

        /** What the kernel's report alone says. */
        void classify() {
            if (report == null) {
                what = "no crash report in the " + ("dump".equals(source) ? "dump's kernel log" : "log");
                why = "no oops, BUG, lockup, hung task, sanitizer report or panic was found";
                return;
            }
            Long ip = report.rip() != null && report.rip().address() != 0 ? report.rip().address() : null;
            String function = report.rip() != null && report.rip().symbolic() ? report.rip().symbol() : null;
            List<Evidence> ev = new ArrayList<>();
            ev.add(Evidence.of("log line " + report.line() + ": " + report.header()));
            if (report.rip() != null) {
                ev.add(Evidence.of(report.registers().programCounter().toUpperCase() + ": " + report.rip().text()));
            }
            crash = new CrashReport(report.kind().words, report.title(), function, report.location(), ip, report.address(), report.cpu(),
                    report.pid(), report.comm(), ev);
            what = report.title() + (report.pid() != null ? ", pid " + report.pid() + (report.comm() != null ? " (" + report.comm() + ")" : "") : "")
                    + (report.cpu() != null ? " on CPU " + report.cpu() : "");
            culprit = report.culprit();
            confidence = Confidence.MEDIUM;
            String header = report.header();
            switch (report.kind()) {
                case GENERAL_PROTECTION_FAULT -> {
                    privilege();
                    // Older kernels do not print the address; a register holding a non-canonical value is the suspect.
                    List<Registers.NonCanonical> bad = report.registers().nonCanonical().stream()
                            .filter(n -> !n.canonicalWithLa57()).toList();
                    crashClass = report.address() != null || !bad.isEmpty() ? CrashClass.GPF_NON_CANONICAL : CrashClass.GPF;
                    for (Registers.NonCanonical n : bad) {
                        crash = withEvidence(crash, Evidence.of(n.register().toUpperCase() + " = " + hex(n.value())
                                + " is not canonical: dereferencing it raises #GP"));
                    }
                    if (report.address() != null && report.rip() != null && report.rip().symbolic()
                            && SLUB_ALLOC.matcher(report.rip().baseFunction()).matches()) {
                        // The allocator followed a free pointer to a non-canonical address: the freelist was
                        // corrupted before this allocation. Only the dump can name the cache and the object.
                        crashClass = CrashClass.SLAB_FREELIST_CORRUPTION;
                        String caller = allocationCaller(report);
                        innocent = report.rip().baseFunction() + (caller != null ? " (called from " + caller + ")" : "");
                        culprit = "the slab cache this allocation used (the dump names it: kmem -V)";
                        why = "the SLUB allocator followed a free pointer to the non-canonical " + hex(report.address())
                                + ": a freed object's free pointer was overwritten earlier (a use-after-free write or an overflow); "
                                + innocent + " is innocent";
                        confidence = Confidence.LOW;
                        nextSteps.add(new NextStep("analyze the dump (kdive analyze VMCORE) or run kmem -V",
                                "names the cache, the damaged object and what its free pointer should have held"));
                        nextSteps.add(new NextStep("boot with slub_debug=FZPU and slab_nomerge, or a KASAN kernel",
                                "slub_debug catches the damaged free pointer at the next alloc or free; KASAN catches the write itself"));
                        break;
                    }
                    why = report.address() != null
                            ? "the CPU dereferenced " + hex(report.address()) + ", which is not canonical: no page table maps it, so the pointer "
                                    + "it came from was corrupted (a freed object's free pointer, a use after free, or an overflow)"
                            : !bad.isEmpty() ? "the CPU most likely dereferenced " + bad.stream().map(n -> n.register().toUpperCase() + " = "
                                    + hex(n.value())).collect(java.util.stream.Collectors.joining(", ")) + ", which is not canonical: a corrupted pointer"
                            : "a general protection fault without an address: a privileged instruction, a bad segment, or a non-canonical access";
                    nextSteps.add(new NextStep("find where the bad value came from: dis -r on the RIP and the register it was loaded from",
                            "the faulting instruction names the register; its origin is the corrupted structure"));
                    nextSteps.add(new NextStep("boot a KASAN kernel (CONFIG_KASAN) and reproduce",
                            "KASAN stops at the first bad access with the allocation and free stacks; it cannot help if the bug does not recur"));
                }
                case PAGE_FAULT -> {
                    boolean isNull = report.address() != null && Long.compareUnsigned(report.address(), 4096) < 0
                            || header.contains("NULL pointer");
                    crashClass = isNull ? CrashClass.NULL_POINTER : CrashClass.BAD_POINTER;
                    why = isNull ? "a NULL pointer (" + (report.address() != null ? hex(report.address()) : "near 0")
                            + ") was dereferenced in " + culprit
                            : "a kernel access to " + (report.address() != null ? hex(report.address()) : "an unmapped address")
                                    + " that no page maps" + (report.pageFault() != null ? " (" + report.pageFault() + ")" : "");
                    nextSteps.add(new NextStep("list *" + (function != null ? "(" + stripSize(function) + ")" : "RIP") + " with the debug vmlinux",
                            "shows the source line and the pointer that was NULL or stale"));
                }
                case KERNEL_BUG -> {
                    if (report.location() != null && report.location().startsWith("mm/slub.c") && report.rip() != null
                            && report.rip().symbolic() && SLUB_FREE.matcher(report.rip().baseFunction()).matches()) {
                        // set_freepointer()'s BUG_ON(object == fp) under SLAB_FREELIST_HARDENED: freeing the object
                        // that already heads the freelist. The dump can prove it and name the object.
                        crashClass = CrashClass.DOUBLE_FREE;
                        why = "BUG at " + report.location() + " in " + report.rip().baseFunction()
                                + ": SLUB's free path found the object already at the head of the freelist, the mark of a double free";
                        confidence = Confidence.LOW;
                        nextSteps.add(new NextStep("analyze the dump (kdive analyze VMCORE)", "names the object, found free in a register at the BUG"));
                        break;
                    }
                    crashClass = CrashClass.BUG;
                    why = "BUG()/BUG_ON() fired" + (report.location() != null ? " at " + report.location() : "")
                            + ": a condition the code asserts never holds did";
                    nextSteps.add(new NextStep("read the assertion at " + (report.location() != null ? report.location() : "the RIP"),
                            "the condition it checks names the broken invariant"));
                }
                case LIST_CORRUPTION -> listCorruption();
                case SOFT_LOCKUP -> {
                    crashClass = CrashClass.SOFT_LOCKUP;
                    Matcher m = SOFT.matcher(header);
                    String cpu = m.find() ? "CPU " + m.group(1) + " stuck for " + m.group(2) + " s in " + m.group(3) + ":" + m.group(4) : header;
                    culprit = function != null ? report.rip().baseFunction() : culprit;
                    String spinning = function != null ? function : culprit;
                    why = cpu + (spinning != null ? ", spinning in " + spinning : " (the log shows no RIP or trace: where it spun is unknown)")
                            + " with preemption or interrupts off, so the watchdog thread never ran";
                    nextSteps.add(new NextStep(spinning != null ? "read the loop in " + culprit + " for its exit condition or the lock it spins on"
                            : "find the console's full report (RIP and call trace) or take a dump (kdump) on the next lockup: softlockup_panic=1",
                            "a soft lockup is code that does not yield for watchdog_thresh * 2 seconds"));
                    nextSteps.add(new NextStep("boot with softlockup_all_cpu_backtrace=1",
                            "prints every CPU's stack: a lock holder spinning elsewhere shows up"));
                }
                case HARD_LOCKUP -> {
                    crashClass = CrashClass.HARD_LOCKUP;
                    why = "a CPU ran with interrupts off long enough for the NMI watchdog to fire";
                }
                case HUNG_TASK -> hungTask();
                case RCU_STALL -> {
                    crashClass = CrashClass.RCU_STALL;
                    why = "a CPU or task did not pass through a quiescent state: it looped in the kernel without scheduling";
                }
                case KASAN, KFENCE -> {
                    crashClass = report.kind() == Kind.KASAN ? CrashClass.KASAN : CrashClass.KFENCE;
                    why = report.message() + (report.access() != null ? ": " + report.access().replaceFirst(":$", "") : "") + objectTracks();
                    confidence = Confidence.HIGH;
                }
                case UBSAN -> {
                    crashClass = CrashClass.UBSAN;
                    why = report.message() + (report.location() != null ? " at " + report.location() : "");
                }
                case MACHINE_CHECK -> {
                    crashClass = CrashClass.MACHINE_CHECK;
                    why = "the CPU reported a hardware error (machine check): look at the MCE bank and EDAC lines, not at the code";
                    culprit = "hardware";
                }
                case WARNING -> {
                    boolean panicked = report.panic() != null && report.panic().contains("panic_on_warn");
                    crashClass = panicked ? CrashClass.PANIC_ON_WARN : CrashClass.WARNING;
                    why = "WARN_ON() fired" + (report.location() != null ? " at " + report.location() : "")
                            + (panicked ? " and panic_on_warn turned it into a panic" : ": the kernel went on running");
                }
                case FRAGMENT -> fragment();
                case PANIC -> panic();
                default -> {
                    crashClass = CrashClass.OTHER_REPORT;
                    why = report.message() != null ? report.message() : header;
                }
            }
            if (report.panic() != null && crashClass != CrashClass.SYSRQ && crashClass != CrashClass.PANIC) {
                why += "; the kernel then panicked: " + report.panic();
            }
        }

        /** A pasted register dump: what it shows, and what a verdict would need that it lacks. */
        private void fragment() {
            crashClass = CrashClass.FRAGMENT;
            confidence = Confidence.LOW;
            culprit = report.rip() != null && report.rip().symbolic() ? report.rip().baseFunction() : null;
            what = "a register dump without its report" + (report.rip() != null ? ": " + report.registers().programCounter().toUpperCase()
                    + " " + report.rip().text() : "");
            List<String> shows = new ArrayList<>();
            if (report.rip() != null) {
                shows.add("the CPU was in " + report.rip().text());
            }
            report.registers().cs().ifPresent(cs -> shows.add("CS " + cs.describe()));
            report.registers().eflags().ifPresent(f -> shows.add("EFLAGS " + hex(f.value()) + ": " + f.describe()));
            report.registers().nonCanonical().forEach(n -> shows.add(n.register().toUpperCase() + " = " + hex(n.value()) + " is not canonical"));
            List<String> missing = new ArrayList<>();
            missing.add("the report's first line (what happened: GPF, page fault, BUG...)");
            if (report.address() == null) {
                missing.add("the faulting address");
            }
            if (report.callTrace().isEmpty()) {
                missing.add("the call trace");
            }
            if (report.pid() == null) {
                missing.add("the CPU/PID/Comm line");
            }
            if (report.release() == null) {
                missing.add("the kernel release");
            }
            why = "the fragment shows: " + String.join("; ", shows) + ". Missing: " + String.join(", ", missing);
            privilege();
            nextSteps.add(new NextStep("get the whole console log or dmesg from the crash, from the line before \"cut here\" or the "
                    + "first BUG:/Oops:/general protection fault line", "the header says what happened; the registers alone only say where"));
        }

        private void panic() {
            String message = report.panic() != null ? report.panic() : report.message();
            if (message != null && message.contains("sysrq triggered crash")) {
                crashClass = CrashClass.SYSRQ;
                why = "someone asked for this crash with sysrq c (echo c > /proc/sysrq-trigger, or the SysRq key): no kernel bug made it";
                culprit = "sysrq";
                confidence = Confidence.HIGH;
                nextSteps.add(new NextStep("look at what the system was doing: blocked tasks, the log before the trigger",
                        "a deliberate crash is usually taken of a hung or misbehaving machine; the reason is in its state, not its code"));
            } else if (message != null && message.contains("panic_on_warn")) {
                crashClass = CrashClass.PANIC_ON_WARN;
                why = "a WARNING became a panic because panic_on_warn is set";
            } else {
                crashClass = CrashClass.PANIC;
                why = "the kernel called panic(): " + message;
                culprit = report.culprit();
            }
        }

        /** CS's RPL and EFLAGS' IOPL: the privilege-GPF theory, checked as engineers check it. */
        private void privilege() {
            Optional<Integer> ring = report.ring();
            var eflags = report.registers().eflags();
            if (ring.isPresent()) {
                crash = withEvidence(crash, Evidence.of("CS ring " + ring.get() + (ring.get() == 0
                        ? ": the fault was in kernel mode, so not a user program's privileged instruction" : ": user mode")));
            }
            eflags.ifPresent(f -> crash = withEvidence(crash, Evidence.of("EFLAGS " + hex(f.value()) + ": IOPL " + f.iopl()
                    + (f.iopl() == 0 ? ", so port I/O from user mode would trap, but this fault is in the kernel" : ""))));
        }

        private void listCorruption() {
            crashClass = CrashClass.LIST_CORRUPTION;
            String text = report.access() != null ? report.access() : report.header();
            Matcher m = LIST.matcher(text);
            if (m.find()) {
                long expected = Long.parseUnsignedLong(m.group(3), 16);
                long found = Long.parseUnsignedLong(m.group(4), 16);
                why = m.group(1) + ": " + m.group(2) + " should be " + hex(expected) + " but was " + hex(found) + poisonWords(found);
                findings.add(new Ranked(0, Origin.LOG, new Inconsistent(m.group(1) + " (" + m.group(2) + ")", null, hex(expected), hex(found),
                        List.of(Evidence.of(text)))));
            } else {
                why = text;
            }
            confidence = Confidence.MEDIUM;
            nextSteps.add(new NextStep("find the list's owner from the addresses (sym, kmem ADDR) and who last deleted that entry",
                    "a LIST_POISON value means the entry was list_del()ed and used again: a use after delete"));
            nextSteps.add(new NextStep("boot with slub_debug=P or a KASAN kernel if the entry lives in a slab object",
                    "catches the write to the freed entry when it happens"));
        }

        private static String poisonWords(long v) {
            // include/linux/poison.h: LIST_POISON1/2 = 0x100/0x122 + POISON_POINTER_DELTA (0xdead000000000000 on x86_64)
            if ((v & 0xffffffffL) == 0x100 || (v & 0xffffffffL) == 0x122) {
                return " (LIST_POISON" + ((v & 0xfff) == 0x100 ? "1" : "2") + ": the entry was deleted with list_del() and is still in use)";
            }
            return "";
        }

        private void hungTask() {
            crashClass = CrashClass.HUNG_TASK;
            Matcher m = HUNG.matcher(report.header());
            if (m.find()) {
                what = "task " + m.group(1) + ":" + m.group(2) + " blocked for more than " + m.group(3) + " seconds (hung task)";
                why = "pid " + m.group(2) + " (" + m.group(1) + ") slept in D state past hung_task_timeout_secs"
                        + (culprit != null ? ", waiting in " + culprit : "");
            } else {
                why = report.header();
            }
            nextSteps.add(new NextStep("see what " + (culprit != null ? culprit : "the task") + " waits for: the lock or I/O it sleeps on, and its holder",
                    "a hung task waits for something another task or a device never completes"));
            nextSteps.add(new NextStep("boot a lockdep kernel (CONFIG_PROVE_LOCKING) if it waits on a lock",
                    "lockdep reports lock inversions before they hang; it cannot see waits on I/O or completions"));
        }

        /**
         * Platform advice, only where the log shows the platform warning and the crash is one that
         * platform faults can cause (memory corruption, lockups): the kernel parameters engineers try,
         * each with its trade-off.
         */
        private void platformSteps(List<PlatformHint> platform) {
            Set<PlatformHint.Kind> kinds = EnumSet.noneOf(PlatformHint.Kind.class);
            platform.forEach(h -> kinds.add(h.kind()));
            boolean corruption = EnumSet.of(CrashClass.SLAB_FREELIST_CORRUPTION, CrashClass.DOUBLE_FREE, CrashClass.SLAB_DEBUG_REPORT,
                    CrashClass.LIST_CORRUPTION, CrashClass.GPF_NON_CANONICAL, CrashClass.GPF, CrashClass.BAD_POINTER,
                    CrashClass.MACHINE_CHECK).contains(crashClass);
            boolean stall = EnumSet.of(CrashClass.SOFT_LOCKUP, CrashClass.HARD_LOCKUP, CrashClass.RCU_STALL, CrashClass.HUNG_TASK)
                    .contains(crashClass);
            if (kinds.contains(PlatformHint.Kind.MACHINE_CHECK) && (corruption || stall)) {
                nextSteps.add(0, new NextStep("check the hardware first: EDAC counts (/sys/devices/system/edac/mc/*/ce_count), "
                        + "rasdaemon or mcelog records, a memory test", "the log has machine-check or memory-error lines; bad memory "
                        + "corrupts objects without any bug in the code"));
            }
            if (kinds.contains(PlatformHint.Kind.X2APIC_OPT_OUT) && (corruption || stall)) {
                nextSteps.add(new NextStep("if the vendor confirms x2APIC support, try intremap=no_x2apic_optout",
                        "overrides the firmware's x2APIC opt-out; the opt-out is sometimes a BIOS default, sometimes a real limit "
                                + "of its SMI handlers, so change one machine first"));
            }
            if (kinds.contains(PlatformHint.Kind.DMAR_BROKEN) || kinds.contains(PlatformHint.Kind.DMA_FAULT)) {
                if (corruption) {
                    nextSteps.add(new NextStep("update the BIOS; to rule out interrupt remapping, boot one machine with nox2apic intremap=off",
                            "the DMAR table or a device's DMA is suspect; intremap=off gives up interrupt isolation (and x2APIC), so it is "
                                    + "a test, not a fix"));
                }
            }
            if (stall && (kinds.contains(PlatformHint.Kind.FIRMWARE_BUG) || kinds.contains(PlatformHint.Kind.MICROCODE))) {
                nextSteps.add(new NextStep("to rule out deep C-states, boot with intel_idle.max_cstate=0 (or processor.max_cstate=1)",
                        "a lockup with firmware warnings can be a C-state erratum; shallow C-states cost power and turbo headroom"));
            }
            if (kinds.contains(PlatformHint.Kind.MICROCODE)) {
                nextSteps.add(new NextStep("install the CPU's current microcode (intel-microcode or amd64-microcode)",
                        "the log says this CPU runs microcode with known errata"));
            }
        }

        /**
         * The sanitizer's own record of the object: the "Allocated by task N:" and "Freed by task N:"
         * stacks KASAN prints (mm/kasan/report.c) and KFENCE's "allocated by"/"freed by" (mm/kfence/report.c),
         * each as evidence named by its first frame past the allocator and sanitizer machinery; {@return
         * "; allocated by task N in f, freed by task M in g" for the verdict, or "" when the report has neither}
         */
        private String objectTracks() {
            List<String> said = new ArrayList<>();
            for (var t : report.traces()) {
                boolean alloc = t.label().startsWith("Allocated by task");
                if (!alloc && !t.label().startsWith("Freed by task")) {
                    continue;
                }
                List<String> past = t.frames().stream().filter(dev.kdive.oops.Frame::symbolic).map(dev.kdive.oops.Frame::baseFunction)
                        .filter(f -> !SANITIZER.matcher(f).matches() && !SLUB_ALLOC.matcher(f).matches() && !SLUB_FREE.matcher(f).matches())
                        .toList();
                String task = t.label().substring(t.label().lastIndexOf(' ') + 1);
                String verb = alloc ? "allocated" : "freed";
                String where = past.stream().filter(f -> !WRAPPER.matcher(f).matches()).findFirst().orElse(past.isEmpty() ? null : past.getFirst());
                crash = withEvidence(crash, Evidence.of(verb + " by task " + task + (where != null ? " in " + where : "") + ": "
                        + String.join(" < ", past.subList(0, Math.min(6, past.size())))));
                said.add(verb + " by task " + task + (where != null ? " in " + where : ""));
                if (!alloc && where != null && (report.message() != null && report.message().contains("use-after-free"))) {
                    nextSteps.add(new NextStep("read " + where + "'s free and find who still uses the object after it",
                            "the access came after task " + task + " freed the object in " + where + ": a reference kept past the free"));
                }
            }
            return said.isEmpty() ? "" : "; the object was " + String.join(", then ", said);
        }

        static CrashReport withEvidence(CrashReport c, Evidence e) {
            List<Evidence> ev = new ArrayList<>(c.evidence());
            ev.add(e);
            return new CrashReport(c.report(), c.title(), c.function(), c.location(), c.ip(), c.address(), c.cpu(), c.pid(), c.comm(), ev);
        }

        Analysis build() {
            List<Ranked> ranked = new ArrayList<>();
            List<Finding> ordered = new ArrayList<>();
            findings.forEach(r -> ordered.add(r.finding()));
            if (crash != null) {
                ordered.add(crash);
            }
            int rank = 1;
            for (Finding f : ordered) {
                Origin o = f == crash ? (origin == Origin.BOTH ? Origin.BOTH : Origin.LOG)
                        : findings.stream().filter(r -> r.finding() == f).map(Ranked::origin).findFirst().orElse(Origin.DUMP);
                ranked.add(new Ranked(rank++, o, f));
            }
            Taint taint = report != null ? report.taint() : null;
            List<String> taintMeaning = taint == null ? List.of() : taint.flags().stream().map(f -> f.letter + ": " + f.meaning).toList();
            List<String> last = new ArrayList<>();
            if (report != null) {
                List<String> lines = log.lines().toList();
                for (int i = Math.max(0, report.line() - 1 - LAST_LINES); i < report.line() - 1 && i < lines.size(); i++) {
                    last.add(lines.get(i));
                }
            }
            if (report != null && report.callTrace().isPresent()) {
                for (var f : report.callTrace().get().frames()) {
                    if (f.module() != null) {
                        modulesOnStack.add(f.module());
                    }
                }
            }
            List<PlatformHint> platform = PlatformHint.scan(log);
            platformSteps(platform);
            Context context = new Context(report != null && report.release() != null ? report.release() : null,
                    report != null ? report.hardware() : null, taint != null && !taint.flags().isEmpty() ? taint.letters() : null,
                    taintMeaning, List.copyOf(modulesOnStack), blocked, locked, memory, platform, last, reportLines());
            Verdict verdict = new Verdict(crashClass, what, why, culprit, innocent, confidence,
                    origin == Origin.LOG ? Origin.LOG : report == null ? Origin.DUMP : confirmed ? Origin.BOTH : Origin.LOG);
            if (stack.isEmpty() && report != null && report.callTrace().isPresent()) {
                for (var f : report.callTrace().get().frames()) {
                    if (f.reliable() || f.exception()) {
                        stack.add(new StackFrame(f.address() != 0 ? f.address() : null, f.function(), f.offset(), f.module(), null,
                                f.exception()));
                    }
                }
            }
            return new Analysis(input, source, verdict, ranked, stack, context, nextSteps, limits);
        }

        /** {@return the report's lines as printed: from its header to its end-of-trace marker or panic line} */
        private List<String> reportLines() {
            List<String> out = new ArrayList<>();
            if (report == null) {
                return out;
            }
            List<String> lines = log.lines().toList();
            for (int i = report.line() - 1; i >= 0 && i < lines.size() && out.size() < REPORT_LINES; i++) {
                String l = lines.get(i);
                out.add(l);
                if (l.contains("Kernel panic - not syncing")) {
                    break;
                }
                // the end of the trace, unless the report ended in a panic: the registers reprinted after it and the panic line belong to it
                if (l.contains("---[ end ") && report.panic() == null) {
                    break;
                }
            }
            return out;
        }
    }

    /** {@return the first function of the report's call trace outside the allocator: who asked for the memory} */
    static String allocationCaller(OopsReport r) {
        var trace = r.callTrace();
        if (trace.isEmpty()) {
            return null;
        }
        List<dev.kdive.oops.Frame> frames = trace.get().reliable().isEmpty() ? trace.get().frames() : trace.get().reliable();
        return frames.stream().filter(dev.kdive.oops.Frame::symbolic).map(dev.kdive.oops.Frame::baseFunction)
                .filter(f -> !SLUB_ALLOC.matcher(f).matches() && !f.startsWith("kzalloc") && !f.startsWith("kcalloc"))
                .findFirst().orElse(null);
    }

    static String stripSize(String symbol) {
        int slash = symbol.indexOf('/');
        return (slash > 0 ? symbol.substring(0, slash) : symbol).replaceFirst(" \\[.*", "");
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** What the dump's memory adds to the report. */
    private record DumpEvidence(Program p, Builder b) {
        /** Frames with their source lines: found where the vmlinux has DWARF, left out (sourceProblem) where not. */
        private static final Stacks.Detail LINES = new Stacks.Detail(true, false);

        void apply() {
            memory();
            Slub slub = null;
            List<SlabDamage> damage = new ArrayList<>();
            try {
                slub = new Slub(p);
                Slub.Caches caches = slub.caches();
                b.limits.addAll(caches.problems());
                for (var c : caches.caches()) {
                    damage.addAll(slub.state(c).findings());
                }
            } catch (MemoryFault | UnknownSymbolException | TypeException e) {
                b.limits.add(Finding.missing("slab caches", e));
            }
            Backtrace bt = panicBacktrace();
            Map<String, Long> registers = exceptionRegisters(bt);
            List<SlabDamage> debug = damage.stream().filter(d -> DEBUG.contains(d.damage())).toList();
            List<SlabDamage> freelist = damage.stream().filter(d -> FREELIST.contains(d.damage())).toList();
            if (!debug.isEmpty()) {
                slubDebug(debug);
            } else if (!freelist.isEmpty()) {
                freelistCorruption(freelist, registers);
            } else if (slub != null && b.report != null && b.report.location() != null && b.report.location().startsWith("mm/slub.c")) {
                doubleFree(slub, registers);
            }
            damage.stream().filter(d -> !DEBUG.contains(d.damage()) && !FREELIST.contains(d.damage()))
                    .forEach(d -> b.findings.add(new Ranked(0, Origin.DUMP, d)));
            if (b.crashClass == CrashClass.LIST_CORRUPTION) {
                listLink();
            }
            if (b.crashClass == CrashClass.HUNG_TASK || b.crashClass == CrashClass.SYSRQ || b.crashClass == CrashClass.NONE) {
                blockedTasks();
            }
            if (b.stack.isEmpty() && bt != null) {
                b.stack.addAll(frames(bt));
            }
            if (bt != null) {
                for (Backtrace.Frame f : bt.frames()) {
                    if (f.module() != null) {
                        b.modulesOnStack.add(f.module());
                    }
                }
                crossCheck(bt);
            }
        }

        private static List<StackFrame> frames(Backtrace bt) {
            return bt.frames().stream().filter(f -> !f.userMode()).map(f -> new StackFrame(f.ip(), f.function(), f.offset(), f.module(),
                    f.source() != null ? f.source().file() + ":" + f.source().line() : null, f.exceptionRegisters() != null)).toList();
        }

        private Backtrace panicBacktrace() {
            try {
                Optional<Task> t = Stacks.panicTask(p);
                return t.isEmpty() ? null : Stacks.backtrace(p, t.get(), LINES);
            } catch (MemoryFault | UnknownSymbolException | IOException | DumpFormatException | TypeException e) {
                b.limits.add(Finding.missing("the panic task's stack", e));
                return null;
            }
        }

        private static Map<String, Long> exceptionRegisters(Backtrace bt) {
            if (bt == null) {
                return Map.of();
            }
            return bt.frames().stream().filter(f -> f.exceptionRegisters() != null).map(Backtrace.Frame::exceptionRegisters).findFirst()
                    .orElse(Map.of());
        }

        /** The dump's exception frame against the log's RIP: say so when they disagree. */
        private void crossCheck(Backtrace bt) {
            if (b.report == null) {
                return;
            }
            if (b.report.pid() != null && b.report.kind() != Kind.HUNG_TASK) {
                Task t = bt.task();
                if (t.pid() == b.report.pid()) {
                    b.crash = Builder.withEvidence(b.crash, Evidence.at("the dump's panic task is the report's: pid " + t.pid() + " ("
                            + t.comm() + "), task_struct " + Long.toHexString(t.address()), t.address()));
                    b.confirmed = true;
                } else {
                    b.limits.add(new Inconsistent("panic task", t.address(), "the log's pid " + b.report.pid(),
                            "the dump's pid " + t.pid() + " (" + t.comm() + ")", List.of()));
                }
            }
            if (b.report.rip() == null || !b.report.rip().symbolic()) {
                return;
            }
            for (Backtrace.Frame f : bt.frames()) {
                if (f.exceptionRegisters() != null && f.function() != null) {
                    String logFn = b.report.rip().baseFunction();
                    if (!dev.kdive.oops.Frame.baseName(f.function()).equals(logFn) && b.report.kind() != Kind.PANIC) {
                        b.limits.add(new Inconsistent("exception RIP", f.ip(), "the log's " + b.report.rip().symbol(),
                                "the dump's " + f.function() + "+0x" + Long.toHexString(f.offset()), List.of()));
                    } else {
                        b.crash = Builder.withEvidence(b.crash, Evidence.at("the dump's exception frame agrees: RIP " + f.function() + "+0x"
                                + Long.toHexString(f.offset()), f.ip()));
                        b.confirmed = true;
                        if (b.confidence == Confidence.MEDIUM) {
                            b.confidence = Confidence.HIGH; // the log's report and the dump's registers tell one story
                        }
                    }
                    return;
                }
            }
        }

        /**
         * The link list_add/list_del's check named ("next->prev should be X, but was Y. (next=Z)",
         * lib/list_debug.c), read again from the dump: the damage is still in memory, or it is not.
         */
        private void listLink() {
            Matcher m = LINK.matcher(b.report.access() != null ? b.report.access() : b.report.header());
            if (!m.find()) {
                return;
            }
            String field = m.group(1);
            long holder = Long.parseUnsignedLong(m.group(3), 16);
            long expected = Long.parseUnsignedLong(m.group(2), 16);
            long at = holder + (field.equals("prev") ? 8 : 0); // struct list_head { next; prev; } (include/linux/types.h)
            try {
                long now = p.kernel().u64(at);
                b.findings.add(0, new Ranked(0, Origin.DUMP, new Inconsistent("list_head " + Long.toHexString(holder) + "->" + field, at,
                        hex(expected), hex(now), List.of(Evidence.read("read " + Long.toHexString(holder) + "->" + field + " at "
                        + Long.toHexString(at) + " from the dump", at, now)))));
                b.confirmed = now != expected;
                if (b.confirmed && b.confidence == Confidence.MEDIUM) {
                    b.confidence = Confidence.HIGH;
                }
            } catch (MemoryFault f) {
                b.limits.add(dev.kdive.finding.UnreadableMemory.of("list_head " + Long.toHexString(holder), f));
            }
        }

        private void slubDebug(List<SlabDamage> debug) {
            SlabDamage d = debug.getFirst();
            b.crashClass = CrashClass.SLAB_DEBUG_REPORT;
            b.confirmed = true;
            b.culprit = d.cache() + (d.object() != null ? " object " + hex(d.object()) : "");
            b.why = d.summary() + ": written after it was freed (poison) or past its end (red zone); the alloc/free tracks name its last owner";
            b.confidence = Confidence.HIGH;
            debug.forEach(x -> b.findings.add(new Ranked(0, Origin.DUMP, x)));
            b.nextSteps.add(0, new NextStep("read the code of the last owner in the free track, and every path that still holds the object after kfree()",
                    "slub_debug saw the write but not who made it; the free track names the code that should have stopped using it"));
            b.nextSteps.add(1, new NextStep("reproduce on a KASAN kernel",
                    "KASAN reports the write itself with its stack, where slub_debug only finds it later"));
        }

        private void freelistCorruption(List<SlabDamage> freelist, Map<String, Long> registers) {
            SlabDamage d = freelist.getFirst();
            b.crashClass = CrashClass.SLAB_FREELIST_CORRUPTION;
            b.confirmed = true;
            b.culprit = d.cache();
            b.confidence = Confidence.HIGH;
            List<Evidence> extra = new ArrayList<>();
            if (d.pointer() != null) {
                for (var r : registers.entrySet()) {
                    long v = r.getValue();
                    if (v == d.pointer() || (v - d.pointer()) >= 0 && (v - d.pointer()) < 4096 && v != 0) {
                        extra.add(Evidence.read(r.getKey().toUpperCase() + " = " + hex(v) + " = the bad free pointer "
                                + hex(d.pointer()) + (v == d.pointer() ? "" : " + " + (v - d.pointer()) + " (s->offset)"), d.pointer(), v));
                    }
                }
            }
            String crashed = b.report != null && b.report.rip() != null && b.report.rip().symbolic() ? b.report.rip().baseFunction() : null;
            boolean inSlub = crashed != null && SLUB_ALLOC.matcher(crashed).matches();
            if (inSlub) {
                String caller = allocationCaller(b.report);
                b.innocent = crashed + (caller != null ? " (called from " + caller + ")" : "");
            }
            b.why = d.cache() + "'s " + d.summary().replaceFirst("^" + Pattern.quote(d.cache()) + ": ", "")
                    + ": a freed object's free pointer was overwritten (a use-after-free write or an overflow from the object before it)"
                    + (inSlub ? "; " + b.innocent + " is innocent: it allocated from " + d.cache() + " and followed the corrupted pointer" : "");
            List<Evidence> ev = new ArrayList<>(d.evidence());
            ev.addAll(extra);
            SlabDamage withRegs = new SlabDamage(d.damage(), d.cache(), d.kmemCache(), d.cpu(), d.node(), d.slab(), d.object(), d.slot(),
                    d.stored(), d.pointer(), d.where(), d.detail(), ev);
            b.findings.add(new Ranked(0, Origin.DUMP, withRegs));
            freelist.stream().skip(1).forEach(x -> b.findings.add(new Ranked(0, Origin.DUMP, x)));
            b.nextSteps.clear();
            b.nextSteps.add(new NextStep("boot with slub_debug=FZPU," + d.cache() + " (and slab_nomerge)",
                    "F checks free pointers at every alloc and free, Z red zones catch an overflow past the object, P poison catches a "
                            + "write after free, U records who allocated and freed each object; it cannot catch a write into an allocated object, "
                            + "and slab_nomerge keeps other users of the same size out of " + d.cache()));
            b.nextSteps.add(new NextStep("reproduce on a KASAN kernel (or enable KFENCE: kfence.sample_interval=100)",
                    "KASAN stops at the bad write with the allocation and free stacks of the object; KFENCE samples, so it needs many repeats"));
        }

        /** BUG at mm/slub.c with a register holding a free object that heads its CPU's freelist: the second kfree() of it. */
        private void doubleFree(Slub slub, Map<String, Long> registers) {
            for (var r : registers.entrySet()) {
                long v = r.getValue();
                if (v >= 0) {
                    continue; // kernel addresses only
                }
                try {
                    Optional<Slub.Location> l = slub.locate(v);
                    if (l.isEmpty() || l.get().offset() != 0 || l.get().free().isEmpty()) {
                        continue;
                    }
                    List<Slub.CpuSlab> cpus = l.get().state().cpusWhoseFreelistStartsAt(l.get().object());
                    if (cpus.isEmpty()) {
                        continue;
                    }
                    String cache = l.get().cache().name();
                    long object = l.get().object();
                    b.crashClass = CrashClass.DOUBLE_FREE;
                    b.confirmed = true;
                    b.culprit = cache + " object " + hex(object);
                    b.confidence = Confidence.HIGH;
                    b.why = "object " + hex(object) + " of " + cache + " was freed twice: it already heads CPU " + cpus.getFirst().cpu()
                            + "'s freelist, so the second kfree() met object == fp in set_freepointer() (SLAB_FREELIST_HARDENED's BUG_ON)";
                    b.findings.add(new Ranked(0, Origin.DUMP, new Inconsistent("object " + hex(object) + " of " + cache, object,
                            "allocated when kfree() is called", "already free, at the head of CPU " + cpus.getFirst().cpu() + "'s freelist",
                            List.of(Evidence.read(r.getKey().toUpperCase() + " at the BUG holds the object", object, v),
                                    Evidence.at("kmem_cache_cpu " + Long.toHexString(cpus.getFirst().address()) + " freelist = "
                                            + Long.toHexString(object), cpus.getFirst().address())))));
                    b.nextSteps.clear();
                    b.nextSteps.add(new NextStep("boot with slub_debug=FZPU," + cache,
                            "U records the first kfree()'s stack; F then reports the second free with both"));
                    b.nextSteps.add(new NextStep("reproduce on a KASAN kernel", "KASAN names a double free with the allocation and both free stacks"));
                    return;
                } catch (MemoryFault f) {
                    // a register that points at nothing the dump has: not the object
                }
            }
        }

        /**
         * The {@code kmem -i} summary, and pressure where it shows: under 3% of memory free with page
         * cache too small to reclaim much (under 10% free and cached together), or swap over 90% used.
         */
        private void memory() {
            try {
                MemoryInfo m = MemoryInfo.counters(p);
                b.limits.addAll(m.problems());
                long page = dev.kdive.dump.PhysicalMemory.PAGE_SIZE;
                List<String> pressure = new ArrayList<>();
                if (m.total() > 0 && m.free() * 100 < m.total() * 3 && (m.free() + m.cached()) * 100 < m.total() * 10) {
                    pressure.add(String.format("only %d%% of memory free (%s of %s) and %s in the page cache", m.free() * 100 / m.total(),
                            MemoryInfo.size(m.free()), MemoryInfo.size(m.total()), MemoryInfo.size(m.cached())));
                }
                if (m.swapTotal() > 0 && m.swapUsed() * 100 > m.swapTotal() * 90) {
                    pressure.add(String.format("swap %d%% used (%s of %s)", m.swapUsed() * 100 / m.swapTotal(), MemoryInfo.size(m.swapUsed()),
                            MemoryInfo.size(m.swapTotal())));
                }
                b.memory = new Context.Memory(m.total() * page, m.free() * page, m.slab() * page, m.cached() * page, m.swapTotal() * page,
                        m.swapUsed() * page, m.committed() * page, m.commitLimit() * page, pressure);
            } catch (MemoryFault | UnknownSymbolException | TypeException e) {
                b.limits.add(Finding.missing("the memory summary (kmem -i)", e));
            }
        }

        private void blockedTasks() {
            Tasks.Walk walk = Tasks.walk(p);
            b.limits.addAll(walk.findings());
            Matcher hung = b.report != null ? HUNG.matcher(b.report.header()) : null;
            int hungPid = hung != null && hung.find() ? Integer.parseInt(hung.group(2)) : -1;
            for (Task t : walk.tasks()) {
                if (!t.stateName().equals("UN")) {
                    continue;
                }
                try {
                    // source lines only for the task the report names: its stack is the analysis's (not khungtaskd's)
                    List<StackFrame> frames = frames(Stacks.backtrace(p, t, t.pid() == hungPid ? LINES : Stacks.Detail.FRAMES));
                    List<String> stack = frames.stream().filter(f -> f.function() != null).map(StackFrame::symbol).toList();
                    String waits = frames.stream().map(StackFrame::function).filter(f -> f != null && !Title.sleepsIn(f))
                            .findFirst().orElse(null);
                    b.blocked.add(new Context.BlockedTask(t.pid(), t.comm(), waits, stack));
                    if (t.pid() == hungPid) {
                        b.stack.clear();
                        b.stack.addAll(frames);
                    }
                    if (t.pid() == hungPid && waits != null) {
                        b.culprit = dev.kdive.oops.Frame.baseName(waits);
                        b.confidence = Confidence.HIGH;
                        b.confirmed = true;
                        b.why = "pid " + t.pid() + " (" + t.comm() + ") slept in D state past hung_task_timeout_secs (" + hung.group(3)
                                + " s), waiting in " + b.culprit + ": its stack in the dump is " + String.join(" < ", stack.subList(0,
                                Math.min(4, stack.size())));
                    }
                } catch (MemoryFault | UnknownSymbolException | IOException | DumpFormatException e) {
                    b.limits.add(Finding.missing("pid " + t.pid() + "'s stack", e));
                }
            }
        }
    }
}
