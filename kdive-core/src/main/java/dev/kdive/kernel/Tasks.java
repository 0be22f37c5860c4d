package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Unavailable;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's tasks, walked from {@code init_task} along {@code task_struct.tasks} (thread-group
 * leaders) and each leader's {@code signal->thread_head} list of threads (include/linux/sched.h,
 * kernel/fork.c). A list that loops or leaves readable memory ends the walk with a problem named,
 * not an exception.
 */
public final class Tasks {
    private static final int LIMIT = 4_000_000; // PID_MAX_LIMIT

    /** The tasks found, and what was wrong in the lists on the way. */
    public record Walk(List<Task> tasks, List<Finding> findings) {
        public Optional<Task> byPid(int pid) {
            return tasks.stream().filter(t -> t.pid() == pid).findFirst();
        }
    }

    private Tasks() {
    }

    /**
     * {@return every task: init_task, the thread-group leaders on its {@code tasks} list and each
     * leader's threads on {@code signal->thread_head} (linked by {@code thread_node}, 5.x+); a task
     * reached twice is listed once}
     */
    public static Walk walk(Program p) {
        List<Task> tasks = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        long init;
        try {
            init = p.address("init_task");
        } catch (UnknownSymbolException e) {
            return new Walk(tasks, List.of(new Unavailable("tasks", e.getMessage())));
        }
        KernelObject first = KernelObject.at(p, "task_struct", init);
        List<Long> leaders = new ArrayList<>();
        leaders.add(init);
        Lists.Walk list = Lists.listForEachEntry(p, "task list (init_task.tasks)", first.addressOf("tasks"),
                first.member("tasks").offset(), LIMIT);
        leaders.addAll(list.entries());
        findings.addAll(list.findings());
        Set<Long> seen = new HashSet<>();
        boolean threads = first.struct().member("thread_node").isPresent();
        for (long leader : leaders) {
            KernelObject t = new KernelObject(p, first.struct(), leader);
            try {
                if (seen.add(leader)) {
                    tasks.add(task(t));
                }
                long signal = t.read("signal");
                if (!threads || signal == 0) {
                    continue;
                }
                KernelObject sig = KernelObject.at(p, "signal_struct", signal);
                Lists.Walk group = Lists.listForEachEntry(p, "threads of pid " + t.read("pid") + " (signal_struct.thread_head)",
                        sig.addressOf("thread_head"), first.member("thread_node").offset(), LIMIT);
                findings.addAll(group.findings());
                for (long thread : group.entries()) {
                    if (seen.add(thread)) {
                        tasks.add(task(new KernelObject(p, first.struct(), thread)));
                    }
                }
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("task_struct " + Long.toHexString(leader), f));
            }
        }
        return new Walk(List.copyOf(tasks), List.copyOf(findings));
    }

    /**
     * {@return the task whose task_struct is at {@code address}, as the task lists know it (a
     * thread-group leader, a thread or a CPU's idle task); read from the address alone when no list
     * reaches it, as on a kernel whose task list is broken}
     */
    public static Task find(Program p, long address) throws MemoryFault, UnknownSymbolException {
        return finder(p).find(address);
    }

    /** Looks tasks up by task_struct address in one walk of the lists, for callers that look up several. */
    @FunctionalInterface
    public interface Finder {
        Task find(long address) throws MemoryFault;
    }

    /** {@return a finder over the task lists and idle tasks as they are now; an address no list reaches is read alone} */
    public static Finder finder(Program p) throws MemoryFault, UnknownSymbolException {
        java.util.Map<Long, Task> known = new java.util.HashMap<>();
        for (Task t : idle(p)) {
            known.put(t.address(), t);
        }
        for (Task t : walk(p).tasks()) {
            known.put(t.address(), t); // the lists' view of a task wins over the idle array's
        }
        return address -> {
            Task t = known.get(address);
            return t != null ? t : at(p, address);
        };
    }

    /** {@return the task whose task_struct is at {@code address}} */
    public static Task at(Program p, long address) throws MemoryFault {
        return task(KernelObject.at(p, "task_struct", address));
    }

    static Task task(KernelObject t) throws MemoryFault {
        long state = t.read(t.struct().member("__state").isPresent() ? "__state" : "state");
        int cpu = (int) t.read(t.struct().member("cpu").isPresent() ? "cpu" : "thread_info.cpu");
        long parent = t.read("real_parent");
        int ppid = parent == 0 ? 0 : (int) new KernelObject(t.program(), t.struct(), parent).read("pid");
        return new Task(t.address(), (int) t.read("pid"), (int) t.read("tgid"), t.string("comm"), t.read("mm"),
                t.read("active_mm"), state, t.read("exit_state"), cpu, ppid);
    }

    /**
     * {@return every task crash's task table holds: each CPU's idle task and the task list, once
     * each, in pid order (the idle tasks, pid 0, first and by CPU)}
     */
    public static List<Task> withIdle(Program p) throws MemoryFault, UnknownSymbolException {
        List<Task> all = new ArrayList<>(idle(p));
        java.util.Set<Long> seen = new java.util.HashSet<>(all.stream().map(Task::address).toList());
        walk(p).tasks().stream().filter(t -> seen.add(t.address())).forEach(all::add);
        all.sort(java.util.Comparator.comparingInt(Task::pid));
        return all;
    }

    /** {@return the idle task of each CPU: init_task for CPU 0, {@code runqueues[cpu].idle} for the others} */
    public static List<Task> idle(Program p) throws MemoryFault, UnknownSymbolException {
        List<Task> idle = new ArrayList<>();
        long[] offsets = p.perCpuOffsets();
        KernelObject first = KernelObject.at(p, "task_struct", p.address("init_task"));
        idle.add(task(first));
        for (int cpu = 1; cpu < offsets.length; cpu++) {
            long rq = p.address("runqueues") + offsets[cpu];
            long t = KernelObject.at(p, "rq", rq).read("idle");
            if (t != 0) {
                Task i = task(new KernelObject(p, first.struct(), t));
                // Forked from init at boot, but an idle task's parent is shown as 0, as crash shows it.
                idle.add(new Task(i.address(), i.pid(), i.tgid(), i.comm(), i.mm(), i.activeMm(), i.state(), i.exitState(),
                        i.cpu(), 0));
            }
        }
        return idle;
    }

    /** {@return the task running on a CPU: the per-cpu {@code current_task} (6.1) or {@code pcpu_hot.current_task} (6.2+)} */
    public static long current(Program p, int cpu) throws MemoryFault, UnknownSymbolException {
        long offset = p.perCpuOffsets()[cpu];
        if (p.symbols().lookup("current_task").isPresent()) {
            return p.kernel().u64(p.address("current_task") + offset);
        }
        return KernelObject.at(p, "pcpu_hot", p.address("pcpu_hot") + offset).read("current_task");
    }

    /** {@return the physical address of a task's top-level page table: {@code mm->pgd} (or active_mm's for kernel threads)} */
    public static long pgd(Program p, Task t) throws MemoryFault {
        long mm = t.mm() != 0 ? t.mm() : t.activeMm();
        if (mm == 0) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, t.address(), "task " + t.pid() + " has no mm");
        }
        long pgd = KernelObject.at(p, "mm_struct", mm).read("pgd");
        return pgd - p.layout().pageOffsetBase(); // the pgd lives in the direct map
    }
}
