package dev.kdive.oops;

import dev.kdive.value.Hex;
import java.util.List;
import java.util.Optional;

/**
 * One crash report found in a kernel log: an oops, BUG, WARNING, lockup, hung task, RCU stall,
 * sanitizer report, panic or machine check, with what the kernel printed about it decoded. Fields
 * the log did not print (or that truncation cut) are null or empty.
 *
 * @param kind      what kind of report
 * @param title     one line naming the bug, stable across KASLR, timestamps, offsets and pids ("general protection fault in foo")
 * @param culprit   the function the title names: the first frame that is not reporting machinery, or null
 * @param signature a short hash of the title and the culprit's callers, for deduplication
 * @param header    the first line of the report as printed (log prefixes removed)
 * @param line      where that line is in the log, 1-based
 * @param message   the kind's own words: the KASAN bug type, BUG message, panic message, trap name...
 * @param location  FILE:LINE of "kernel BUG at", "WARNING: ... at", "UBSAN: ... in"
 * @param access    the access a sanitizer caught ("Read of size 8 at addr ... by task ..."), or the
 *                  corruption a list check found
 * @param taint     the "Tainted:" field decoded
 * @param release   the kernel release ("6.1.0-56-amd64") and {@code version} what follows it ("#1 Debian 6.1.192-2")
 * @param rip       where the CPU was: "RIP:" (x86), "pc :" (arm64)
 * @param address   the faulting address the report names (page fault address, GPF's non-canonical
 *                  address, sanitizers' addr), else null
 * @param errorCode the exception error code ("Oops: 0002", "general protection fault: 0000")
 * @param die       the die counter, N of "[#N]"; {@code dieFlags} what follows it ("PREEMPT SMP NOPTI")
 * @param pageFault the #PF error code decoded, for page faults
 * @param code      the "Code:" line's bytes
 * @param traces    the call trace, then other stacks the report printed (KASAN's allocation and free stacks)
 * @param modules   "Modules linked in:", as printed ("kdive_lab(OE)")
 * @param panic     the "Kernel panic - not syncing:" message this report ended in, or null
 * @param corrupted why the report cannot be titled with confidence (its frames are missing, its
 *                  header was lost, fault injection's stack is mixed in), as syzbot says it; null when it can
 */
public record OopsReport(Kind kind, String title, String culprit, String signature, String header, int line,
                         String message, String location, String access,
                         Integer cpu, Integer pid, String comm, Taint taint, String release, String version,
                         String hardware, String workqueue, Frame rip, Registers registers, @Hex Long address,
                         @Hex Long errorCode, Integer die, String dieFlags, PageFaultError pageFault, Code code,
                         List<CallTrace> traces, List<String> modules, String panic, String corrupted) {
    public OopsReport {
        traces = List.copyOf(traces);
        modules = List.copyOf(modules);
    }

    /** {@return the report's call trace (the first "Call Trace" printed), if any} */
    public Optional<CallTrace> callTrace() {
        return traces.stream().filter(t -> t.label().equals("Call Trace")).findFirst();
    }

    /** {@return the privilege level the CPU ran at (CS's RPL): 0 kernel, 3 user; empty when CS was not printed} */
    public Optional<Integer> ring() {
        return registers.cs().map(Selector::rpl);
    }

    /** {@return whether anything past the header was found: registers, a trace, or a task} */
    public boolean partial() {
        return rip == null && traces.isEmpty() && cpu == null && pid == null;
    }

    /** {@return this report, marked as one that cannot be trusted, and why} */
    OopsReport corrupted(String why) {
        return new OopsReport(kind, title, culprit, signature, header, line, message, location, access, cpu, pid,
                comm, taint, release, version, hardware, workqueue, rip, registers, address, errorCode, die, dieFlags,
                pageFault, code, traces, modules, panic, why);
    }

    OopsReport titled(Title t) {
        return new OopsReport(kind, t.title(), t.culprit(), t.signature(), header, line, message, location, access, cpu, pid,
                comm, taint, release, version, hardware, workqueue, rip, registers, address, errorCode, die, dieFlags,
                pageFault, code, traces, modules, panic, t.corrupted());
    }
}
