package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.kernel.Mm;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.TaskDetails;
import dev.kdive.kernel.Tasks;
import dev.kdive.finding.Finding;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ps}: every task and thread from the task list, with the idle task of each CPU first,
 * in crash's columns; {@code >} marks the task running on a CPU at the time of the dump.
 */
final class PsCommand implements ShellCommand {
    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String synopsis() {
        return "ps [-t|-a] [PID..]       tasks: PID PPID CPU TASK ST %MEM VSZ RSS COMM, > running; -t times, -a args and env";
    }

    @Override
    public String example() {
        return "ps -a 1                  pid 1's arguments and environment";
    }

    /** One row: the task, whether it is current on its CPU, its memory in KB. */
    record Row(Task task, boolean current, long vszKb, long rssKb, double memPercent) {}

    record Listing(List<Row> rows, List<Finding> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM");
            for (Row r : rows) {
                Task t = r.task();
                String comm = t.kernelThread() ? "[" + t.comm() + "]" : t.comm();
                out.printf("%s %7d %7d %3d  %16x  %s  %4.1f %8d %8d  %s%n", r.current() ? ">" : " ", t.pid(), t.ppid(), t.cpu(),
                        t.address(), t.stateName(), r.memPercent(), r.vszKb(), r.rssKb(), comm);
            }
            problems.forEach(p -> out.println("ps: " + p.summary()));
        }

    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("ps", raw, Set.of("-t", "-a"), Set.of());
        if (args.has("-t") || args.has("-a")) {
            return perTask(p, args);
        }
        if (!args.operands().isEmpty()) {
            throw new UsageException("ps: PIDs go with -t or -a");
        }
        List<Finding> problems = new ArrayList<>();
        List<Task> tasks = new ArrayList<>();
        Set<Long> current = new HashSet<>();
        try {
            tasks.addAll(Tasks.idle(p));
            for (int cpu = 0; cpu < p.perCpuOffsets().length; cpu++) {
                current.add(Tasks.current(p, cpu));
            }
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            problems.add(Finding.missing("idle and current tasks", e));
        }
        Tasks.Walk walk;
        try {
            walk = Tasks.walk(p);
        } catch (TypeException e) {
            throw new UsageException("ps: " + e.getMessage());
        }
        for (Task t : walk.tasks()) {
            if (t.pid() != 0) {
                tasks.add(t);
            }
        }
        problems.addAll(walk.findings());
        long totalPages = Mm.totalRamPages(p);
        Map<Long, Long> threadRss = new java.util.HashMap<>();
        for (Task t : tasks) {
            try {
                threadRss.merge(t.mm(), Mm.taskRssDelta(p, t), Long::sum);
            } catch (MemoryFault | TypeException e) {
                problems.add(Finding.missing("pid " + t.pid() + " rss_stat", e));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Task t : tasks) {
            long vsz = 0;
            long rss = 0;
            if (t.mm() != 0) {
                try {
                    vsz = Mm.totalVm(p, t.mm()) * 4;
                    rss = Math.max(0, Mm.getMmRss(p, t.mm()) + threadRss.getOrDefault(t.mm(), 0L)) * 4;
                } catch (MemoryFault | TypeException e) {
                    problems.add(Finding.missing("pid " + t.pid() + " mm", e));
                }
            }
            rows.add(new Row(t, current.contains(t.address()), vsz, rss, totalPages > 0 ? 100.0 * rss / 4 / totalPages : 0));
        }
        return new Listing(rows, problems);
    }

    /** crash's ps -t (run time, start time, user and system time) and ps -a (arguments and environment), per task. */
    private static Output perTask(Program p, Args args) throws UsageException {
        List<Task> tasks = new ArrayList<>();
        try {
            tasks.addAll(Tasks.idle(p));
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            // idle tasks are only shown when they can be read
        }
        tasks.addAll(Tasks.walk(p).tasks().stream().filter(t -> t.pid() != 0).toList());
        if (!args.operands().isEmpty()) {
            Set<Integer> pids = new HashSet<>();
            for (String o : args.operands()) {
                pids.add((int) Args.number("ps", o));
            }
            tasks.removeIf(t -> !pids.contains(t.pid()));
            if (tasks.isEmpty()) {
                throw new UsageException("ps: no task with pid " + String.join(", ", args.operands()));
            }
        }
        long uptimeNs = dev.kdive.kernel.SystemInfo.read(p).uptimeSeconds().orElse(0) * 1_000_000_000L;
        List<PerTask> rows = new ArrayList<>();
        for (Task t : tasks) {
            rows.add(new PerTask(t, args.has("-t") ? TaskDetails.times(p, t, uptimeNs) : null,
                    args.has("-a") ? TaskDetails.arguments(p, t) : null));
        }
        return new PerTasks(rows);
    }

    /** One task of ps -t / ps -a: its times, its arguments and environment (either may be absent). */
    record PerTask(Task task, TaskDetails.Times times, TaskDetails.Arguments arguments) {}

    /** crash's ps -t / ps -a output. */
    record PerTasks(List<PerTask> tasks) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (PerTask row : tasks) {
                Task t = row.task();
                out.println(Text.taskHeader(t));
                TaskDetails.Times times = row.times();
                if (times != null && times.fault() != null) {
                    out.println("ps: " + fault(times.fault()));
                    continue;
                }
                if (times != null) {
                    long run = times.runTime();
                    long start = times.startTime();
                    out.println(String.format("    RUN TIME: %02d:%02d:%02d", run / 3600, run / 60 % 60, run % 60));
                    out.println(String.format("  START TIME: %d.%06d", start / 1_000_000_000L, start % 1_000_000_000L / 1000));
                    out.println(String.format("       UTIME: %d", times.utime()));
                    out.println(String.format("       STIME: %d", times.stime()));
                }
                TaskDetails.Arguments a = row.arguments();
                if (a == null) {
                    continue;
                }
                if (a.kernelThread()) {
                    out.println("ARG: (kernel thread: no user memory)");
                } else if (a.fault() != null) {
                    out.println("ps: " + fault(a.fault()));
                } else {
                    out.println("ARG: " + strings(a.arguments()));
                    out.println("ENV: " + strings(a.environment()));
                }
            }
        }

        private static String fault(UnreadableMemory f) {
            return f.space() + " " + Long.toHexString(f.address()) + ": " + f.reason();
        }

        /** The strings as crash prints them: space-separated; "(none)" for an empty area; the failed read in brackets. */
        private static String strings(TaskDetails.UserStrings s) {
            if (s.fault() != null) {
                return "(" + s.fault().reason() + " at " + Long.toHexString(s.fault().address()) + ")";
            }
            return s.strings().isEmpty() ? "(none)" : String.join(" ", s.strings());
        }

        @Override
        public Object json() {
            return tasks;
        }
    }
}
