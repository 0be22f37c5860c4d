package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * Each CPU's run queue (kernel/sched/sched.h {@code struct rq}, the per-cpu {@code runqueues}), as
 * crash's {@code runq} shows it: the running task, the real-time tasks queued by priority
 * ({@code rt.active.queue[prio]} lists of {@code sched_rt_entity.run_list}) and the fair-class tasks in
 * the CFS red-black tree ({@code cfs.tasks_timeline}, {@code sched_entity.run_node}), group
 * entities' own queues ({@code se.my_q}) walked into. The running task is not in the tree: CFS
 * takes it out while it runs (kernel/sched/fair.c set_next_entity).
 */
public final class RunQueues {
    private RunQueues() {
    }

    /** A queued task and its priority ({@code task->prio}: 0..99 real-time, 100..139 normal). */
    public record Queued(int prio, Task task) {}

    /**
     * One CPU's run queue.
     *
     * @param rtArray the {@code rt_prio_array} ({@code rq->rt.active})
     * @param cfsRoot the CFS tree's {@code rb_root} ({@code rq->cfs.tasks_timeline})
     * @param clock   {@code rq->clock}, the queue's last update in ns
     * @param currentLastArrival when the running task last got the CPU ({@code sched_info.last_arrival}, ns)
     */
    public record RunQueue(int cpu, @Hex long address, Task current, @Hex long rtArray, List<Queued> rt, @Hex long cfsRoot,
                           List<Queued> cfs, long clock, long currentLastArrival, List<Finding> findings) {}

    /** {@return every CPU's run queue, in CPU order; a CPU whose queue cannot be read has a finding instead of tasks} */
    public static List<RunQueue> of(Program p) throws MemoryFault, UnknownSymbolException {
        long[] offsets = p.perCpuOffsets();
        long base = p.address("runqueues");
        List<RunQueue> out = new ArrayList<>();
        for (int cpu = 0; cpu < offsets.length; cpu++) {
            long rq = base + offsets[cpu];
            KernelObject q = KernelObject.at(p, "rq", rq);
            List<Finding> findings = new ArrayList<>();
            Task current = null;
            try {
                current = Tasks.at(p, q.read("curr"));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("CPU " + cpu + " rq->curr", f));
            }
            long rtArray = q.addressOf("rt.active");
            List<Queued> rt = new ArrayList<>();
            rtQueued(p, rtArray, rt, findings, 0);
            long cfsRoot = q.addressOf("cfs.tasks_timeline");
            List<Queued> cfs = new ArrayList<>();
            cfsQueued(p, q.addressOf("cfs"), cfs, findings, 0);
            long lastArrival = 0;
            if (current != null) {
                try {
                    lastArrival = KernelObject.at(p, "task_struct", current.address()).read("sched_info.last_arrival");
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("CPU " + cpu + " current task's sched_info", f));
                }
            }
            out.add(new RunQueue(cpu, rq, current, rtArray, rt, cfsRoot, cfs, q.read("clock"), lastArrival, findings));
        }
        return out;
    }

    /** The tasks whose {@code on_rq} is set on one CPU (crash's {@code runq -d}), in the task list's order. */
    public record OnCpu(int cpu, List<Queued> tasks, List<Finding> findings) {}

    /**
     * {@return per CPU, every task the kernel counts as on a run queue: {@code task_struct.on_rq}
     * set (kernel/sched/sched.h TASK_ON_RQ_QUEUED or _MIGRATING; the idle tasks have it from
     * init_idle) and {@code task_cpu()} that CPU}; whatever the queues' own trees say, so a task a
     * broken tree lost still shows
     */
    public static List<OnCpu> onRunQueue(Program p, List<Task> tasks) throws MemoryFault, UnknownSymbolException {
        int cpus = p.perCpuOffsets().length;
        List<List<Queued>> per = new ArrayList<>();
        List<List<Finding>> problems = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            per.add(new ArrayList<>());
            problems.add(new ArrayList<>());
        }
        for (Task t : tasks) {
            try {
                KernelObject ts = KernelObject.at(p, "task_struct", t.address());
                if (ts.read("on_rq") != 0 && t.cpu() >= 0 && t.cpu() < cpus) {
                    per.get(t.cpu()).add(new Queued((int) ts.read("prio"), t));
                }
            } catch (MemoryFault f) {
                problems.get(Math.max(0, Math.min(cpus - 1, t.cpu()))).add(UnreadableMemory.of("task " + t.pid() + " on_rq", f));
            }
        }
        List<OnCpu> out = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            out.add(new OnCpu(c, List.copyOf(per.get(c)), List.copyOf(problems.get(c))));
        }
        return out;
    }

    /** The tasks of an {@code rt_prio_array}, highest priority (lowest number) first. */
    private static void rtQueued(Program p, long array, List<Queued> out, List<Finding> findings, int depth) {
        KernelObject a = KernelObject.at(p, "rt_prio_array", array);
        var queue = a.member("queue");
        long heads = array + queue.offset();
        int count = (int) ((dev.kdive.types.Type.Array) queue.type().get().resolved()).length();
        long headSize = queue.type().get().size() / Math.max(1, count);
        KernelObject rtSe = KernelObject.at(p, "sched_rt_entity", 0);
        long runList = rtSe.member("run_list").offset();
        boolean groups = rtSe.struct().member("my_q").isPresent();
        long rtInTask = KernelObject.at(p, "task_struct", 0).member("rt").offset();
        for (int prio = 0; prio < count; prio++) {
            Lists.Walk w = Lists.listForEachEntry(p, "rt_prio_array " + Long.toHexString(array) + " queue[" + prio + "]",
                    heads + prio * headSize, runList, Lists.LIMIT);
            findings.addAll(w.findings());
            for (long se : w.entries()) {
                try {
                    long myQ = groups ? KernelObject.at(p, "sched_rt_entity", se).read("my_q") : 0;
                    if (myQ != 0 && depth < 16) { // a group's entity: its own queue holds the tasks
                        rtQueued(p, KernelObject.at(p, "rt_rq", myQ).addressOf("active"), out, findings, depth + 1);
                    } else {
                        Task t = Tasks.at(p, se - rtInTask);
                        out.add(new Queued((int) KernelObject.at(p, "task_struct", t.address()).read("prio"), t));
                    }
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("sched_rt_entity " + Long.toHexString(se), f));
                }
            }
        }
    }

    /** The tasks of a {@code cfs_rq}'s tree, leftmost (next to run) first, group entities walked into. */
    private static void cfsQueued(Program p, long cfsRq, List<Queued> out, List<Finding> findings, int depth) {
        KernelObject rq = KernelObject.at(p, "cfs_rq", cfsRq);
        KernelObject se0 = KernelObject.at(p, "sched_entity", 0);
        long runNode = se0.member("run_node").offset();
        boolean groups = se0.struct().member("my_q").isPresent();
        long seInTask = KernelObject.at(p, "task_struct", 0).member("se").offset();
        long top;
        try {
            top = rq.read("tasks_timeline.rb_root.rb_node");
        } catch (MemoryFault f) {
            findings.add(UnreadableMemory.of("cfs_rq " + Long.toHexString(cfsRq) + " tasks_timeline", f));
            return;
        }
        Trees.Walk<Trees.RbNode> w = Trees.rbtree(p, "cfs_rq " + Long.toHexString(cfsRq) + " tasks_timeline", top, true);
        findings.addAll(w.findings());
        for (Trees.RbNode n : w.nodes()) {
            long se = n.node() - runNode;
            try {
                long myQ = groups ? KernelObject.at(p, "sched_entity", se).read("my_q") : 0;
                if (myQ != 0 && depth < 16) {
                    cfsQueued(p, myQ, out, findings, depth + 1);
                } else {
                    Task t = Tasks.at(p, se - seInTask);
                    out.add(new Queued((int) KernelObject.at(p, "task_struct", t.address()).read("prio"), t));
                }
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("sched_entity " + Long.toHexString(se), f));
            }
        }
    }
}
