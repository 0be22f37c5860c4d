package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.RunQueues;
import dev.kdive.kernel.TaskGroups;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/** {@code runq}: each CPU's run queue in crash's layout: the current task, queued real-time and CFS tasks with their priorities. */
final class RunqCommand implements ShellCommand {
    @Override
    public String name() {
        return "runq";
    }

    @Override
    public String synopsis() {
        return "runq [-t|-m|-g|-d] [-c CPUS]   each CPU's run queue: current task, queued RT and CFS tasks with priorities; -t the queues' clocks;"
                + " -m how long each running task has run; -g the CFS queues nested by task group (TASK_GROUP, CFS_RQ, cgroup name);"
                + " -d every task whose on_rq is set; -c some CPUs only (1,3-4)";
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

    /** crash's dump_task_runq_entry: "PID: %-5d  TASK: …  COMMAND: "…"" (a six-digit pid still gets its two blanks). */
    static String task(Task t) {
        return String.format("PID: %-5d  TASK: %x  COMMAND: \"%s\"", t.pid(), t.address(), t.comm());
    }

    /** runq -m: how long each CPU's running task has had it, as crash's [days hh:mm:ss.mmm]. */
    record Running(List<RunQueues.RunQueue> cpus) implements Output {
        @Override
        public void text(PrintWriter out) {
            int width = cpus.isEmpty() ? 1 : days(cpus.getFirst().clock()).length(); // crash sizes the days by the first queue's clock
            int maxIndent = cpus.size() < 10 ? 1 : cpus.size() < 100 ? 2 : cpus.size() < 1000 ? 3 : 4;
            for (RunQueues.RunQueue q : cpus) {
                int indent = Math.max(0, maxIndent - (q.cpu() < 10 ? 0 : q.cpu() < 100 ? 1 : q.cpu() < 1000 ? 2 : 4));
                if (q.current() == null) {
                    out.printf("%sCPU %d: [unknown]%n", " ".repeat(indent), q.cpu());
                    continue;
                }
                long delta = Math.max(0, q.clock() - q.currentLastArrival());
                String d = days(delta);
                out.printf("%sCPU %d: [%s%s]  %s%n", " ".repeat(indent), q.cpu(), " ".repeat(Math.max(0, width - d.length())),
                        duration(delta), task(q.current()));
            }
        }

        private static String days(long ns) {
            return Long.toString(ns / 1_000_000L / 86_400_000L);
        }

        /** {@return ns as "D hh:mm:ss.mmm"} */
        static String duration(long ns) {
            long ms = ns / 1_000_000L;
            return String.format("%d %02d:%02d:%02d.%03d", ms / 86_400_000L, ms / 3_600_000L % 24, ms / 60_000L % 60, ms / 1000 % 60, ms % 1000);
        }

        @Override
        public Object json() {
            return cpus;
        }
    }

    /** runq -d: per CPU, every task the kernel marks on_rq. */
    record OnRunQueue(List<RunQueues.OnCpu> cpus) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < cpus.size(); i++) {
                RunQueues.OnCpu c = cpus.get(i);
                if (i > 0) {
                    out.println();
                }
                out.printf("CPU %d%n", c.cpu());
                if (c.tasks().isEmpty()) {
                    out.println("     [no tasks queued]");
                }
                c.tasks().forEach(q -> out.printf("     [%3d] %s%n", q.prio(), task(q.task())));
                c.findings().forEach(f -> out.println("runq: " + f.summary()));
            }
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
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("runq", raw, Set.of("-t", "-m", "-g", "-d"), Set.of("-c"));
        long views = Stream.of("-t", "-m", "-g", "-d").filter(args::has).count();
        if (views > 1 || !args.operands().isEmpty()) {
            throw new UsageException("runq: usage: " + synopsis().substring(0, synopsis().indexOf("  ")) + " (one of -t, -m, -g, -d)");
        }
        IntPredicate cpus = Args.cpus("runq", "-c", args.value("-c").orElse(null));
        try {
            if (args.has("-g")) {
                TaskGroups.Hierarchy h = TaskGroups.of(p);
                return new Groups(new TaskGroups.Hierarchy(h.rootName(), h.root(), h.rtGroups(),
                        h.cpus().stream().filter(c -> cpus.test(c.cpu())).toList()));
            }
            if (args.has("-d")) {
                return new OnRunQueue(RunQueues.onRunQueue(p, Tasks.withIdle(p)).stream().filter(c -> cpus.test(c.cpu())).toList());
            }
            List<RunQueues.RunQueue> queues = RunQueues.of(p).stream().filter(q -> cpus.test(q.cpu())).toList();
            if (args.has("-t")) {
                return new Clocks(queues);
            }
            return args.has("-m") ? new Running(queues) : new Queues(queues);
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("runq: " + e.getMessage());
        }
    }
}
