package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.WaitQueues;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import java.io.PrintWriter;
import java.util.List;

/** {@code waitq SYMBOL | STRUCT.MEMBER ADDR | ADDR}: the tasks waiting on a wait queue head, crash's task headers. */
final class WaitqCommand implements ShellCommand {
    @Override
    public String name() {
        return "waitq";
    }

    @Override
    public String synopsis() {
        return "waitq SYMBOL | STRUCT.MEMBER ADDR | ADDR   the tasks waiting on a wait_queue_head";
    }

    @Override
    public String example() {
        return "waitq log_wait             who waits for kernel log messages (or: wait queue \"log_wait\" (…) is empty)";
    }

    record Waiters(String name, WaitQueues.Queue queue, java.util.Map<Long, String> functions) implements Output {
        @Override
        public void text(PrintWriter out) {
            if (queue.waiters().isEmpty() && queue.findings().isEmpty()) {
                out.println(name != null ? "wait queue \"" + name + "\" (" + Long.toHexString(queue.head()) + ") is empty"
                        : "wait queue " + Long.toHexString(queue.head()) + " is empty");
            }
            for (WaitQueues.Waiter w : queue.waiters()) {
                Task t = w.task();
                if (t != null) {
                    out.println(Text.taskHeader(t));
                } else {
                    out.printf("wait_queue_entry %x: private %x is no task (func %s)%n", w.entry(), w.priv(), functions.get(w.func()));
                }
            }
            queue.findings().forEach(f -> out.println("waitq: " + f.summary()));
        }

        @Override
        public Object json() {
            return queue;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty() || args.size() > 2) {
            throw new UsageException("waitq: " + synopsis());
        }
        String first = args.getFirst();
        String name = null;
        long head;
        int dot = first.indexOf('.');
        if (args.size() == 2) {
            if (dot <= 0) {
                throw new UsageException("waitq: with an address, name the wait queue as STRUCT.MEMBER");
            }
            Type.Struct s = StructCommand.lookup(p, "waitq", first.substring(0, dot));
            head = Args.address(p, "waitq", args.get(1)) + StructCommand.member("waitq", s, first.substring(dot + 1)).offset();
        } else if (Args.looksHex(first)) {
            head = Args.address(p, "waitq", first);
        } else {
            name = first;
            head = Args.address(p, "waitq", first);
        }
        try {
            WaitQueues.Queue q = WaitQueues.of(p, head);
            java.util.Map<Long, String> f = new java.util.HashMap<>();
            q.waiters().forEach(w -> f.computeIfAbsent(w.func(), a -> BtCommand.symbolize(p, a, false)));
            return new Waiters(name, q, f);
        } catch (MemoryFault e) {
            return Text.of("waitq: " + e.getMessage());
        }
    }
}
