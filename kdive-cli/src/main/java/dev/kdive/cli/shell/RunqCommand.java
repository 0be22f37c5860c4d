package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.RunQueues;
import dev.kdive.kernel.TaskGroups;
import dev.kdive.kernel.Task;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;

/** {@code runq}: each CPU's run queue in crash's layout: the current task, queued real-time and CFS tasks with their priorities. */
final class RunqCommand implements ShellCommand {
    @Override
    public String name() {
        return "runq";
    }

    @Override
    public String synopsis() {
        return "runq [-t|-g]               each CPU's run queue: current task, queued RT and CFS tasks with priorities; -t the queues' clocks;"
                + " -g the CFS queues nested by task group (TASK_GROUP, CFS_RQ, cgroup name)";
    }

    @Override
    public String example() {
        return "runq                       CPU 0 RUNQUEUE: … CURRENT: PID: 102 … RT PRIO_ARRAY … CFS RB_ROOT …";
    }

    record Queues(List<RunQueues.RunQueue> cpus) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < cpus.size(); i++) {
                RunQueues.RunQueue q = cpus.get(i);
                if (i > 0) {
                    out.println();
                }
                out.printf("CPU %d RUNQUEUE: %x%n", q.cpu(), q.address());
                if (q.current() != null) {
                    out.printf("  CURRENT: %s%n", task(q.current()));
                }
                out.printf("  RT PRIO_ARRAY: %x%n", q.rtArray());
                tasks(out, q.rt());
                out.printf("  CFS RB_ROOT: %x%n", q.cfsRoot());
                tasks(out, q.cfs());
                q.findings().forEach(f -> out.println("runq: " + f.summary()));
            }
        }

        private static String task(Task t) {
            return String.format("PID: %-6d TASK: %x  COMMAND: \"%s\"", t.pid(), t.address(), t.comm());
        }

        private static void tasks(PrintWriter out, List<RunQueues.Queued> queued) {
            if (queued.isEmpty()) {
                out.println("     [no tasks queued]");
            }
            queued.forEach(q -> out.printf("     [%3d] %s%n", q.prio(), task(q.task())));
        }

        @Override
        public Object json() {
            return cpus;
        }
    }

    /** runq -t: each queue's clock and when its running task last got the CPU, crash's layout. */
    record Clocks(List<RunQueues.RunQueue> cpus) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (RunQueues.RunQueue q : cpus) {
                String clock = Long.toUnsignedString(q.clock());
                out.printf("%sCPU %d: %s%n", q.cpu() < 10 ? " " : "", q.cpu(), clock);
                if (q.current() != null) {
                    int indent = (q.cpu() < 10 ? 7 : q.cpu() < 100 ? 8 : 9) + (q.cpu() < 10 ? 1 : 0);
                    String arrival = Long.toUnsignedString(q.currentLastArrival());
                    arrival = "0".repeat(Math.max(0, clock.length() - arrival.length())) + arrival;
                    out.printf("%s%s  PID: %-5d  TASK: %x  COMMAND: \"%s\"%n", " ".repeat(indent), arrival, q.current().pid(),
                            q.current().address(), q.current().comm());
                }
            }
        }

        @Override
        public Object json() {
            return cpus;
        }
    }

    /** runq -g: each CPU's fair-class queues nested by task group, crash's layout. */
    record Groups(TaskGroups.Hierarchy groups) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < groups.cpus().size(); i++) {
                TaskGroups.Cpu c = groups.cpus().get(i);
                if (i > 0) {
                    out.println();
                }
                out.printf("CPU %d%n", c.cpu());
                if (c.current() != null) {
                    out.printf("  CURRENT: %s%n", task(c.current()));
                }
                out.printf("  %s_TASK_GROUP: %x  CFS_RQ: %x%n", groups.rootName(), groups.root(), c.root().cfsRq());
                entries(out, c.root().entries(), 0);
                c.findings().forEach(f -> out.println("runq: " + f.summary()));
            }
            if (groups.rtGroups()) {
                out.println("runq: real-time task groups (CONFIG_RT_GROUP_SCHED) are not shown; runq lists the real-time tasks");
            }
        }

        private static String task(Task t) {
            return String.format("PID: %-5d  TASK: %x  COMMAND: \"%s\"", t.pid(), t.address(), t.comm());
        }

        private static void entries(PrintWriter out, List<TaskGroups.Entry> entries, int depth) {
            if (entries.isEmpty()) {
                out.println(" ".repeat(5 + 3 * depth) + "[no tasks queued]");
            }
            for (TaskGroups.Entry e : entries) {
                switch (e) {
                    case TaskGroups.QueuedTask t -> out.printf("%s[%3d] %s%s%n", " ".repeat(5 + 3 * depth), t.prio(), task(t.task()),
                            t.current() ? " [CURRENT]" : "");
                    case TaskGroups.Group g -> {
                        out.printf("%sTASK_GROUP: %x  CFS_RQ: %x %s%s%n", " ".repeat(2 + 3 * (depth + 1)), g.taskGroup(), g.cfsRq(),
                                g.name() == null ? "" : " <" + g.name() + ">", g.throttled() ? " (THROTTLED)" : "");
                        entries(out, g.entries(), depth + 1);
                    }
                }
            }
        }

        @Override
        public Object json() {
            return groups;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty() && !args.equals(List.of("-t")) && !args.equals(List.of("-g"))) {
            throw new UsageException("runq: -m, -c and -d are not supported yet; runq shows every CPU's queue, runq -t their clocks, runq -g by task group");
        }
        try {
            if (args.equals(List.of("-g"))) {
                return new Groups(TaskGroups.of(p));
            }
            if (!args.isEmpty()) {
                return new Clocks(RunQueues.of(p));
            }
            return new Queues(RunQueues.of(p));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("runq: " + e.getMessage());
        }
    }
}
