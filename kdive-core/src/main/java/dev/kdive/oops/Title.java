package dev.kdive.oops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A report's title, culprit and signature, in the spirit of syzbot's titles ("general protection
 * fault in foo", "KASAN: use-after-free Read in foo"): made only of the kind, the kernel's words and
 * function names, so the same bug gets the same title whatever the KASLR slide, timestamps,
 * offsets or pids. The culprit is the first function, from the faulting one outwards, that is not
 * machinery every report of the kind goes through (the reporting code, panic, dump_stack, trap
 * entry, timer interrupt, thin allocator wrappers, list-debug checks, lock and wait primitives for
 * hung tasks).
 */
public record Title(String title, String culprit, String signature, String corrupted) {
    /** Frames that print, trap or route a report, never the cause; anchored at the start of the name. */
    private static final Pattern ALWAYS = Pattern.compile(String.join("|",
            "dump_stack\\w*", "show_stack\\w*", "show_trace_log_lvl", "show_regs", "__show_regs", "sched_show_task",
            "panic", "nmi_panic", "vpanic", "__warn\\w*", "warn_slowpath\\w*", "warn_bogus_irq_restore",
            "report_bug", "handle_bug", "do_error_trap", "do_trap", "do_invalid_op", "invalid_op", "oops_end", "die",
            "__die\\w*", "bug_handler", "do_int3\\w*", "exc_\\w+", "asm_exc_\\w+", "do_general_protection", "general_protection",
            "page_fault", "do_page_fault", "__do_page_fault", "do_user_addr_fault", "do_kern_addr_fault", "no_context",
            "__bad_area\\w*", "bad_area\\w*", "page_fault_oops", "kernelmode_fixup_or_oops", "spurious_kernel_fault",
            "async_page_fault", "do_mem_abort", "el1_\\w+", "el1h_\\w+", "__do_kernel_fault", "die_kernel_fault",
            "do_translation_fault", "do_page_fault", "do_bad_area", "arm64_\\w*notify_die", "brk_handler", "call_break_hook",
            "kasan_\\w+", "__kasan_\\w+", "__asan_\\w+", "____asan_\\w+", "asan_report\\w*", "kmsan_\\w+", "__msan_\\w+",
            "kfence_\\w+", "__kfence_\\w+", "kcsan_\\w+", "__tsan_\\w+", "print_address_description\\w*", "print_report",
            "describe_object\\w*", "check_memory_region\\w*", "memory_is_poisoned\\w*", "check_region_inline",
            "end_report", "start_report", "ubsan_\\w+", "__ubsan_\\w+", "lock_acquire", "__lock_acquire", "lock_release",
            "lockdep_\\w+", "print_\\w+_bug", "check_noncircular", "check_prev_add\\w*", "validate_chain", "__lock_acquire\\w*",
            "nmi_cpu_backtrace\\w*", "nmi_trigger_cpumask_backtrace", "arch_trigger_cpumask_backtrace", "trigger_\\w+_backtrace",
            "rcu_dump_cpu_stacks", "print_cpu_stall\\w*", "print_other_cpu_stall", "check_cpu_stall", "rcu_pending",
            "rcu_sched_clock_irq", "rcu_check_callbacks", "update_process_times", "tick_sched_handle", "tick_sched_timer",
            "tick_nohz_\\w+", "__hrtimer_run_queues", "hrtimer_interrupt", "hrtimer_run_queues", "local_apic_timer_interrupt",
            "smp_apic_timer_interrupt", "__sysvec_\\w+", "sysvec_\\w+", "asm_sysvec_\\w+", "apic_timer_interrupt",
            "watchdog_timer_fn", "watchdog_overflow_callback", "__perf_event_overflow", "perf_event_nmi_handler", "nmi_handle",
            "default_do_nmi", "exc_nmi", "do_nmi", "end_repeat_nmi", "irq_exit\\w*", "__irq_exit_rcu",
            "__list_add_valid\\w*", "__list_del_entry_valid\\w*", "__list_add", "__list_del_entry", "list_add\\w*",
            "list_del\\w*", "__list_del", "hlist_\\w+", "list_move\\w*", "list_replace\\w*",
            "kmalloc", "kzalloc", "kcalloc", "kmalloc_array", "kmalloc_trace", "kmalloc_node\\w*", "kzalloc_node",
            "kvmalloc\\w*", "kvzalloc\\w*", "kvcalloc", "kmemdup\\w*", "kstrdup\\w*", "kstrndup", "krealloc\\w*",
            "__kmalloc\\w*", "kmem_cache_zalloc", "refcount_warn_saturate", "__refcount_\\w+", "refcount_\\w+",
            "memcpy\\w*", "__memcpy\\w*", "memmove", "__memmove", "memset\\w*", "__memset", "memcmp", "strlen", "strnlen",
            "strcpy", "strncpy", "strscpy\\w*", "strcmp", "strncmp", "copy_to_user\\w*", "copy_from_user\\w*", "_copy_\\w+",
            "__copy_\\w+", "raw_copy_\\w+", "copy_user_\\w+", "rep_movs_alternative", "check_object_size", "__check_object_size",
            "usercopy_abort", "__might_sleep", "__might_resched", "__might_fault", "___might_sleep", "might_fault",
            "fortify_panic", "__fortify_panic"));
    /** A hung task's stack starts in the scheduler and the primitive it sleeps in; the culprit called that. */
    private static final Pattern SLEEPING = Pattern.compile(String.join("|",
            "__schedule", "schedule\\w*", "io_schedule\\w*", "preempt_schedule\\w*", "__wait_for_common", "wait_for_common\\w*",
            "wait_for_completion\\w*", "__wait_on_bit\\w*", "out_of_line_wait_on_bit\\w*", "wait_on_bit\\w*", "bit_wait\\w*",
            "__wait_event\\w*", "wait_event\\w*", "folio_wait\\w*", "__folio_lock\\w*", "folio_lock\\w*", "wait_on_page_bit\\w*",
            "__lock_page\\w*", "lock_page\\w*", "__mutex_lock\\w*", "mutex_lock\\w*", "__mutex_lock_slowpath", "rwsem_\\w+",
            "down_\\w+", "__down\\w*", "down", "rt_mutex\\w*", "__rt_mutex\\w*", "rtlock_\\w+", "percpu_down\\w*",
            "percpu_rwsem_\\w+", "__percpu_down\\w*", "lock_sock\\w*", "__lock_sock\\w*", "synchronize_rcu\\w*",
            "__synchronize_srcu", "synchronize_srcu\\w*", "wait_rcu_gp", "__wait_rcu_gp", "do_wait\\w*", "flush_work",
            "__flush_work\\w*", "__flush_workqueue", "flush_workqueue", "kthread_stop", "msleep\\w*", "usleep_range\\w*",
            "schedule_timeout\\w*", "__cond_resched\\w*", "_cond_resched"));
    /** Lock primitives a lockdep report goes through before naming the locker. */
    private static final Pattern LOCKING = Pattern.compile(String.join("|",
            "_raw_\\w+", "__raw_\\w+", "do_raw_\\w+", "__mutex_lock\\w*", "mutex_lock\\w*", "down_\\w+", "__down\\w*",
            "rwsem_\\w+", "spin_lock\\w*", "__rt_mutex\\w*", "rt_mutex\\w*", "lock_sock\\w*", "__flush_work", "flush_work",
            "start_flush_work", "touch_wq_lockdep_map", "touch_work_lockdep_map", "__flush_workqueue", "percpu_down\\w*"));
    /** Sanitizer reports whose named function is a generic free routine: the caller freed twice. */
    private static final Pattern FREEING = Pattern.compile("kfree|kvfree|kmem_cache_free|__kmem_cache_free|slab_free\\w*|"
            + "__slab_free|do_slab_free|kfree_sensitive|kfree_skb\\w*|__kfree_skb|kfree_rcu\\w*|free_large_kmalloc");

    /** {@return whether a function is the scheduler or a primitive a task sleeps in, not the caller that chose to wait} */
    public static boolean sleepsIn(String function) {
        return SLEEPING.matcher(Frame.baseName(function)).matches();
    }

    /**
     * {@return the title, culprit and signature of a report whose lines (header first, log prefixes
     * removed) these are}: syzbot's title where its conventions know the report ({@link SyzbotTitle}),
     * kdive's own for the rest (machine checks, lockups it does not group...)
     */
    static Title of(OopsReport r, List<String> lines, boolean callerIds) {
        SyzbotTitle s = SyzbotTitle.of(lines, callerIds);
        if (s == null) {
            return of(r);
        }
        // The title is syzbot's bucket; the culprit stays kdive's reading of where it went wrong (the
        // faulting function, not the allocator's caller syzbot names), also where syzbot gives up.
        return new Title(s.title(), culprit(r, candidates(r)), hash(s.title()), s.corrupted());
    }

    /** {@return the title, culprit and signature of a report} */
    static Title of(OopsReport r) {
        List<String> candidates = candidates(r);
        int at = culpritAt(r, candidates);
        String culprit = at < 0 ? null : Frame.baseName(candidates.get(at));
        String title = compose(r, culprit);
        StringBuilder key = new StringBuilder(title);
        for (int i = Math.max(at, 0) + 1; i < candidates.size() && i <= at + 3; i++) {
            key.append('|').append(Frame.baseName(candidates.get(i)));
        }
        return new Title(title, culprit, hash(key.toString()), null);
    }

    /** {@return the functions the culprit is chosen among: the one the report names, then the trace's} */
    private static List<String> candidates(OopsReport r) {
        List<String> candidates = new ArrayList<>();
        String named = namedFunction(r);
        if (named != null) {
            candidates.add(named);
        }
        CallTrace trace = r.callTrace().orElse(null);
        if (trace != null) {
            List<Frame> frames = trace.reliable().isEmpty() ? trace.frames() : trace.reliable();
            for (Frame f : frames) {
                if (f.symbolic()) {
                    candidates.add(f.function());
                }
            }
        }
        return candidates;
    }

    /** {@return the index of the culprit among the candidates, or -1} */
    private static int culpritAt(OopsReport r, List<String> candidates) {
        for (int i = 0; i < candidates.size(); i++) {
            if (!skipped(r.kind(), Frame.baseName(candidates.get(i)))) {
                return i;
            }
        }
        // nothing but machinery: the faulting function itself, when the report names one
        return !candidates.isEmpty() && namedFunction(r) != null ? 0 : -1;
    }

    private static String culprit(OopsReport r, List<String> candidates) {
        int at = culpritAt(r, candidates);
        return at < 0 ? null : Frame.baseName(candidates.get(at));
    }

    /** The function the report's first lines name: KASAN's "in foo", WARNING's "at file:line foo", else the RIP. */
    private static String namedFunction(OopsReport r) {
        return switch (r.kind()) {
            case KASAN, KFENCE, KMSAN, KCSAN, WARNING -> headerFunction(r);
            case HUNG_TASK, PANIC, MACHINE_CHECK -> null;
            default -> r.rip() != null && r.rip().symbolic() && r.ring().orElse(0) == 0 ? r.rip().function() : null;
        };
    }

    private static final Pattern IN_FUNCTION = Pattern.compile("(?: in | at \\S+ )([A-Za-z_][\\w.$]*)(?:\\+0x|\\(\\)|\\s|$)");

    private static String headerFunction(OopsReport r) {
        if (r.header().endsWith("[inline]")) {
            return null; // a symbolizer's inlined helper (instrument_atomic_read_write): the trace names its caller
        }
        java.util.regex.Matcher m = IN_FUNCTION.matcher(r.header());
        if (m.find()) {
            return m.group(1);
        }
        return r.rip() != null && r.rip().symbolic() ? r.rip().function() : null;
    }

    private static boolean skipped(Kind kind, String f) {
        if (ALWAYS.matcher(f).matches()) {
            return true;
        }
        return switch (kind) {
            case HUNG_TASK -> SLEEPING.matcher(f).matches();
            case LOCKDEP -> LOCKING.matcher(f).matches();
            case KASAN, KFENCE, KMSAN -> FREEING.matcher(f).matches();
            case SOFT_LOCKUP, HARD_LOCKUP, RCU_STALL -> f.startsWith("_raw_spin_") || f.startsWith("queued_") || f.startsWith("native_queued_")
                    || f.equals("cpu_relax") || f.startsWith("__pv_queued");
            default -> false;
        };
    }

    private static String compose(OopsReport r, String culprit) {
        String in = culprit == null ? "" : " in " + culprit;
        String msg = r.message() == null ? "" : r.message();
        return switch (r.kind()) {
            case GENERAL_PROTECTION_FAULT -> "general protection fault" + in;
            case PAGE_FAULT -> (msg.contains("NULL") || r.address() != null && Long.compareUnsigned(r.address(), 0x1000) < 0 ? "BUG: unable to handle kernel NULL pointer dereference"
                    : "BUG: unable to handle kernel paging request") + in;
            case KERNEL_BUG -> "kernel BUG" + in;
            case TRAP -> msg + in;
            case OOPS -> (msg.isEmpty() ? "Oops" : msg) + in;
            case BUG -> "BUG: " + normalize(msg) + in;
            case WARNING -> (msg.isEmpty() ? "WARNING" : "WARNING: " + normalize(msg)) + in;
            case LOCKDEP -> (msg.contains("circular") || msg.contains("recursive") ? "possible deadlock"
                    : msg.startsWith("inconsistent") ? "inconsistent lock state" : "WARNING: " + normalize(msg)) + in;
            case SOFT_LOCKUP -> "BUG: soft lockup" + in;
            case HARD_LOCKUP -> "hard LOCKUP" + in;
            case HUNG_TASK -> "INFO: task hung" + in;
            case RCU_STALL -> "INFO: rcu detected stall" + in;
            case LIST_CORRUPTION -> "BUG: corrupted list" + in;
            case KASAN -> "KASAN: " + msg + accessWord(r) + in;
            case KFENCE, KMSAN -> r.kind().words + ": " + msg + in;
            case KCSAN -> "KCSAN: " + msg + (culprit == null ? "" : " in " + kcsanPair(r, culprit));
            case UBSAN -> "UBSAN: " + msg + in;
            case PANIC -> "kernel panic: " + ADDRESSES.matcher(msg).replaceAll("").replaceAll("\\s+", " ").strip();
            case MACHINE_CHECK -> msg.isEmpty() ? "machine check" : "machine check: " + msg;
            case FRAGMENT -> "register dump" + in;
        };
    }

    /** KASAN's second line says what the access was: "Read of size 8 at addr ..." → " Read". */
    private static String accessWord(OopsReport r) {
        String a = r.access();
        if (a != null && (a.startsWith("Read") || a.startsWith("Write"))) {
            return a.startsWith("Read") ? " Read" : " Write";
        }
        return "";
    }

    /** KCSAN names both racing functions: "data-race in foo / bar". */
    private static String kcsanPair(OopsReport r, String culprit) {
        java.util.regex.Matcher m = Pattern.compile(" in ([\\w.]+)(?:\\+0x\\S+)? / ([\\w.]+)").matcher(r.header());
        if (m.find()) {
            return Frame.baseName(m.group(1)) + " / " + Frame.baseName(m.group(2));
        }
        return culprit;
    }

    private static final Pattern CUT = Pattern.compile(": | at | in process | for address| - |, | \\[| \\(|=");
    private static final Pattern ADDRESSES = Pattern.compile("\\S*(?:0x[0-9a-fA-F]{4,}|[0-9a-fA-F]{8,})\\S*");
    private static final Pattern VARIABLE = Pattern.compile("\\S*\\d\\S*");

    /**
     * The fixed words of a kernel message: up to where its variable part begins (": ", " at FILE",
     * " in process", " - ", ", "...), without numbers and addresses. "scheduling while atomic:
     * swapper/0/0/0x00000100" → "scheduling while atomic".
     */
    static String normalize(String message) {
        String m = message.strip();
        java.util.regex.Matcher c = CUT.matcher(m);
        if (c.find() && c.start() > 0) {
            m = m.substring(0, c.start());
        }
        m = VARIABLE.matcher(m).replaceAll("").replaceAll("\\s+", " ").strip();
        return m.isEmpty() ? message.strip() : m;
    }

    /** One digest per thread: getInstance looks the provider up on every call. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });

    private static String hash(String s) {
        byte[] d = SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d, 0, 8); // the first 8 bytes, as "%02x" each gave
    }
}
