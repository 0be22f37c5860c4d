package dev.kdive.oops;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A report's title as syzbot gives it, from the conventions of syzkaller's report parser
 * (pkg/report/linux.go): report groups found by a header word, formats tried inside a group (the
 * earliest match wins), a title template filled with the header's captured words and the guilty
 * frame, and the same normalisation of addresses and numbers. The guilty frame is the first frame,
 * in a format's own order of places to look (the RIP line, the header's function, lockdep's
 * {@code at:} lines, the call trace), that is not a generic helper ({@link #SKIP}); stalls and hung
 * tasks pick theirs by anchors. A report whose frames cannot be found is titled "... in
 * corrupted" and says why. Kept as data: groups, formats and skip lists read as the conventions do.
 */
record SyzbotTitle(String title, String frame, String corrupted) {
    // The building blocks syzkaller's patterns are made of.
    private static final String FUNC = "([a-zA-Z0-9_]+)(?:\\.|\\+)";
    private static final String PC = "\\[<?(?:0x)?[0-9a-f]+>?\\]";
    private static final String SRC = "([a-zA-Z0-9\\-_/.]+\\.[a-z]+:[0-9]+)";
    private static final String AT_FUNC = "at: (?:" + PC + " +)?" + FUNC;
    /** The "current instruction" line: x86 RIP/EIP, arm64 "pc :", arm "PC is at", powerpc NIP. */
    private static final Pattern RIP = Pattern.compile("(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:" + PC + " +){0,2}" + FUNC
            + "|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?" + PC + " +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))");
    private static final Pattern CALL_TRACE = Pattern.compile("Call Trace:|Call trace:|Backtrace:");
    /** A frame line: optional addresses, then a name followed by '+' or '.' (so ".isra.0" and "? foo" never count); read by {@link #frameName}. */
    static final Pattern FRAME = Pattern.compile(" *(?:" + PC + " ){0,2}" + FUNC); // at the line's start (lookingAt)
    /** 32-bit ARM's "[<c0101234>] (unwind_backtrace) from [<c0105678>] (show_stack+0x10/0x14)". */
    private static final Pattern ARM_FRAME = Pattern.compile(" *" + PC + " \\(([a-zA-Z0-9_.]+)\\) from " + PC + " \\(" + FUNC);
    /** Lines that begin another stack: a stack part ends there. */
    private static final Pattern STACK_START = Pattern.compile("Call Trace|Call trace|Allocated:|Allocated by task [0-9]+:|Freed:"
            + "|Freed by task [0-9]+:|[^k] backtrace(?: \\(crc [0-9a-f]+\\))?:|Backtrace:|Uninit was stored to memory at");
    /** Fault injection's stack, printed into the middle of a report: its frames are not the report's. */
    private static final Pattern INJECTED = Pattern.compile("(?: " + PC + ")? should_fail(?:slab)?(?:\\.[a-z0-9.]*)?\\+0x");

    /** Generic helpers a guilty frame is never: sanitizers, reporting, allocators, locks, string and list helpers... */
    static final Skips SKIP = new Skips(List.of("__sanitizer", "__asan", "kasan", "hwasan", "__msan", "kmsan",
            "kcsan_setup_watchpoint", "check_memory_region", "check_heap_object", "check_object", "read_word_at_a_time",
            "(?:read|write)_once_.*nocheck", "print_address_description", "panic", "invalid_op", "report_bug", "fixup_bug",
            "print_report", "print_usage_bug", "do_error", "_trap$", "do_trap", "show_stack", "dump_stack", "walk_stack",
            "dump_backtrace", "warn_slowpath", "warn_alloc", "warn_bogus", "__warn", "alloc_page", "k?v?(?:m|z|c)alloc",
            "krealloc", "kmem_cache", "allocate_slab", "__alloc_frozen_pages_noprof", "folio_(?:alloc|unlock)",
            "filemap_alloc_folio", "__filemap_get_folio", "find_or_create_page", "do_read_cache_folio", "read_cache_page",
            "pagecache_get_page", "grab_cache_page_write_begin", "slab_", "debug_object", "timer_is_static_object",
            "work_is_static_object", "__might_fault", "print_unlock", "imbalance_bug", "lockdep", "bh_enable", "bh_disable",
            "perf_trace", "lock_acquire", "lock_release", "lock_class", "mark_lock", "(?:reacquire|mark)_held_locks",
            "raw_spin_rq", "spin_lock", "spin_trylock", "spin_unlock", "read_lock", "read_trylock", "write_lock",
            "write_trylock", "read_unlock", "write_unlock", "^down$", "down_read", "down_write", "down_read_trylock",
            "down_write_trylock", "down_trylock", "up_read", "up_write", "^mutex_", "^__mutex_", "^rt_mutex_", "owner_on_cpu",
            "osq_lock", "osq_unlock", "atomic(?:64)?_(?:dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)",
            "(?:set|clear|change|test)_bit", "__wake_up", "^refcount_", "^kref_", "ref_tracker", "seqprop_assert", "memcpy",
            "memcmp", "memset", "memchr", "memmove", "memdup", "strcmp", "strncmp", "strcpy", "strlcpy", "strncpy", "strscpy",
            "strlen", "strstr", "strnstr", "strnlen", "strchr", "strdup", "strndup", "copy_to_user", "copy_from_user",
            "copy_to_iter", "copy_from_iter", "copy_page_to_iter", "copy_page_from_iter", "copy_folio_to_iter", "^copyin$",
            "^copyout$", "put_user", "get_user", "might_fault", "might_sleep", "list_add", "list_del", "list_replace",
            "list_move", "list_splice", "^rb_", "^__rb_", "_indirect_thunk_", "string", "pointer", "snprintf", "scnprintf",
            "kasprintf", "kvasprintf", "printk", "va_format", "dev_info", "dev_notice", "dev_warn", "dev_err", "dev_alert",
            "dev_crit", "dev_emerg", "program_check_exception", "program_check_common", "del_timer", "flush_work",
            "__cancel_work_timer", "cancel_work_sync", "try_to_grab_pending", "flush_workqueue", "drain_workqueue",
            "destroy_workqueue", "queue_work", "finish_wait", "kthread_stop", "kobject_", "add_uevent_var",
            "get_device_parent", "device_add", "device_del", "device_unregister", "device_destroy", "device_release",
            "devres_release_all", "hwrng_unregister", "i2c_del_adapter", "__unregister_client", "device_for_each_child",
            "rollback_registered", "unregister_netdev", "sysfs_remove", "device_remove_file", "tty_unregister_device",
            "dummy_urb_enqueue", "usb_kill_urb", "usb_kill_anchored_urbs", "usb_control_msg", "usb_hcd_submit_urb",
            "usb_submit_urb", "^complete$", "wait_for_completion", "^kv?free$", "kfree_skb", "readb$", "readw$", "readl$",
            "readq$", "writeb$", "writew$", "writel$", "writeq$", "logic_in", "logic_out", "^crc\\d+", "crc_itu_t",
            "__might_resched", "assertfail", "^iput$", "^iput_final$", "^ihold$", "hex_dump_to_buffer", "print_hex_dump",
            "^klist_", "(?:trace|lockdep)_(?:hard|soft)irq", "^(?:un)?lock_page", "stack_trace_consume_entry",
            "arch_stack_walk", "stack_trace_save", "insert_work", "__queue_delayed_work", "queue_delayed_work_on", "ida_free",
            "do_(?:kernel|translation)_fault", "do_mem_abort", "el1_abort", "el1h_64_sync(?:_handler)?", "print_tainted",
            "xas_(?:start|load|find)", "find_lock_entries", "truncate_inode_pages_range", "__phys_addr", "__fortify_report",
            "cleanup_srcu_struct", "rhashtable_lookup", "extract_(?:user|iter)_to_sg", "drop_nlink", "^get_taint$",
            "^put_device$", "lock_timer_base", "__timer_delete_sync", "sk_stop_timer_sync", "__mod_timer", "fast_dput", "dput",
            "mark_buffer_dirty"));

    /**
     * Names matched against a list of patterns, each found anywhere in the name unless anchored:
     * the plain words are looked for with {@code contains} (one regex alternation of ~250 words
     * tried at every position of every frame name cost the parser 10x its speed), the rest as one pattern.
     */
    static final class Skips {
        private final List<String> words;
        private final Pattern rest;
        /** Answers by name: a log's frames repeat (dump_stack, the syscall entry...), a fleet's more so. Bounded. */
        private final java.util.concurrent.ConcurrentHashMap<String, Boolean> known = new java.util.concurrent.ConcurrentHashMap<>();

        Skips(List<String> alternatives) {
            // "stack|lock|IRQ" is three words: an alternation without groups splits into its parts
            List<String> patterns = alternatives.stream()
                    .flatMap(a -> a.indexOf('(') < 0 && a.indexOf('[') < 0 ? java.util.Arrays.stream(a.split("\\|")) : java.util.stream.Stream.of(a))
                    .toList();
            words = patterns.stream().filter(Skips::plain).toList();
            rest = Pattern.compile(String.join("|", patterns.stream().filter(p -> !plain(p)).toList()));
        }

        private static boolean plain(String p) {
            return p.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_');
        }

        boolean skips(String name) {
            Boolean known = this.known.get(name);
            if (known == null) {
                known = words.stream().anyMatch(name::contains) || !rest.pattern().isEmpty() && rest.matcher(name).find();
                if (this.known.size() < 1 << 16) {
                    this.known.put(name, known);
                }
            }
            return known;
        }
    }

    /** Syscall wrappers' prefixes: a frame is named by the shortest spelling one removal gives ("__do_sys_ioctl" → "ioctl"). */
    private static final List<String> PREFIXES = List.of("SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "____sys_",
            "___sys_", "__sys_", "__se_", "__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_");

    /** Where a format looks for frames, in order. */
    private sealed interface Part {
    }

    /** A line matching the pattern: its captures are frames. */
    private record Line(Pattern pattern, List<String> words) implements Part {
        Line(Pattern pattern) {
            this(pattern, List.of());
        }

        /** {@return the match in this line, or null}; a line without any of the words is not searched (most are not) */
        Matcher in(String l) {
            if (!words.isEmpty() && words.stream().noneMatch(l::contains)) {
                return null;
            }
            Matcher m = pattern.matcher(l);
            return m.find() ? m : null;
        }
    }

    /** Frame lines, up to the next stack's first line. */
    private record Stack() implements Part {
    }

    private static final Part RIP_LINE = new Line(RIP, List.of("IP", "pc ", "PC is at"));
    private static final Part TRACE_LINE = new Line(CALL_TRACE, List.of("Call Trace:", "Call trace:", "Backtrace:"));
    private static final Part STACK = new Stack();

    /** How the guilty frame is chosen among a group's frames. */
    private enum Pick { FIRST, STALL, HUNG }

    /**
     * One way a report of a group is titled.
     *
     * @param title    where it matches (searched in the report's text)
     * @param report   a longer pattern whose captures fill the template, or null (the title's captures do)
     * @param template the title, with {@code {n}} for the n-th capture and then the guilty frame(s)
     * @param parts    where the guilty frames are looked for; empty for none
     * @param fallback where they are looked for when the first places yield none, or null
     * @param skip     frames skipped for this format only, or null
     * @param corrupt  a format that only matches reports missing their real header
     */
    /** {@code noStack}: a report of this format is whole without a stack trace (its corruption checks skip the stack). */
    private record Format(Pattern title, Pattern report, String template, List<Part> parts, List<Part> fallback, Skips skip,
                          Pick pick, boolean corrupt, boolean noStack) {
        Format {
            parts = List.copyOf(parts);
        }
    }

    private record Group(String header, Pattern suppressed, List<Format> formats) {
    }

    private static Format f(String title, String template, List<Part> parts) {
        return new Format(Pattern.compile(title), null, template, parts, null, null, Pick.FIRST, false, false);
    }

    private static Format f(String title, String template, List<Part> parts, String skip) {
        return new Format(Pattern.compile(title), null, template, parts, null, skip == null ? null : new Skips(List.of(skip)), Pick.FIRST, false, false);
    }

    private static Format r(String title, String report, String template, List<Part> parts, String skip) {
        return new Format(Pattern.compile(title), Pattern.compile(report), template, parts, null,
                skip == null ? null : new Skips(List.of(skip)), Pick.FIRST, false, false);
    }

    private static Format warn(String title, String template, String skip) {
        return new Format(Pattern.compile(title), null, template, List.of(WARN_RIP, STACK), List.of(TRACE_LINE, STACK),
                skip == null ? null : new Skips(List.of(skip)), Pick.FIRST, false, false);
    }

    private static Format corrupt(String title, String template) {
        return new Format(Pattern.compile(title), null, template, List.of(), null, null, Pick.FIRST, true, false);
    }

    private static Format pick(Format f, Pick pick, List<Part> fallback) {
        return new Format(f.title(), f.report(), f.template(), f.parts(), fallback, f.skip(), pick, f.corrupt(), f.noStack());
    }

    private static Format noStack(Format f) {
        return new Format(f.title(), f.report(), f.template(), f.parts(), f.fallback(), f.skip(), f.pick(), f.corrupt(), true);
    }

    /** A WARNING's own place: its RIP, or powerpc's "--- interrupt: N at FUNC". */
    private static final Part WARN_RIP = new Line(Pattern.compile(RIP.pattern() + "|--- interrupt: [0-9]+ at " + FUNC),
            List.of("IP", "pc ", "PC is at", "--- interrupt: "));
    private static final List<Part> RIP_TRACE = List.of(RIP_LINE, TRACE_LINE, STACK);
    private static final List<Part> TRACE = List.of(TRACE_LINE, STACK);
    private static final List<Part> KASAN_PARTS = List.of(new Line(Pattern.compile("BUG: KASAN: [a-z-]+ in " + FUNC)), TRACE_LINE, STACK);
    private static final List<Part> KFENCE_PARTS = List.of(new Line(Pattern.compile("BUG: KFENCE: [a-z- ]+ in " + FUNC)), STACK);
    /**
     * KMSAN: the stack under the header, then (after "Uninit was created at:") the origin's. The line
     * part captures its own words: in a report whose stack begins with "Call Trace:" those words are
     * the first frame the conventions find, and they name the title with them.
     */
    private static final List<Part> KMSAN_PARTS = List.of(STACK,
            new Line(Pattern.compile("(Local variable .* created at:|Uninit was created at:)")), STACK);
    private static final String KASAN_SKIP = "kernel_fault|tag_check|mem_abort|^el1_|^el1h_";

    /** The groups, in the order a report's first line is tested against their header words. */
    private static final List<Group> GROUPS = List.of(
            new Group("BUG:", Pattern.compile("ODEBUG:|Boot_DEBUG:|xlog_status:|DEBUG:|BUG: no syscalls can create resource"), List.of(
                    r("BUG: KASAN:", "BUG: KASAN: ([a-z-]+) in " + FUNC + "(?:.*\\n)+?.*(Read|Write)(?: of size| at addr) [0-9a-f]+",
                            "KASAN: {1} {3} in {4}", KASAN_PARTS, KASAN_SKIP),
                    r("BUG: KASAN:", "BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in " + FUNC,
                            "KASAN: invalid-free in {2}", List.of(new Line(Pattern.compile("BUG: KASAN: (?:double-free or invalid-free"
                                    + "|double-free|invalid-free) in " + FUNC)), TRACE_LINE, STACK), "slab_|kfree|vunmap|vfree"),
                    f("BUG: KASAN: ([a-z-]+) on address(?:.*\\n)+?.*(Read|Write) of size ([0-9]+)", "KASAN: {1} {2}", List.of()),
                    corrupt("BUG: KASAN: (.*)", "KASAN: {1}"),
                    noStack(r("BUG: KMSAN: kernel-usb-infoleak", "BUG: KMSAN: kernel-usb-infoleak in " + FUNC, "KMSAN: kernel-usb-infoleak in {2}",
                            KMSAN_PARTS, "alloc_skb|usb_submit_urb|usb_start_wait_urb|usb_bulk_msg|usb_interrupt_msg|usb_control_msg")),
                    noStack(r("BUG: KMSAN:", "BUG: KMSAN: ([a-z-]+) in " + FUNC, "KMSAN: {1} in {3}", KMSAN_PARTS,
                            "alloc_skb|netlink_ack|netlink_rcv_skb|_encrypt$|^(?:crypto|cipher|drbg|rng)_")),
                    noStack(r("BUG: KCSAN: data-race", "BUG: KCSAN: (.*)", "KCSAN: {1}", List.of(), null)),
                    noStack(r("BUG: KCSAN:", "BUG: KCSAN: (.*)", "KCSAN: {1}", List.of(), null)),
                    f("BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in " + FUNC, "KFENCE: {1} {2} in {4}", KFENCE_PARTS),
                    noStack(f("BUG: KFENCE: invalid free in " + FUNC, "KFENCE: invalid free in {2}", KFENCE_PARTS)),
                    f("BUG: KFENCE: invalid (read|write) in " + FUNC, "KFENCE: invalid {1} in {3}", KFENCE_PARTS),
                    noStack(f("BUG: KFENCE: memory corruption in " + FUNC, "KFENCE: memory corruption in {2}", KFENCE_PARTS)),
                    f("BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)",
                            "BUG: unable to handle kernel paging request in {1}", RIP_TRACE),
                    f("BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)",
                            "BUG: unable to handle kernel NULL pointer dereference in {1}", RIP_TRACE),
                    corrupt("BUG: (?:unable to handle kernel|Unable to handle kernel)", "BUG: unable to handle kernel"),
                    f("BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU"
                            + "|trylock failure on UP)", "BUG: {1} {2} in {3}", TRACE, "spin_|_lock|_unlock"),
                    pick(f("BUG: soft lockup", "BUG: soft lockup in {1}", RIP_TRACE), Pick.STALL, null),
                    r("BUG: .*still has locks held!", "BUG: .*still has locks held!(?:.*\\n)+?.*" + PC + " +" + FUNC,
                            "BUG: still has locks held in {1}", List.of(), null),
                    f("BUG: scheduling while atomic", "BUG: scheduling while atomic in {1}", TRACE, "schedule"),
                    noStack(r("BUG: lock held when returning to user space", "BUG: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel"
                            + " with locks still held(?:.*\\n)+?.*" + AT_FUNC, "BUG: lock held when returning to user space in {1}", List.of(), null)),
                    f("BUG: bad unlock balance detected!", "BUG: bad unlock balance in {1}",
                            List.of(new Line(Pattern.compile(PC + " +" + FUNC)), TRACE_LINE, STACK)),
                    r("BUG: held lock freed!", "BUG: held lock freed!(?:.*\\n)+?.*" + PC + " +" + FUNC, "BUG: held lock freed in {1}", List.of(), null),
                    noStack(f("BUG: Bad rss-counter state", "BUG: Bad rss-counter state", List.of())),
                    noStack(f("BUG: non-zero nr_ptes on freeing mm", "BUG: non-zero nr_ptes on freeing mm", List.of())),
                    noStack(f("BUG: non-zero nr_pmds on freeing mm", "BUG: non-zero nr_pmds on freeing mm", List.of())),
                    r("BUG: Dentry .* still in use", "BUG: Dentry .* still in use \\([0-9]+\\) \\[(unmount) of ([^\\]]+)\\]",
                            "BUG: Dentry still in use in {1}", List.of(), null),
                    f("BUG: Bad page (state|cache)", "BUG: Bad page {1} in {2}", List.of(new Line(Pattern.compile("page last allocated")), STACK),
                            "(?:free|put|get|update|release)_page|free_unref|^_*folio|truncate_inode_pages|page_frag_free|alloc|vmap|page_owner"),
                    f("BUG: Bad page map", "BUG: Bad page map", List.of()),
                    noStack(f("BUG: workqueue lockup", "BUG: workqueue lockup", List.of())),
                    f("BUG: sleeping function called from invalid context at (.*)", "BUG: sleeping function called from invalid context in {2}", TRACE),
                    f("BUG: using ([a-z_]+)\\(\\) in preemptible", "BUG: using {1}() in preemptible code in {2}", TRACE,
                            "dump_stack|preemption|preempt|debug_|processor_id|this_cpu"),
                    noStack(r("BUG: workqueue leaked lock or atomic", "BUG: workqueue leaked lock or atomic(?:.*\\n)+?.*last function: ([a-zA-Z0-9_]+)\\n",
                            "BUG: workqueue leaked lock or atomic in {1}", List.of(), null)),
                    f("BUG: memory leak", "memory leak in {1}", List.of(new Line(Pattern.compile("backtrace(?: \\(crc [0-9a-f]+\\))?:")), STACK),
                            "kmemleak|mmap|kmem|slab|alloc|create_object|idr_get|list_lru_init|kasprintf|kvasprintf|pcpu_create|strdup|strndup|memdup"),
                    pick(f("BUG: .*stack guard page was hit at", "BUG: stack guard page was hit in {1}", RIP_TRACE), Pick.STALL, null),
                    f("BUG: Invalid wait context", "WARNING: locking bug in {1}", TRACE, "lock_sock|release_sock"),
                    corrupt("BUG:[ \\t]*(?:\\n|$)", "BUG: corrupted"))),
            new Group("WARNING:", Pattern.compile("WARNING: /etc/ssh/moduli does not exist|WARNING: workqueue cpumask: online intersect"
                    + "|WARNING: [Tt]he mand mount option|WARNING: Unsupported flag value|WARNING: Unprivileged eBPF is enabled"
                    + "|WARNING: fbcon: Driver|WARNING: See https.* for mitigation options|WARNING: kernel not compiled with CPU_SRSO"
                    + "|EXT4-f[sS](?: \\(.*\\))?:|(?i:warning: .* uses (?:deprecated v2 capabilities|wireless extensions))|XFS \\(\\w+\\): WARNING"),
                    List.of(
                    warn("WARNING: .*lib/debugobjects\\.c.* (?:debug_print|debug_check|at)", "WARNING: ODEBUG bug in {1}",
                            "debug_|rcu|hrtimer_|timer_|work_|percpu_|vunmap|vfree|__free_|debug_check|kobject_"),
                    warn("WARNING: .*mm/usercopy\\.c.* (?:usercopy_warn|at)", "WARNING: bad usercopy in {1}", "usercopy|__check"),
                    warn("WARNING: .*lib/kobject\\.c.* (?:kobject_|at)", "WARNING: kobject bug in {1}", "kobject_"),
                    warn("WARNING: .*fs/proc/generic\\.c.* (?:proc_register|at)", "WARNING: proc registration bug in {1}", "proc_"),
                    warn("WARNING: .*lib/refcount\\.c.* (?:refcount_|at)", "WARNING: refcount bug in {1}", "refcount|kobject_"),
                    warn("WARNING: .*kernel/locking/lockdep\\.c.*lock_", "WARNING: locking bug in {1}", "lock_sock|release_sock"),
                    r("WARNING: .*still has locks held!", "WARNING: .*still has locks held!(?:.*\\n)+?.*at: " + FUNC,
                            "WARNING: still has locks held in {1}", List.of(), null),
                    warn("WARNING: Nested lock was not taken", "WARNING: nested lock was not taken in {1}", null),
                    noStack(r("WARNING: lock held when returning to user space", "WARNING: lock held when returning to user space(?:.*\\n)+?.*leaving the"
                            + " kernel with locks still held(?:.*\\n)+?.*" + AT_FUNC, "WARNING: lock held when returning to user space in {1}", List.of(), null)),
                    warn("WARNING: .*mm/.*\\.c.* k?.?malloc", "WARNING: kmalloc bug in {1}", "kmalloc|krealloc|slab|kmem"),
                    warn("WARNING: .*mm/vmalloc.c.*__vmalloc_node", "WARNING: zero-size vmalloc in {1}", null),
                    warn("WARNING: .* usb_submit_urb", "WARNING in {1}/usb_submit_urb",
                            "usb_submit_urb|usb_start_wait_urb|usb_bulk_msg|usb_interrupt_msg|usb_control_msg"),
                    warn("WARNING: " + SRC + " at 0x[0-9a-f]+, CPU#[0-9]+", "WARNING in {2}", null),
                    warn("WARNING: .* at " + SRC + " " + FUNC, "WARNING in {3}", null),
                    warn("WARNING: " + SRC + " at " + FUNC, "WARNING in {3}", null),
                    warn("WARNING: \\[.*\\] " + SRC + " at " + FUNC + ".*", "WARNING in {3}", null),
                    r("WARNING: possible circular locking dependency detected", "WARNING: possible circular locking dependency detected"
                            + "(?:.*\\n)+?.*is trying to acquire lock", "possible deadlock in {1}",
                            List.of(new Line(Pattern.compile(AT_FUNC), List.of("at: ")), new Line(Pattern.compile(AT_FUNC), List.of("at: ")), STACK),
                            "process_one_work|flush_workqueue|drain_workqueue|destroy_workqueue"),
                    r("WARNING: possible irq lock inversion dependency detected", "WARNING: possible irq lock inversion dependency detected"
                            + "(?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*" + AT_FUNC, "possible deadlock in {1}", List.of(), null),
                    f("WARNING: .*-safe -> .*-unsafe lock order detected", "possible deadlock in {1}",
                            List.of(new Line(Pattern.compile("which became .* at:")), STACK)),
                    r("WARNING: possible recursive locking detected", "WARNING: possible recursive locking detected(?:.*\\n)+?.*is trying to"
                            + " acquire lock(?:.*\\n)+?.*" + AT_FUNC, "possible deadlock in {1}", List.of(), null),
                    r("WARNING: inconsistent lock state", "WARNING: inconsistent lock state(?:.*\\n)+?.*takes(?:.*\\n)+?.*" + AT_FUNC,
                            "inconsistent lock state in {2}", TRACE, null),
                    r("WARNING: suspicious RCU usage", "WARNING: suspicious RCU usage(?:.*\\n)+?.*?" + SRC, "WARNING: suspicious RCU usage in {2}",
                            TRACE, "rcu|kmem|slab"),
                    noStack(f("WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value",
                            "WARNING: kernel stack regs has bad '{1}' value", List.of())),
                    noStack(f("WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value",
                            "WARNING: kernel stack frame pointer has bad value", List.of())),
                    f("WARNING: bad unlock balance detected!", "WARNING: bad unlock balance in {1}",
                            List.of(new Line(Pattern.compile(PC + " +" + FUNC)), TRACE_LINE, STACK)),
                    r("WARNING: held lock freed!", "WARNING: held lock freed!(?:.*\\n)+?.*at:(?: " + PC + ")? +" + FUNC,
                            "WARNING: held lock freed in {1}", List.of(), null),
                    noStack(f("WARNING: kernel stack regs .* has bad 'bp' value", "WARNING: kernel stack regs has bad value", List.of())),
                    noStack(f("WARNING: kernel stack frame pointer .* has bad value", "WARNING: kernel stack regs has bad value", List.of())),
                    corrupt("WARNING:[ \\t]*(?:\\n|$)", "WARNING: corrupted"))),
            new Group("INFO:", Pattern.compile("INFO: lockdep is turned off|INFO: Stall ended before state dump start|INFO: NMI handler"
                    + "|INFO: recovery required on readonly filesystem|(?:handler|interrupt).*took too long|INFO: sys_.* is not present in"
                    + "|INFO: no syscalls can create resource|rmt_storage:INFO:|_INFO:"), List.of(
                    r("INFO: possible circular locking dependency detected", "INFO: possible circular locking dependency detected \\](?:.*\\n)+?"
                            + ".*is trying to acquire lock(?:.*\\n)+?.*at: " + PC + " +" + FUNC, "possible deadlock in {1}", List.of(), null),
                    r("INFO: possible irq lock inversion dependency detected", "INFO: possible irq lock inversion dependency detected \\]"
                            + "(?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*at: " + PC + " +" + FUNC, "possible deadlock in {1}", List.of(), null),
                    r("INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected", "INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \\]"
                            + "(?:.*\\n)+?.*is trying to acquire(?:.*\\n)+?.*at: " + PC + " +" + FUNC, "possible deadlock in {1}", List.of(), null),
                    r("INFO: possible recursive locking detected", "INFO: possible recursive locking detected \\](?:.*\\n)+?.*is trying to"
                            + " acquire lock(?:.*\\n)+?.*at: " + PC + " +" + FUNC, "possible deadlock in {1}", List.of(), null),
                    r("INFO: inconsistent lock state", "INFO: inconsistent lock state \\](?:.*\\n)+?.*takes(?:.*\\n)+?.*at: " + PC + " +" + FUNC,
                            "inconsistent lock state in {1}", List.of(), null),
                    pick(f("INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stalls?", "INFO: rcu detected stall in {1}",
                            List.of(new Line(Pattern.compile("apic_timer_interrupt")), RIP_LINE, STACK), "apic_timer_interrupt|rcu"), Pick.STALL,
                            List.of(new Line(Pattern.compile("apic_timer_interrupt|Exception stack|el1h_64_irq")), STACK)),
                    f("INFO: trying to register non-static key", "INFO: trying to register non-static key in {1}", TRACE, "stack|lock|IRQ"),
                    r("INFO: suspicious RCU usage", "INFO: suspicious RCU usage(?:.*\\n)+?.*?" + SRC, "INFO: suspicious RCU usage in {2}", TRACE,
                            "rcu|kmem|slab"),
                    pick(f("INFO: task [\\s\\S]{0,100}? blocked (?:in I/O wait )?for more than [0-9]+ seconds", "INFO: task hung in {1}", TRACE),
                            Pick.HUNG, null),
                    f("INFO: task [\\s\\S]{0,100}? can't die for more than .* seconds", "INFO: task can't die in {1}", TRACE, "schedule"),
                    corrupt("INFO: (Freed|Allocated) in (.*)", "INFO: {1} in {2}"),
                    corrupt("INFO:[ \\t]*(?:\\n|$)", "INFO: corrupted"))),
            new Group("Unable to handle kernel", null, List.of(
                    f("Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)",
                            "BUG: unable to handle kernel {1} in {2}", RIP_TRACE))),
            new Group("general protection fault", Pattern.compile("general protection fault .* error:[0-9]+ in "), List.of(
                    f("general protection fault.*:", "general protection fault in {1}", RIP_TRACE))),
            new Group("stack segment: ", null, List.of(f("stack segment: ", "stack segment fault in {1}", RIP_TRACE))),
            new Group("Kernel panic", null, List.of(
                    noStack(r("Kernel panic - not syncing: stack-protector:", "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: "
                            + FUNC, "kernel panic: stack is corrupted in {1}", List.of(), null)),
                    r("Kernel panic - not syncing: stack-protector:", "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: "
                            + "[a-f0-9]+", "kernel panic: stack is corrupted in {1}", TRACE, "stack_chk"),
                    pick(r("Kernel panic - not syncing: corrupted stack end", "Kernel panic - not syncing: corrupted stack end detected inside"
                            + " scheduler", "kernel panic: corrupted stack end in {1}", TRACE, "schedule|retint_kernel"), Pick.STALL, null),
                    pick(f("Kernel panic - not syncing: kernel stack overflow", "kernel stack overflow in {1}", TRACE, "bad_stack"), Pick.STALL, null),
                    f("Kernel panic - not syncing: Attempted to kill init!", "kernel panic: Attempted to kill init!", List.of()),
                    f("Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+",
                            "kernel panic: Couldn't open N_TTY ldisc", List.of()),
                    corrupt("Kernel panic - not syncing: Fatal exception", "kernel panic: Fatal exception"),
                    corrupt("Kernel panic - not syncing: panic_on_warn set", "kernel panic: panic_on_warn set"),
                    corrupt("Kernel panic - not syncing: hung_task: blocked tasks", "kernel panic: hung_task: blocked tasks"),
                    f("Kernel panic - not syncing: (.*)", "kernel panic: {1}", List.of()))),
            new Group("PANIC: double fault", null, List.of(f("PANIC: double fault", "PANIC: double fault in {1}", List.of(RIP_LINE)))),
            new Group("kernel BUG", null, List.of(
                    f("kernel BUG at mm/usercopy.c", "BUG: bad usercopy in {1}", TRACE, "usercopy|__check"),
                    f("kernel BUG at lib/list_debug.c", "BUG: corrupted list in {1}", TRACE),
                    f("kernel BUG at (.*)", "kernel BUG in {2}", RIP_TRACE, "^skb_"))),
            new Group("Kernel BUG", null, List.of(f("Kernel BUG (.*)", "kernel BUG {1}", List.of()))),
            new Group("BUG kmalloc-", null, List.of(f("BUG kmalloc-.*: Object already free", "BUG: Object already free", List.of()))),
            new Group("divide error:", null, List.of(f("divide error: ", "divide error in {1}", List.of(RIP_LINE)))),
            new Group("divide_error:", null, List.of(f("divide_error: ", "divide error in {1}", List.of(RIP_LINE)))),
            new Group("invalid opcode:", null, List.of(f("invalid opcode: ", "invalid opcode in {1}", List.of(RIP_LINE)))),
            new Group("int3:", null, List.of(f("int3: ", "int3 in {1}", RIP_TRACE))),
            new Group("UBSAN:", null, List.of(
                    r("UBSAN:", "UBSAN: Undefined behaviour in", "UBSAN: undefined-behaviour in {1}", TRACE, "ubsan|overflow"),
                    f("UBSAN: array-index-out-of-bounds in", "UBSAN: array-index-out-of-bounds in {1}", TRACE, "ubsan|overflow"),
                    r("UBSAN:", "UBSAN: (.*?) in", "UBSAN: {1} in {2}", TRACE, "ubsan|overflow"))),
            new Group("unregister_netdevice: waiting for", null, List.of(noStack(f("unregister_netdevice: waiting for .* to become free",
                    "unregister_netdevice: waiting for DEV to become free", List.of())))),
            new Group("VFS: Close: file count is 0", null, List.of(noStack(f("VFS: Close: file count is 0",
                    "VFS: Close: file count is zero (use-after-free)", List.of())))),
            new Group("VFS: Busy inodes after unmount", null, List.of(noStack(f("VFS: Busy inodes after unmount",
                    "VFS: Busy inodes after unmount (use-after-free)", List.of())))),
            new Group("Internal error:", null, List.of(f("Internal error:", "Internal error in {1}", RIP_TRACE))),
            new Group("Unhandled fault:", null, List.of(f("Unhandled fault:", "Unhandled fault in {1}", RIP_TRACE))),
            new Group("Alignment trap:", null, List.of(f("Alignment trap:", "Alignment trap in {1}", RIP_TRACE))));

    /**
     * {@return the title of the report whose lines these are (the first is its header, log prefixes
     * removed), or null when the header is none of syzbot's groups}
     */
    static SyzbotTitle of(List<String> reportLines, boolean callerIds) {
        if (reportLines.isEmpty()) {
            return null;
        }
        // The conventions' report begins at the first line with a group's header words: usually the
        // report's first, but kdive also starts at lines they do not ("list_del corruption.", then
        // "kernel BUG at lib/list_debug.c:67!").
        for (int i = 0; i < reportLines.size() && i < HEADER_SEARCH; i++) {
            String first = reportLines.get(i);
            for (Group g : GROUPS) {
                int at = first.indexOf(g.header());
                if (at >= 0 && (g.suppressed() == null || !g.suppressed().matcher(first).find())) {
                    List<String> from = i == 0 ? reportLines : reportLines.subList(i, reportLines.size());
                    int limit = reportMinLines(first);
                    // Without printk caller ids the conventions cannot tell reports apart, so the title is read
                    // only up to the next report's first line: a symbolizer's repeated header
                    // ("BUG: KASAN: ... in foo include/...:12 [inline]") counts as one too.
                    int end = callerIds ? from.size() : secondReport(from);
                    return title(g, kept(from.subList(0, end), limit), from);
                }
            }
        }
        return null;
    }

    /**
     * {@return whether this line only looks like a report's first line}: a message the conventions
     * know is not a crash ("WARNING: The mand mount option has been deprecated", "BUG: no syscalls can
     * create resource"...), by its group's suppressions.
     */
    static boolean suppressed(String line) {
        for (Group g : SUPPRESSING) {
            if (line.contains(g.header()) && g.suppressed().matcher(line).find()) {
                return true;
            }
        }
        return false;
    }

    /** The groups that suppress some of their header's lines. */
    private static final List<Group> SUPPRESSING = GROUPS.stream().filter(g -> g.suppressed() != null).toList();

    /** The groups by their header's first two characters, for {@link #startsReport}. */
    private static final Group[][] BY_FIRST = new Group[128 * 128][];

    static {
        for (Group g : GROUPS) {
            int c = g.header().charAt(0) * 128 + g.header().charAt(1);
            Group[] had = BY_FIRST[c] == null ? new Group[0] : BY_FIRST[c];
            Group[] more = java.util.Arrays.copyOf(had, had.length + 1);
            more[had.length] = g;
            BY_FIRST[c] = more;
        }
    }

    /**
     * {@return whether a line begins a report of its own}: it holds a group's header words, not
     * suppressed, and is none of the lines that never begin one. One pass over the line.
     */
    private static boolean startsReport(String l) {
        if (l.startsWith(" ") && (l.endsWith("[inline]") || frameName(l) != null)) {
            return false; // a frame line, the most common line of a report
        }
        for (int i = 0; i + 1 < l.length(); i++) {
            char c = l.charAt(i);
            char d = l.charAt(i + 1);
            Group[] gs = c < 128 && d < 128 ? BY_FIRST[c * 128 + d] : null;
            if (gs == null) {
                continue;
            }
            for (Group g : gs) {
                if (l.startsWith(g.header(), i) && (g.suppressed() == null || !g.suppressed().matcher(l).find())
                        && !REPORT_START_IGNORED.matcher(l).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Lines that begin no report of their own where another is being read (pkg/report's reportStartIgnores). */
    private static final Pattern REPORT_START_IGNORED = Pattern.compile(
            "invalid opcode: 0000|Kernel panic - not syncing|unregister_netdevice: waiting for|PANIC: double fault|Internal error:");
    /** Messages with a stack of their own that end the report before them (pkg/report's infoMessagesWithStack). */
    private static final List<String> INFO_WITH_STACK = List.of("vmalloc: allocation failure:", "FAULT_INJECTION: forcing a failure",
            "FAULT_FLAG_ALLOW_RETRY missing");

    /** {@return the index of the line after the first that begins another report, or the size} */
    private static int secondReport(List<String> lines) {
        for (int j = 1; j < lines.size(); j++) {
            String l = lines.get(j);
            for (String info : INFO_WITH_STACK) {
                if (l.contains(info)) {
                    return j;
                }
            }
            if (startsReport(l)) {
                return j;
            }
        }
        return lines.size();
    }

    /**
     * {@return how many lines a report has before a panic or lockdep splat after them is no longer its
     * own} (pkg/report's reportMinLines): KMSAN prints fewer lines before its stack.
     */
    static int reportMinLines(String header) {
        return header.contains("BUG: KMSAN:") ? 16 : 22;
    }

    /** How far into kdive's report the conventions' header is looked for. */
    private static final int HEADER_SEARCH = 40;

    private static final Pattern UNRELIABLE = Pattern.compile("\\s*(?:\\[<?[0-9a-f]+>?\\] )?\\? ");
    private static final Pattern TAIL = Pattern.compile("Kernel panic - not syncing|WARNING: possible circular locking dependency detected");

    /**
     * The lines a title is read from: without unreliable frames ("? foo+0x1/0x2"), without the
     * taint notice, and cut where a panic or a lockdep splat that the report itself set off begins
     * (after {@code limit} lines: panic_on_warn's tail, lockdep reports of the oops's own locks).
     */
    /** {@return whether a line is an unreliable frame ("? foo+0x1/0x2", powerpc's "(unreliable)"), which the conventions leave out} */
    static boolean questionable(String l) {
        return !l.contains("<EOI>") && (l.contains("? ") && UNRELIABLE.matcher(l).lookingAt() || l.endsWith(" (unreliable)"));
    }

    private static List<String> kept(List<String> lines, int limit) {
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (i > 0) {
                if (out.size() + 1 > limit && (l.contains("Kernel panic") || l.contains("WARNING: possible circular")) && TAIL.matcher(l).find()) {
                    break;
                }
                if (l.contains("Disabling lock debugging due to kernel taint") || questionable(l)) {
                    continue;
                }
            }
            out.add(l);
        }
        return out;
    }

    private static SyzbotTitle title(Group g, List<String> lines, List<String> report) {
        String text = String.join("\n", lines);
        Format best = null;
        int bestAt = Integer.MAX_VALUE;
        String title = null;
        Frames frames = null;
        boolean matched = false;
        // The header line starts the text, so the earliest match is nearly always there: formats are
        // tried there first, and searched for further on only when none matches at the start.
        List<Format> formats = g.formats();
        Matcher[] at = new Matcher[formats.size()];
        boolean atStart = false;
        boolean[] starts = new boolean[at.length];
        for (int k = 0; k < at.length; k++) {
            at[k] = formats.get(k).title().matcher(text);
            starts[k] = at[k].lookingAt();
            atStart |= starts[k];
        }
        for (int k = 0; k < at.length; k++) {
            Format f = formats.get(k);
            Matcher m = at[k];
            if (!(atStart ? starts[k] : m.find(0)) || m.start() > bestAt || m.start() == bestAt && title != null) {
                continue;
            }
            if (m.start() < bestAt) {
                title = null;
                best = null;
                bestAt = m.start();
            }
            matched = true;
            Matcher args = m;
            if (f.report() != null) {
                // searched for anywhere, as the conventions do: a mailer's wrapped header line fails at
                // the start, and the report's own repeated header ("BUG: KASAN: ... in kbd_event+0x...") then names it
                args = f.report().matcher(text);
                if (!args.find()) {
                    continue;
                }
            }
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= args.groupCount(); i++) {
                values.add(args.group(i) == null ? "" : args.group(i));
            }
            frames = null;
            if (!f.parts().isEmpty()) {
                int line = lineOf(text, args.start()); // frames are read from where the report pattern matched
                frames = frames(lines, line, f.parts(), f.skip(), f.pick());
                if (!frames.ok() && f.fallback() != null) {
                    frames = frames(lines, line, f.fallback(), f.skip(), f.pick());
                }
                values.addAll(frames.keys());
            }
            title = fill(f.template(), values);
            best = f;
        }
        String corrupted = null;
        String frame = null;
        if (title == null) {
            String rest = text.substring(text.indexOf(g.header()));
            int nl = rest.indexOf('\n');
            title = nl < 0 ? rest : rest.substring(0, nl);
            corrupted = matched ? "matched title but not report regexp" : null;
        } else {
            if (frames != null && !frames.ok()) {
                corrupted = "extracted no frames";
            } else if (best.corrupt()) {
                corrupted = "report format is marked as corrupted";
            }
            if (frames != null && !frames.keys().isEmpty() && !frames.keys().getFirst().equals("corrupted")) {
                frame = frames.keys().getFirst();
            }
        }
        if (corrupted == null && best != null) {
            // the stack checks read the report as the conventions keep it: without unreliable frames
            corrupted = incomplete(title, best, report.stream().filter(l -> !questionable(l)).toList());
        } else if (corrupted == null && title.indexOf('[') >= 0 && STAMP_IN_TITLE.matcher(title).find()) {
            corrupted = "title matches corrupted regexp"; // the header line itself, another line run into it
        }
        return new SyzbotTitle(normalize(title), frame, corrupted);
    }

    /** A printk timestamp inside a title: two console lines ran together. */
    private static final Pattern STAMP_IN_TITLE = Pattern.compile("\\[ *[0-9]+\\.[0-9]+\\]");
    /** RISC-V prints its registers where other architectures print "Call Trace:"; no frames need follow it. */
    private static final Pattern RISCV_STACK_START = Pattern.compile("status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}");

    /**
     * {@return why a titled report is still incomplete, or null}: the conventions' last checks (pkg/report
     * isCorrupted). A title holding a timestamp; a stack's opening line ("Call Trace:", "Allocated by
     * task N:", "backtrace:"...) with no frame in the 15 lines after it; or no stack at all in a report
     * whose format expects one.
     */
    private static String incomplete(String title, Format format, List<String> report) {
        if (title.indexOf('[') >= 0 && STAMP_IN_TITLE.matcher(title).find()) {
            return "title matches corrupted regexp";
        }
        if (format.noStack()) {
            return null;
        }
        // the first line each kind of stack opens on, found in one pass (words looked for before patterns)
        int[] first = new int[STACK_STARTS.size()];
        java.util.Arrays.fill(first, -1);
        for (int i = 0; i < report.size(); i++) {
            String l = report.get(i);
            if (frameName(l) == null && mayOpenStack(l)) { // a frame line opens no stack
                for (int k = 0; k < first.length; k++) {
                    if (first[k] < 0 && STACK_STARTS.get(k).matcher(l).find()) {
                        first[k] = i;
                    }
                }
            }
        }
        boolean hasStack = false;
        for (int k = 0; k < first.length; k++) {
            int at = first[k];
            if (at < 0) {
                continue;
            }
            if (report.size() - at < 3) {
                return "call trace is missed";
            }
            boolean frames = false;
            for (int i = at + 1; i < report.size() && i <= at + 15; i++) {
                String l = report.get(i);
                if (mayOpenStack(l) && STACK_STARTS.stream().anyMatch(p -> p.matcher(l).find())) {
                    break;
                }
                if (l.contains("(stack is not available)") || frameName(l) != null || l.indexOf(") from ") > 0 && ARM_FRAME.matcher(l).lookingAt()) {
                    frames = true;
                    break;
                }
            }
            hasStack |= frames;
            if (!frames && STACK_STARTS.get(k) != RISCV_STACK_START) {
                return "no frames in a stack trace";
            }
        }
        return hasStack ? null : "no stack trace in report";
    }

    /** {@return whether a line may be one of {@link #STACK_STARTS}}: their words, RISC-V's "badaddr" among them */
    private static boolean mayOpenStack(String l) {
        return stackStart(l) || l.contains("badaddr");
    }

    /** Each kind of stack's opening line, tried in this order (pkg/report's stackStartRes). */
    private static final List<Pattern> STACK_STARTS = List.of(Pattern.compile("Call (?:T|t)race"), Pattern.compile("Allocated:"),
            Pattern.compile("Allocated by task [0-9]+:"), Pattern.compile("Freed:"), Pattern.compile("Freed by task [0-9]+:"),
            Pattern.compile("[^k] backtrace(?: \\(crc [0-9a-fA-F]*\\))?:"), Pattern.compile("Backtrace:"),
            Pattern.compile("Uninit was stored to memory at"), RISCV_STACK_START);

    private static int lineOf(String text, int offset) {
        int line = 0;
        for (int i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
            line++;
        }
        return line;
    }

    private static String fill(String template, List<String> values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            int close = c == '{' ? template.indexOf('}', i) : -1;
            if (close > i + 1 && template.substring(i + 1, close).chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(template.substring(i + 1, close));
                out.append(n >= 1 && n <= values.size() ? values.get(n - 1) : "");
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The guilty frame of each frame group, and whether every group had one. */
    private record Frames(List<String> keys, boolean ok) {
    }

    /**
     * Walks a format's places, from the line its title matched: a line part takes its first matching
     * line's captures; a stack part takes frame lines until the next stack begins (or a line the next
     * part matches). Each stack part after the first starts a new frame group.
     */
    private static Frames frames(List<String> lines, int from, List<Part> parts, Skips skip, Pick pick) {
        List<String> keys = new ArrayList<>();
        List<String> group = new ArrayList<>();
        boolean ok = true;
        boolean stackSeen = false;
        int li = from;
        int n = lines.size();
        for (int i = 0; i <= parts.size(); i++) {
            if (i == parts.size() || parts.get(i) instanceof Stack && stackSeen) {
                String key = key(group, pick);
                if (key.isEmpty()) {
                    key = "corrupted";
                    ok = false;
                }
                keys.add(key);
                group.clear();
            }
            if (i == parts.size()) {
                break;
            }
            Part p = parts.get(i);
            if (p instanceof Line line) {
                for (; li < n; li++) {
                    String l = lines.get(li);
                    if (injected(l)) {
                        ok = false;
                        li++;
                        break;
                    }
                    Matcher m = line.in(l);
                    if (m != null) {
                        add(group, m, skip);
                        li++;
                        break;
                    }
                }
                continue;
            }
            stackSeen = true;
            Part next = i + 1 < parts.size() ? parts.get(i + 1) : null;
            for (; li < n; li++) {
                String l = lines.get(li);
                if (injected(l)) {
                    ok = false;
                    li++;
                    break;
                }
                String name = frameName(l); // a frame line opens no stack: asked first, it spares the stack words' search
                if (name == null && li > from && stackStart(l)) {
                    break;
                }
                if (next instanceof Line nl) {
                    Matcher m = nl.in(l);
                    if (m != null) {
                        add(group, m, skip);
                        li++;
                        i++;
                        break;
                    }
                }
                if (name != null) {
                    add(group, name, skip);
                } else if (l.indexOf(") from ") > 0) {
                    Matcher m = ARM_FRAME.matcher(l);
                    if (m.lookingAt()) {
                        add(group, m, skip);
                    }
                }
            }
        }
        return new Frames(keys, ok);
    }

    /** {@return whether this line is fault injection's frame: the part reading it stops, and the report is corrupted} */
    private static boolean injected(String l) {
        return l.contains("should_fail") && INJECTED.matcher(l).lookingAt();
    }

    /** {@return whether another stack begins at this line} (its words are looked for before the pattern runs) */
    private static boolean stackStart(String l) {
        if (l.endsWith("[inline]")) {
            return false; // a symbolizer's inlined frame, half the lines of a mailed report
        }
        for (int i = 0; i + 4 <= l.length(); i++) { // one pass for the words before the pattern runs
            char c = l.charAt(i);
            if (c == 'r' && l.startsWith("race", i) || c == 'A' && l.startsWith("Allocated", i) || c == 'F' && l.startsWith("Freed", i)
                    || c == 'U' && l.startsWith("Uninit", i)) {
                return STACK_START.matcher(l).find();
            }
        }
        return false;
    }

    private static void add(List<String> group, Matcher m, Skips skip) {
        for (int g = 1; g <= m.groupCount(); g++) {
            add(group, m.group(g), skip);
        }
    }

    private static void add(List<String> group, String name, Skips skip) {
        if (name != null && !name.isEmpty() && !SKIP.skips(name) && (skip == null || !skip.skips(name))) {
            group.add(name);
        }
    }

    /**
     * {@return the function a frame line names, or null}: {@link #FRAME} read by hand (blanks, up to
     * two "[<address>] ", then a name followed by '+' or '.'), the parser's most frequent question.
     */
    static String frameName(String l) {
        int n = l.length();
        int i = 0;
        while (i < n && l.charAt(i) == ' ') {
            i++;
        }
        for (int k = 0; k < 2; k++) {
            int j = afterAddress(l, i);
            if (j < 0) {
                break;
            }
            i = j;
        }
        int start = i;
        while (i < n && Frame.wordChar(l.charAt(i))) {
            i++;
        }
        return i > start && i < n && (l.charAt(i) == '+' || l.charAt(i) == '.') ? l.substring(start, i) : null;
    }

    /** {@return where the text goes on after "[<ffffffff81000000>] " at i (angle brackets and 0x optional), or -1} */
    private static int afterAddress(String l, int i) {
        if (i >= l.length() || l.charAt(i) != '[') {
            return -1;
        }
        i++;
        if (i < l.length() && l.charAt(i) == '<') {
            i++;
        }
        if (l.startsWith("0x", i)) {
            int r = afterHex(l, i + 2);
            if (r >= 0) {
                return r;
            }
        }
        return afterHex(l, i);
    }

    private static int afterHex(String l, int i) {
        int j = Frame.lowerHexEnd(l, i);
        if (j == i) {
            return -1;
        }
        if (j < l.length() && l.charAt(j) == '>') {
            j++;
        }
        return j + 1 < l.length() && l.charAt(j) == ']' && l.charAt(j + 1) == ' ' ? j + 2 : -1;
    }

    /** The frame a group is named by: the first (prefix-stripped), or the stall's or hung task's choice. */
    private static String key(List<String> group, Pick pick) {
        List<String> stripped = group.stream().map(SyzbotTitle::stripped).toList();
        return switch (pick) {
            case FIRST -> stripped.isEmpty() ? "" : stripped.getFirst();
            case STALL -> stall(stripped);
            case HUNG -> hung(stripped);
        };
    }

    static String stripped(String name) {
        String best = name;
        for (String p : PREFIXES) {
            if (name.startsWith(p) && name.length() - p.length() < best.length()) {
                best = name.substring(p.length());
            }
        }
        return best;
    }

    /** Where a stalled CPU's stack enters a loop body: the frame called by the first of these. */
    private static final Skips STALL_ANCHOR = new Skips(List.of("process_one_work", "do_syscall_", "do_fast_syscall_",
            "sysenter_dispatch", "tracesys_phase2", "el0_svc_handler", "invoke_syscall", "ret_fast_syscall", "netif_receive_skb",
            "do_softirq", "call_timer_fn", "_run_timers", "run_timer_softirq", "hrtimer_run", "run_ksoftirqd", "smpboot_thread_fn",
            "^kthread$", "start_secondary", "cpu_startup_entry", "ret_from_fork", "vfs_write", "vfs_read", "vfs_iter_read",
            "vfs_iter_write", "do_iter_read", "do_iter_write", "call_read_iter", "call_write_iter", "new_sync_read",
            "new_sync_write", "vfs_ioctl", "ksys_ioctl", "compat_ioctl", "compat_sys_ioctl", "blkdev_driver_ioctl",
            "blkdev_ioctl", "^call_read_iter", "^call_write_iter", "do_iter_readv_writev", "^call_mmap", "mmap_region",
            "do_mmap", "do_dentry_open", "vfs_open", "^sock_sendmsg", "^sock_recvmsg", "^sock_release", "^__sock_release",
            "^setsockopt$", "kernel_setsockopt", "sock_common_setsockopt", "^listen$", "kernel_listen", "sk_common_release",
            "^sock_mmap", "^accept$", "kernel_accept", "^sock_do_ioctl", "^sock_ioctl", "^compat_sock_ioctl",
            "^nfnetlink_rcv_msg", "^rtnetlink_rcv_msg", "^netlink_dump", "^(?:sys_)?(?:socketpair|connect|ioctl)", "__do_fault",
            "do_page_fault", "^page_fault$", "__fput", "task_work_run", "exit_to_usermode", "smp_call_function", "tasklet_action",
            "tasklet_hi_action"));

    private static String stall(List<String> frames) {
        String previous = frames.isEmpty() ? "" : frames.getFirst();
        for (String f : frames) {
            if (STALL_ANCHOR.skips(f)) {
                return f.contains("smp_call_function") ? "smp_call_function" : previous;
            }
            previous = f;
        }
        return "";
    }

    private static final Skips WAITING = new Skips(List.of("sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait",
            "synchronize", "context_switch", "__switch_to", "cancel_delayed_work", "rcu_barrier"));

    private static String hung(List<String> frames) {
        for (String f : frames) {
            if (f.contains("rtnl_lock")) {
                return f;
            }
            if (f.contains("synchronize_rcu") || f.contains("synchronize_srcu") || f.contains("synchronize_net")
                    || f.contains("synchronize_sched")) {
                return "synchronize_rcu";
            }
        }
        for (String f : frames) {
            if (!WAITING.skips(f)) {
                return f;
            }
        }
        return "";
    }

    private static final Pattern[] NORMAL = {
            Pattern.compile("syz-executor\\.?[0-9]+(?:[/:][0-9]+)?"), Pattern.compile("syzkaller[0-9]+(?:[/:][0-9]+)?"),
            Pattern.compile("([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}"), Pattern.compile("[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}"),
            Pattern.compile("(\\.\\w+)(?::[0-9]+)+"), Pattern.compile("([a-zA-Z][a-zA-Z0-9_.]+)\\+0x[0-9a-z]+/0x[0-9a-z]+"),
            Pattern.compile("CPU#[0-9]+"), Pattern.compile("([^\\w])[0-9]+(\\W|$)"), Pattern.compile("[0-9]{7,}")};
    /** A word each rule's match contains, "" for rules with none. */
    private static final String[] NEEDS = {"syz-executor", "syzkaller", "", ".", ":", "+0x", "CPU#", "", ""};
    private static final String[] NORMAL_TO = {"syz-executor", "syzkaller", "$1ADDR", "IP", "$1:LINE", "$1", "CPU", "$1NUM$2", "NUM"};

    /** Addresses, numbers, line numbers and offsets replaced by words, so the same bug keeps its title; at most 120 bytes. */
    static String normalize(String title) {
        String t = title;
        boolean digits = t.chars().anyMatch(Character::isDigit);
        for (int i = 0; i < NORMAL.length; i++) {
            if (!NEEDS[i].isEmpty() && !t.contains(NEEDS[i]) || (i == 3 || i >= 7) && !digits) {
                continue; // the rule cannot apply: its literal words or any digit are missing
            }
            // until nothing is left to replace (matches may overlap: "0,1,2"); most titles match no rule
            for (Matcher m = NORMAL[i].matcher(t); m.find(); m = NORMAL[i].matcher(t)) {
                String next = m.replaceAll(NORMAL_TO[i]);
                if (next.equals(t)) {
                    break;
                }
                t = next;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < t.length() && i < 120; i++) {
            char c = t.charAt(i);
            if (c == '\t') {
                c = ' ';
            }
            if (c < 0x20 || c >= 0x7f || c == ' ' && (out.isEmpty() || out.charAt(out.length() - 1) == ' ')) {
                continue;
            }
            out.append(c);
        }
        return out.toString().strip();
    }
}
