package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fair-class run queues by task group (kernel/sched/sched.h {@code struct task_group}: per CPU a
 * {@code cfs_rq[cpu]}, the root's being {@code &rq->cfs}; {@code children}/{@code siblings} the
 * hierarchy), crash's {@code runq -g}: under each CPU's root queue, the running task, the queued
 * entities in tree order (a group's entity, {@code se->my_q} set, opens that group's queue), then the
 * child groups whose queue on this CPU holds tasks though their entity is not queued (throttled or
 * dequeued: kernel/sched/fair.c throttle_cfs_rq).
 */
public final class TaskGroups {
    private TaskGroups() {
    }

    /** A queued entity: a task, or a group's queue. */
    public sealed interface Entry permits QueuedTask, Group {}

    /** A task; {@code current} when it is the CPU's running task (CFS takes that out of the tree). */
    public record QueuedTask(int prio, Task task, boolean current) implements Entry {}

    /**
     * A task group's queue on one CPU.
     *
     * @param name      its cgroup's directory name ("/" for the root cgroup); null for an autogroup,
     *                  which has no cgroup
     * @param throttled whether CFS bandwidth control has throttled it ({@code cfs_rq->throttled})
     */
    public record Group(@Hex long taskGroup, @Hex long cfsRq, String name, boolean throttled, List<Entry> entries) implements Entry {}

    /** One CPU: its running task and the root group's queue. */
    public record Cpu(int cpu, Task current, Group root, List<Finding> findings) {}

    /**
     * @param rootName the root group's symbol: {@code root_task_group} (or {@code init_task_group} before 2.6.35)
     * @param rtGroups whether the kernel groups real-time tasks too (CONFIG_RT_GROUP_SCHED: {@code task_group.rt_rq}),
     *                 which is not shown here
     */
    public record Hierarchy(String rootName, @Hex long root, boolean rtGroups, List<Cpu> cpus) {}

    private record Layout(long tgCfsRq, long children, long siblings, long cfsTg, long cfsCurr, long runNode, long myQ,
                          long seInTask, boolean hasThrottled, String nrRunning) {}

    /** {@return each CPU's fair-class queues by task group} */
    public static Hierarchy of(Program p) throws MemoryFault, UnknownSymbolException {
        String rootSym = p.symbols().lookup("root_task_group").isPresent() ? "root_task_group" : "init_task_group";
        long root = p.address(rootSym);
        KernelObject tg = KernelObject.at(p, "task_group", root);
        KernelObject cfs = KernelObject.at(p, "cfs_rq", 0);
        KernelObject se = KernelObject.at(p, "sched_entity", 0);
        Layout l = new Layout(tg.member("cfs_rq").offset(), tg.member("children").offset(), tg.member("siblings").offset(),
                cfs.member("tg").offset(), cfs.member("curr").offset(), se.member("run_node").offset(), se.member("my_q").offset(),
                KernelObject.at(p, "task_struct", 0).member("se").offset(), cfs.struct().member("throttled").isPresent(),
                // nr_running counted the queued entities until 6.14 renamed it nr_queued
                cfs.struct().member("nr_running").isPresent() ? "nr_running" : "nr_queued");
        long[] offsets = p.perCpuOffsets();
        long runqueues = p.address("runqueues");
        List<Cpu> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < offsets.length; cpu++) {
            List<Finding> findings = new ArrayList<>();
            Task current = null;
            try {
                current = Tasks.at(p, KernelObject.at(p, "rq", runqueues + offsets[cpu]).read("curr"));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("CPU " + cpu + " rq->curr", f));
            }
            Set<Long> shown = new HashSet<>();
            shown.add(root);
            long cfsRq = 0;
            List<Entry> entries = new ArrayList<>();
            try {
                cfsRq = p.kernel().u64(tg.read("cfs_rq") + 8L * cpu);
                entries = queue(p, l, cpu, cfsRq, current, shown, findings, 0);
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("CPU " + cpu + " root task_group cfs_rq", f));
            }
            cpus.add(new Cpu(cpu, current, new Group(root, cfsRq, null, false, entries), findings));
        }
        return new Hierarchy(rootSym.equals("root_task_group") ? "ROOT" : "INIT", root,
                tg.struct().member("rt_rq").isPresent(), cpus);
    }

    /** The entries of one group's {@code cfs_rq}: the running group or task, the tree in order, the dequeued child groups. */
    private static List<Entry> queue(Program p, Layout l, int cpu, long cfsRq, Task current, Set<Long> shown, List<Finding> findings,
                                     int depth) throws MemoryFault {
        List<Entry> out = new ArrayList<>();
        if (depth > 16) {
            return out;
        }
        long curr = p.kernel().u64(cfsRq + l.cfsCurr());
        long currQ = curr != 0 ? p.kernel().u64(curr + l.myQ()) : 0;
        if (currQ != 0) {
            out.add(group(p, l, cpu, currQ, current, shown, findings, depth + 1));
        } else if (current != null && curr != 0 && curr - l.seInTask() == current.address()) {
            out.add(new QueuedTask(prio(p, current), current, true));
        }
        long top = KernelObject.at(p, "cfs_rq", cfsRq).read("tasks_timeline.rb_root.rb_node");
        Trees.Walk<Trees.RbNode> w = Trees.rbtree(p, "cfs_rq " + Long.toHexString(cfsRq) + " tasks_timeline", top, true);
        findings.addAll(w.findings());
        for (Trees.RbNode n : w.nodes()) {
            long entity = n.node() - l.runNode();
            try {
                long myQ = p.kernel().u64(entity + l.myQ());
                if (myQ != 0) {
                    out.add(group(p, l, cpu, myQ, current, shown, findings, depth + 1));
                } else {
                    Task t = Tasks.at(p, entity - l.seInTask());
                    out.add(new QueuedTask(prio(p, t), t, false));
                }
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("sched_entity " + Long.toHexString(entity), f));
            }
        }
        out.addAll(dequeued(p, l, cpu, cfsRq, current, shown, findings, depth));
        return out;
    }

    private static Group group(Program p, Layout l, int cpu, long cfsRq, Task current, Set<Long> shown, List<Finding> findings,
                               int depth) throws MemoryFault {
        long tg = p.kernel().u64(cfsRq + l.cfsTg());
        shown.add(tg);
        List<Entry> entries = queue(p, l, cpu, cfsRq, current, shown, findings, depth);
        return new Group(tg, cfsRq, name(p, tg), throttled(p, l, cfsRq), entries);
    }

    /**
     * The child groups of {@code cfsRq}'s group not shown yet whose queue on this CPU is not empty;
     * an empty one is looked through for its own children (it is shown only when one of those is).
     */
    private static List<Entry> dequeued(Program p, Layout l, int cpu, long cfsRq, Task current, Set<Long> shown, List<Finding> findings,
                                        int depth) throws MemoryFault {
        List<Entry> out = new ArrayList<>();
        if (depth > 16) {
            return out;
        }
        long tg = p.kernel().u64(cfsRq + l.cfsTg());
        Lists.Walk children = Lists.listForEachEntry(p, "task_group " + Long.toHexString(tg) + " children", tg + l.children(),
                l.siblings(), 1 << 16);
        findings.addAll(children.findings());
        for (long child : children.entries()) {
            if (shown.contains(child)) {
                continue;
            }
            try {
                long q = p.kernel().u64(p.kernel().u64(child + l.tgCfsRq()) + 8L * cpu);
                if (q == cfsRq) {
                    continue;
                }
                if (KernelObject.at(p, "cfs_rq", q).read(l.nrRunning()) == 0) {
                    List<Entry> lower = dequeued(p, l, cpu, q, current, shown, findings, depth + 1);
                    if (!lower.isEmpty()) { // the empty group is shown as the way to its queued children
                        shown.add(child);
                        out.add(new Group(child, q, name(p, child), throttled(p, l, q), lower));
                    }
                    continue;
                }
                out.add(group(p, l, cpu, q, current, shown, findings, depth + 1));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("task_group " + Long.toHexString(child) + " cfs_rq[" + cpu + "]", f));
            }
        }
        return out;
    }

    private static int prio(Program p, Task t) throws MemoryFault {
        return (int) KernelObject.at(p, "task_struct", t.address()).read("prio");
    }

    private static boolean throttled(Program p, Layout l, long cfsRq) throws MemoryFault {
        return l.hasThrottled() && KernelObject.at(p, "cfs_rq", cfsRq).read("throttled") != 0;
    }

    /**
     * The group's cgroup directory name: {@code css.cgroup->kn->name}, "/" for the root (a kernfs
     * node without parent; include/linux/kernfs.h, {@code __parent} since 6.15); null without a cgroup.
     */
    private static String name(Program p, long tg) {
        try {
            long cgroup = KernelObject.at(p, "task_group", tg).read("css.cgroup");
            if (cgroup == 0) {
                return null;
            }
            long kn = KernelObject.at(p, "cgroup", cgroup).read("kn");
            if (kn == 0) {
                return null;
            }
            KernelObject node = KernelObject.at(p, "kernfs_node", kn);
            long parent = node.read(node.struct().member("parent").isPresent() ? "parent" : "__parent");
            if (parent == 0) {
                return "/";
            }
            long name = node.read("name");
            return name == 0 ? null : p.kernel().cstring(name, 256);
        } catch (MemoryFault f) {
            return null;
        }
    }
}
