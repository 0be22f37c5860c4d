package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
        return "ps                       tasks: PID PPID CPU TASK ST %MEM VSZ RSS COMM, > running";
    }

    /** One row: the task, whether it is current on its CPU, its memory in KB. */
    record Row(Task task, boolean current, long vszKb, long rssKb, double memPercent) {}

    record Listing(List<Row> rows, List<String> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM");
            for (Row r : rows) {
                Task t = r.task();
                String comm = t.kernelThread() ? "[" + t.comm() + "]" : t.comm();
                out.printf("%s %7d %7d %3d  %16x  %s  %4.1f %8d %8d  %s%n", r.current() ? ">" : " ", t.pid(), t.ppid(), t.cpu(),
                        t.address(), t.stateName(), r.memPercent(), r.vszKb(), r.rssKb(), comm);
            }
            problems.forEach(p -> out.println("ps: " + p));
        }

        @Override
        public Object json() {
            List<Object> list = new ArrayList<>();
            for (Row r : rows) {
                Task t = r.task();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", t.pid());
                m.put("ppid", t.ppid());
                m.put("cpu", t.cpu());
                m.put("task", Hex.of(t.address()));
                m.put("state", t.stateName());
                m.put("current", r.current());
                m.put("vsz_kb", r.vszKb());
                m.put("rss_kb", r.rssKb());
                m.put("comm", t.comm());
                m.put("kernel_thread", t.kernelThread());
                list.add(m);
            }
            return Map.of("tasks", list, "problems", problems);
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("ps: options are not implemented yet");
        }
        List<String> problems = new ArrayList<>();
        List<Task> tasks = new ArrayList<>();
        Set<Long> current = new HashSet<>();
        try {
            tasks.addAll(Tasks.idle(p));
            for (int cpu = 0; cpu < p.perCpuOffsets().length; cpu++) {
                current.add(Tasks.current(p, cpu));
            }
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            problems.add("idle and current tasks: " + e.getMessage());
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
        problems.addAll(walk.problems());
        long totalPages = totalRamPages(p);
        // SPLIT_RSS_COUNTING (6.1 and before): each thread keeps unflushed deltas in task->rss_stat.
        Map<Long, Long> threadRss = new java.util.HashMap<>();
        for (Task t : tasks) {
            if (t.mm() != 0) {
                try {
                    KernelObject task = KernelObject.at(p, "task_struct", t.address());
                    if (task.type().member("rss_stat").isPresent()) {
                        long counts = task.addressOf("rss_stat.count");
                        long sum = 0;
                        for (int i : new int[] {0, 1, 3}) {
                            sum += (int) p.kernel().u32(counts + i * 4L); // int count[] in struct task_rss_stat
                        }
                        threadRss.merge(t.mm(), sum, Long::sum);
                    }
                } catch (MemoryFault | TypeException e) {
                    problems.add("pid " + t.pid() + " rss_stat: " + e.getMessage());
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Task t : tasks) {
            long vsz = 0;
            long rss = 0;
            if (t.mm() != 0) {
                try {
                    KernelObject mm = KernelObject.at(p, "mm_struct", t.mm());
                    vsz = mm.read("total_vm") * 4;
                    rss = Math.max(0, rssPages(p, mm) + threadRss.getOrDefault(t.mm(), 0L)) * 4;
                } catch (MemoryFault | TypeException e) {
                    problems.add("pid " + t.pid() + " mm: " + e.getMessage());
                }
            }
            rows.add(new Row(t, current.contains(t.address()), vsz, rss, totalPages > 0 ? 100.0 * rss / 4 / totalPages : 0));
        }
        return new Listing(rows, problems);
    }

    /**
     * Resident pages: the rss_stat counters MM_FILEPAGES, MM_ANONPAGES and MM_SHMEMPAGES
     * (include/linux/mm_types_task.h order: file, anon, swap entries, shmem). Until 6.1 rss_stat is
     * a struct of atomic_long_t count[]; from 6.2 an array of percpu_counter, whose .count is read
     * (the per-CPU deltas are not added, as crash does not either). The dump's types tell which.
     */
    private static long rssPages(Program p, KernelObject mm) throws MemoryFault {
        var member = mm.member("rss_stat");
        long base = mm.address() + member.offset();
        long stride = 8;
        long field = 0;
        if (member.type().get().resolved() instanceof dev.kdive.types.Type.Array a
                && a.element().get().resolved() instanceof dev.kdive.types.Type.Struct counter) {
            stride = counter.size();
            field = counter.member("count").orElseThrow(() -> new TypeException("struct percpu_counter has no count")).offset();
        }
        long sum = 0;
        for (int i : new int[] {0, 1, 3}) {
            sum += Math.max(0, p.kernel().u64(base + i * stride + field));
        }
        return sum;
    }

    private static long totalRamPages(Program p) {
        try {
            return p.kernel().u64(p.address("_totalram_pages"));
        } catch (MemoryFault | UnknownSymbolException e) {
            return 0;
        }
    }
}
