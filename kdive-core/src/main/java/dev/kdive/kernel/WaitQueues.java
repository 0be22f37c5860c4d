package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * Who waits on a wait queue (include/linux/wait.h): {@code wait_queue_head.head}, a list of
 * {@code wait_queue_entry.entry}, each with its {@code private} (the waiting task for the default
 * wake function; poll and epoll entries keep other data there) and {@code func}.
 */
public final class WaitQueues {
    private WaitQueues() {
    }

    /** One waiter: its entry, the task it names (null when {@code private} is no task), and its wake function. */
    public record Waiter(@Hex long entry, Task task, @Hex long priv, @Hex long func) {}

    public record Queue(@Hex long head, List<Waiter> waiters, List<Finding> findings) {}

    public static Queue of(Program p, long head) throws MemoryFault {
        KernelObject h = KernelObject.at(p, "wait_queue_head", head);
        KernelObject e0 = KernelObject.at(p, "wait_queue_entry", 0);
        Lists.Walk w = Lists.listForEachEntry(p, "wait_queue_head " + Long.toHexString(head), h.addressOf("head"),
                e0.member("entry").offset(), Lists.LIMIT);
        List<Finding> findings = new ArrayList<>(w.findings());
        List<Waiter> out = new ArrayList<>();
        for (long e : w.entries()) {
            try {
                KernelObject entry = KernelObject.at(p, "wait_queue_entry", e);
                long priv = entry.read("private");
                Task t = null;
                if (priv != 0) {
                    try {
                        Task c = Tasks.at(p, priv);
                        // a task's own stack pointer names it; anything else in private is not a task
                        t = KernelObject.at(p, "task_struct", priv).read("stack") != 0 && c.pid() >= 0 ? c : null;
                    } catch (MemoryFault f) {
                        t = null;
                    }
                }
                out.add(new Waiter(e, t, priv, entry.read("func")));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("wait_queue_entry " + Long.toHexString(e), f));
            }
        }
        return new Queue(head, out, findings);
    }
}
