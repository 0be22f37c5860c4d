package dev.kdive.lab;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The crashes the lab provokes; the names are the kdive_lab module's (samples/crashmod). */
public enum Scenario {
    PANIC("panic", "sysrq c: panic() from sysrq_handle_crash", "Kernel panic - not syncing: sysrq triggered crash", ""),
    NULL_DEREF("null-deref", "write through a NULL pointer in the module", "BUG: kernel NULL pointer dereference", ""),
    BUG("bug", "BUG() in the module, on a CPU with LA57: the kernel runs 5-level paging", "kernel BUG at", ""),
    SLAB_UAF("slab-uaf", "write-after-free over a kmalloc-192 free pointer, then GPF in the SLUB fast path",
            "general protection fault", ""),
    SLAB_UAF_DEFERRED("slab-uaf-deferred", "write-after-free over a kmalloc-cg-192 free pointer; the module returns, and another "
            + "process's pipe() takes the GPF in the SLUB fast path", "general protection fault", ""),
    DOUBLE_FREE("double-free", "kfree() twice: SLAB_FREELIST_HARDENED's BUG in set_freepointer", "kernel BUG at mm/slub.c", ""),
    SLAB_POISON("slab-poison", "slub_debug=FZPU on kmalloc-192: a write into a freed object's poison, then panic()",
            "Kernel panic - not syncing: kdive-lab: slab-poison", "slub_debug=FZPU,kmalloc-192"),
    LIST_CORRUPT("list-corrupt", "list_add() over a corrupted entry: DEBUG_LIST + BUG_ON_DATA_CORRUPTION",
            "list_add corruption", ""),
    SOFT_LOCKUP("soft-lockup", "spin with preemption off until the watchdog panics", "BUG: soft lockup",
            "softlockup_panic=1 watchdog_thresh=2"),
    HUNG_TASK("hung-task", "sleep in D state until khungtaskd panics", "blocked for more than",
            "hung_task_panic=1 sysctl.kernel.hung_task_timeout_secs=5");

    private final String id;
    private final String description;
    private final String oopsLine;
    private final String kernelArgs;

    Scenario(String id, String description, String oopsLine, String kernelArgs) {
        this.id = id;
        this.description = description;
        this.oopsLine = oopsLine;
        this.kernelArgs = kernelArgs;
    }

    /** {@return the scenario name users type and the module accepts} */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** {@return text the console log of this crash always contains} */
    public String oopsLine() {
        return oopsLine;
    }

    /** {@return extra kernel command-line words this scenario needs to end in a panic} */
    public String kernelArgs() {
        return kernelArgs;
    }

    /** {@return whether the kernel oopses (prints RIP and registers) before it panics; panic(), sysrq and khungtaskd do not} */
    public boolean oopses() {
        return this != PANIC && this != HUNG_TASK && this != SLAB_POISON;
    }

    /**
     * {@return QEMU's -cpu model: LA57 (5-level paging, which Debian's kernel enables when the CPU
     * has it) for one scenario, so dumps of both page-table depths are in the lab}
     */
    public String cpu() {
        return this == BUG ? "max,la57=on" : "max,la57=off";
    }

    /** {@return how long the guest may take from QEMU start to the panic} */
    public Duration panicTimeout() {
        return this == HUNG_TASK || this == SOFT_LOCKUP ? Duration.ofSeconds(150) : Duration.ofSeconds(90);
    }

    /**
     * {@return the "kdive-lab: gt" keys the crash module logs before this crash (samples/crashmod);
     * the lab refuses a console log that lacks one}
     */
    public List<String> moduleFacts() {
        List<String> context = List.of("scenario", "release", "cpu", "pid", "comm", "provoker");
        List<String> cache = List.of("cache", "object_size", "free_pointer_offset", "object");
        return switch (this) {
            case SLAB_UAF, SLAB_UAF_DEFERRED -> concat(context, cache, List.of("slot", "raw_pointer", "decoded_pointer", "fault_address"));
            case DOUBLE_FREE -> concat(context, cache);
            case SLAB_POISON -> concat(context, cache, List.of("flags", "write_offset", "write_length", "write_byte"));
            case NULL_DEREF -> concat(context, List.of("fault_address"));
            case LIST_CORRUPT -> concat(context, List.of("list_head", "corrupted_entry"));
            default -> context;
        };
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    public static Optional<Scenario> byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Scenario::id).toList();
    }
}
