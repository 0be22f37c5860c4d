package dev.kdive.finding;

import dev.kdive.value.Hex;
import java.util.List;

/**
 * The crash as the kernel reported it (an oops, BUG, lockup, hung task or panic in the printk log),
 * with what the dump adds: the faulting instruction, which register held the bad value.
 *
 * @param report   the kernel's own name for it ("general protection fault", "soft lockup")
 * @param title    one line naming it ("general protection fault in __kmalloc")
 * @param function the function the CPU was in, with its offset; null when not known
 * @param location FILE:LINE the kernel named (BUG, WARNING); null otherwise
 * @param ip       the instruction pointer; null when not known
 * @param address  the bad address it names (page fault, GPF's non-canonical address); null otherwise
 * @param cpu      the CPU; null when not printed
 * @param pid      the task's pid; null when not printed
 * @param comm     the task's name; null when not printed
 */
public record CrashReport(String report, String title, String function, String location, @Hex Long ip, @Hex Long address,
                          Integer cpu, Integer pid, String comm, List<Evidence> evidence) implements Finding {
    public CrashReport {
        evidence = List.copyOf(evidence);
    }

    @Override
    public String kind() {
        return "crash.report";
    }

    @Override
    public Severity severity() {
        return Severity.CRASH;
    }

    @Override
    public String summary() {
        return title + (cpu != null ? " on CPU " + cpu : "") + (pid != null ? ", pid " + pid + (comm != null ? " (" + comm + ")" : "") : "")
                + (location != null ? " at " + location : "");
    }
}
