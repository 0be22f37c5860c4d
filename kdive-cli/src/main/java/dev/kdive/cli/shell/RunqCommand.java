package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.RunQueues;
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
        return "runq                       each CPU's run queue: current task, queued RT and CFS tasks with priorities";
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

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("runq: -t, -g, -m, -c and -d are not supported yet; runq alone shows every CPU's queue");
        }
        try {
            return new Queues(RunQueues.of(p));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("runq: " + e.getMessage());
        }
    }
}
